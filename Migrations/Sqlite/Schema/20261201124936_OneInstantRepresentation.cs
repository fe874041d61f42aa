using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Migrations.Sqlite.Schema
{
    /// <inheritdoc />
    /// <summary>
    /// One representation of stored instants (Persistence/Instants): on SQLite every DateTimeOffset becomes an integer
    /// count of microseconds, which SQL compares and sorts; the Unix millisecond columns become DateTimeOffset too.
    /// Existing rows are carried over.
    /// </summary>
    public partial class OneInstantRepresentation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "WebAuthnChallenges",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "ConsumedAt",
                table: "WebAuthnChallenges",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "UserSessions",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "LastUsedAt",
                table: "UserPhones",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "UserPhones",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "LastUsedAt",
                table: "TotpAuthenticators",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "TotpAuthenticators",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "UsedAt",
                table: "RecoveryCodes",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "RecoveryCodes",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "ScannedAt",
                table: "QrSignInSessions",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "RedeemedAt",
                table: "QrSignInSessions",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "DecidedAt",
                table: "QrSignInSessions",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "QrSignInSessions",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "ProtectedSecrets",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "UpdatedAt",
                table: "PolicyDocuments",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "LastUsedAt",
                table: "PasskeyCredentials",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "PasskeyCredentials",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "SentAt",
                table: "OutboundMessages",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "LastAttemptAt",
                table: "OutboundMessages",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "OutboundMessages",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "OtpChallenges",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "ApprovedAt",
                table: "OtpChallenges",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "RetiredAt",
                table: "FieldKeys",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "FieldKeys",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "At",
                table: "DeliveryAttempts",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "OccurredAt",
                table: "AuditEvents",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "AuditCheckpoints",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "LockoutEnd",
                table: "AspNetUsers",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "AspNetUsers",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "RevokedAt",
                table: "ApiClients",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "CreatedAt",
                table: "ApiClients",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "AddedAt",
                table: "AllowedPasskeyModels",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            // After the rebuilds above gave the columns INTEGER affinity (a TEXT column would turn the numbers back into text).
            ToMicroseconds(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Before the rebuilds below give the columns TEXT affinity back.
            ToPreviousRepresentation(migrationBuilder);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "WebAuthnChallenges",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "ConsumedAt",
                table: "WebAuthnChallenges",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "UserSessions",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "LastUsedAt",
                table: "UserPhones",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "UserPhones",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "LastUsedAt",
                table: "TotpAuthenticators",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "TotpAuthenticators",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "UsedAt",
                table: "RecoveryCodes",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "RecoveryCodes",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "ScannedAt",
                table: "QrSignInSessions",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "RedeemedAt",
                table: "QrSignInSessions",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "DecidedAt",
                table: "QrSignInSessions",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "QrSignInSessions",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "ProtectedSecrets",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "UpdatedAt",
                table: "PolicyDocuments",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "LastUsedAt",
                table: "PasskeyCredentials",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "PasskeyCredentials",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "SentAt",
                table: "OutboundMessages",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "LastAttemptAt",
                table: "OutboundMessages",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "OutboundMessages",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "OtpChallenges",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "ApprovedAt",
                table: "OtpChallenges",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "RetiredAt",
                table: "FieldKeys",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "FieldKeys",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "At",
                table: "DeliveryAttempts",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "OccurredAt",
                table: "AuditEvents",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "AuditCheckpoints",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "LockoutEnd",
                table: "AspNetUsers",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "AspNetUsers",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "RevokedAt",
                table: "ApiClients",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "ApiClients",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "AddedAt",
                table: "AllowedPasskeyModels",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");
        }

        /// <summary>Columns that held DateTimeOffset as ISO text ("yyyy-MM-dd HH:mm:ss.FFFFFFF+HH:MM") and now hold microseconds.</summary>
        private static readonly (string Table, string Column)[] TextInstants =
        [
            ("WebAuthnChallenges", "CreatedAt"),
            ("WebAuthnChallenges", "ConsumedAt"),
            ("UserSessions", "CreatedAt"),
            ("UserPhones", "LastUsedAt"),
            ("UserPhones", "CreatedAt"),
            ("TotpAuthenticators", "LastUsedAt"),
            ("TotpAuthenticators", "CreatedAt"),
            ("RecoveryCodes", "UsedAt"),
            ("RecoveryCodes", "CreatedAt"),
            ("QrSignInSessions", "ScannedAt"),
            ("QrSignInSessions", "RedeemedAt"),
            ("QrSignInSessions", "DecidedAt"),
            ("QrSignInSessions", "CreatedAt"),
            ("ProtectedSecrets", "CreatedAt"),
            ("PolicyDocuments", "UpdatedAt"),
            ("PasskeyCredentials", "LastUsedAt"),
            ("PasskeyCredentials", "CreatedAt"),
            ("OutboundMessages", "SentAt"),
            ("OutboundMessages", "LastAttemptAt"),
            ("OutboundMessages", "CreatedAt"),
            ("OtpChallenges", "CreatedAt"),
            ("OtpChallenges", "ApprovedAt"),
            ("FieldKeys", "RetiredAt"),
            ("FieldKeys", "CreatedAt"),
            ("DeliveryAttempts", "At"),
            ("AuditEvents", "OccurredAt"),
            ("AuditCheckpoints", "CreatedAt"),
            ("AspNetUsers", "LockoutEnd"),
            ("AspNetUsers", "CreatedAt"),
            ("ApiClients", "RevokedAt"),
            ("ApiClients", "CreatedAt"),
            ("AllowedPasskeyModels", "AddedAt"),
        ];

        /// <summary>Columns that held Unix milliseconds and now hold microseconds.</summary>
        private static readonly (string Table, string Column)[] MillisecondInstants =
        [
            ("OtpChallenges", "ExpiresAt"),
            ("OtpChallenges", "LastSentAt"),
            ("QrSignInSessions", "ExpiresAt"),
            ("ApiClients", "LastUsedAt"),
            ("OutboundMessages", "NextAttemptAt"),
            ("OutboundMessages", "LeaseExpiresAt"),
            ("UserSessions", "LastSeenAt"),
            ("UserSessions", "RevokedAt"),
            ("UserPhones", "VerifiedAt"),
            ("WebAuthnChallenges", "ExpiresAt"),
            ("SendCounters", "WindowStart"),
            ("SendCounters", "WindowEnd"),
        ];

        // Exact, not through julianday's floating point: whole seconds from strftime (which honours the offset), then the
        // fraction's first six digits.
        private static string TextToMicroseconds(string column) =>
            $"CAST(strftime('%s', substr({column}, 1, 19) || substr({column}, -6)) AS INTEGER) * 1000000 + " +
            $"CASE WHEN substr({column}, 20, 1) = '.' THEN CAST(substr(substr({column}, 21, length({column}) - 26) || '000000', 1, 6) AS INTEGER) ELSE 0 END";

        private static string MicrosecondsToText(string column) =>
            $"strftime('%Y-%m-%d %H:%M:%S', {column} / 1000000, 'unixepoch') || " +
            $"CASE WHEN {column} % 1000000 <> 0 THEN '.' || rtrim(printf('%06d', {column} % 1000000), '0') ELSE '' END || '+00:00'";

        private static void ToMicroseconds(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, column) in TextInstants)
            {
                var c = $"\"{column}\"";
                migrationBuilder.Sql($"UPDATE \"{table}\" SET {c} = {TextToMicroseconds(c)} WHERE typeof({c}) = 'text';");
            }
            foreach (var (table, column) in MillisecondInstants)
            {
                migrationBuilder.Sql($"UPDATE \"{table}\" SET \"{column}\" = \"{column}\" * 1000 WHERE \"{column}\" IS NOT NULL;");
            }
        }

        private static void ToPreviousRepresentation(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, column) in TextInstants)
            {
                var c = $"\"{column}\"";
                migrationBuilder.Sql($"UPDATE \"{table}\" SET {c} = {MicrosecondsToText(c)} WHERE typeof({c}) = 'integer';");
            }
            foreach (var (table, column) in MillisecondInstants)
            {
                migrationBuilder.Sql($"UPDATE \"{table}\" SET \"{column}\" = \"{column}\" / 1000 WHERE \"{column}\" IS NOT NULL;");
            }
        }
    }
}

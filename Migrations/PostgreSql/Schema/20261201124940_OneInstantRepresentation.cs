using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Migrations.PostgreSql.Schema
{
    /// <summary>
    /// One representation of stored instants (Persistence/Instants): the Unix millisecond columns become timestamptz,
    /// like every other instant here. Existing rows are carried over (EF Core's own ALTER has no USING clause); a
    /// column added with a default of 0 loses it, since no instant is a sensible default.
    /// </summary>
    public partial class OneInstantRepresentation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE \"OtpChallenges\" ALTER COLUMN \"ExpiresAt\" DROP DEFAULT, ALTER COLUMN \"ExpiresAt\" TYPE timestamp with time zone USING to_timestamp(\"ExpiresAt\" / 1000.0);");
            migrationBuilder.Sql("ALTER TABLE \"OtpChallenges\" ALTER COLUMN \"LastSentAt\" DROP DEFAULT, ALTER COLUMN \"LastSentAt\" TYPE timestamp with time zone USING to_timestamp(\"LastSentAt\" / 1000.0);");
            migrationBuilder.Sql("ALTER TABLE \"QrSignInSessions\" ALTER COLUMN \"ExpiresAt\" DROP DEFAULT, ALTER COLUMN \"ExpiresAt\" TYPE timestamp with time zone USING to_timestamp(\"ExpiresAt\" / 1000.0);");
            migrationBuilder.Sql("ALTER TABLE \"ApiClients\" ALTER COLUMN \"LastUsedAt\" DROP DEFAULT, ALTER COLUMN \"LastUsedAt\" TYPE timestamp with time zone USING to_timestamp(\"LastUsedAt\" / 1000.0);");
            migrationBuilder.Sql("ALTER TABLE \"OutboundMessages\" ALTER COLUMN \"NextAttemptAt\" DROP DEFAULT, ALTER COLUMN \"NextAttemptAt\" TYPE timestamp with time zone USING to_timestamp(\"NextAttemptAt\" / 1000.0);");
            migrationBuilder.Sql("ALTER TABLE \"OutboundMessages\" ALTER COLUMN \"LeaseExpiresAt\" DROP DEFAULT, ALTER COLUMN \"LeaseExpiresAt\" TYPE timestamp with time zone USING to_timestamp(\"LeaseExpiresAt\" / 1000.0);");
            migrationBuilder.Sql("ALTER TABLE \"UserSessions\" ALTER COLUMN \"LastSeenAt\" DROP DEFAULT, ALTER COLUMN \"LastSeenAt\" TYPE timestamp with time zone USING to_timestamp(\"LastSeenAt\" / 1000.0);");
            migrationBuilder.Sql("ALTER TABLE \"UserSessions\" ALTER COLUMN \"RevokedAt\" DROP DEFAULT, ALTER COLUMN \"RevokedAt\" TYPE timestamp with time zone USING to_timestamp(\"RevokedAt\" / 1000.0);");
            migrationBuilder.Sql("ALTER TABLE \"UserPhones\" ALTER COLUMN \"VerifiedAt\" DROP DEFAULT, ALTER COLUMN \"VerifiedAt\" TYPE timestamp with time zone USING to_timestamp(\"VerifiedAt\" / 1000.0);");
            migrationBuilder.Sql("ALTER TABLE \"WebAuthnChallenges\" ALTER COLUMN \"ExpiresAt\" DROP DEFAULT, ALTER COLUMN \"ExpiresAt\" TYPE timestamp with time zone USING to_timestamp(\"ExpiresAt\" / 1000.0);");
            migrationBuilder.Sql("ALTER TABLE \"SendCounters\" ALTER COLUMN \"WindowStart\" DROP DEFAULT, ALTER COLUMN \"WindowStart\" TYPE timestamp with time zone USING to_timestamp(\"WindowStart\" / 1000.0);");
            migrationBuilder.Sql("ALTER TABLE \"SendCounters\" ALTER COLUMN \"WindowEnd\" DROP DEFAULT, ALTER COLUMN \"WindowEnd\" TYPE timestamp with time zone USING to_timestamp(\"WindowEnd\" / 1000.0);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE \"OtpChallenges\" ALTER COLUMN \"ExpiresAt\" TYPE bigint USING (extract(epoch from \"ExpiresAt\") * 1000)::bigint;");
            migrationBuilder.Sql("ALTER TABLE \"OtpChallenges\" ALTER COLUMN \"LastSentAt\" TYPE bigint USING (extract(epoch from \"LastSentAt\") * 1000)::bigint;");
            migrationBuilder.Sql("ALTER TABLE \"QrSignInSessions\" ALTER COLUMN \"ExpiresAt\" TYPE bigint USING (extract(epoch from \"ExpiresAt\") * 1000)::bigint;");
            migrationBuilder.Sql("ALTER TABLE \"ApiClients\" ALTER COLUMN \"LastUsedAt\" TYPE bigint USING (extract(epoch from \"LastUsedAt\") * 1000)::bigint;");
            migrationBuilder.Sql("ALTER TABLE \"OutboundMessages\" ALTER COLUMN \"NextAttemptAt\" TYPE bigint USING (extract(epoch from \"NextAttemptAt\") * 1000)::bigint;");
            migrationBuilder.Sql("ALTER TABLE \"OutboundMessages\" ALTER COLUMN \"LeaseExpiresAt\" TYPE bigint USING (extract(epoch from \"LeaseExpiresAt\") * 1000)::bigint;");
            migrationBuilder.Sql("ALTER TABLE \"UserSessions\" ALTER COLUMN \"LastSeenAt\" TYPE bigint USING (extract(epoch from \"LastSeenAt\") * 1000)::bigint;");
            migrationBuilder.Sql("ALTER TABLE \"UserSessions\" ALTER COLUMN \"RevokedAt\" TYPE bigint USING (extract(epoch from \"RevokedAt\") * 1000)::bigint;");
            migrationBuilder.Sql("ALTER TABLE \"UserPhones\" ALTER COLUMN \"VerifiedAt\" TYPE bigint USING (extract(epoch from \"VerifiedAt\") * 1000)::bigint;");
            migrationBuilder.Sql("ALTER TABLE \"WebAuthnChallenges\" ALTER COLUMN \"ExpiresAt\" TYPE bigint USING (extract(epoch from \"ExpiresAt\") * 1000)::bigint;");
            migrationBuilder.Sql("ALTER TABLE \"SendCounters\" ALTER COLUMN \"WindowStart\" TYPE bigint USING (extract(epoch from \"WindowStart\") * 1000)::bigint;");
            migrationBuilder.Sql("ALTER TABLE \"SendCounters\" ALTER COLUMN \"WindowEnd\" TYPE bigint USING (extract(epoch from \"WindowEnd\") * 1000)::bigint;");
        }
    }
}

using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Tessera.Migrations.PostgreSql.Schema
{
    /// <inheritdoc />
    public partial class OtpMessageServiceAndAdminConsole : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Recipients and bodies are now encrypted at rest: rows written before this release hold them in plain
            // text, which the converter cannot read. Queue rows are transient, so they are dropped rather than
            // migrated; a message still pending at upgrade time is lost (see the README's upgrade note).
            migrationBuilder.Sql("DELETE FROM \"OutboundMessages\";");

            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_Status_CreatedAt",
                table: "OutboundMessages");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_OccurredAt",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_SubjectId_OccurredAt",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Type_OccurredAt",
                table: "AuditEvents");

            migrationBuilder.AlterColumn<string>(
                name: "Recipient",
                table: "OutboundMessages",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(320)",
                oldMaxLength: 320);

            migrationBuilder.AddColumn<int>(
                name: "ChannelAttempts",
                table: "OutboundMessages",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<Guid>(
                name: "ClaimToken",
                table: "OutboundMessages",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CurrentKind",
                table: "OutboundMessages",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "FallbackHtmlBody",
                table: "OutboundMessages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FallbackKind",
                table: "OutboundMessages",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FallbackRecipient",
                table: "OutboundMessages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FallbackSubject",
                table: "OutboundMessages",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FallbackTextBody",
                table: "OutboundMessages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MaskedRecipient",
                table: "OutboundMessages",
                type: "character varying(320)",
                maxLength: 320,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "NextAttemptAt",
                table: "OutboundMessages",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "Purpose",
                table: "OutboundMessages",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Reference",
                table: "OutboundMessages",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Region",
                table: "OtpChallenges",
                type: "character varying(8)",
                maxLength: 8,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ApiClients",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    KeyPrefix = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    KeyHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    LastUsedAt = table.Column<long>(type: "bigint", nullable: true),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiClients", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AuditCheckpoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    EventHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EventCount = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Signature = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditCheckpoints", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DeliveryAttempts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Channel = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Provider = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Outcome = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Error = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    DurationMs = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DeliveryAttempts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DeliveryAttempts_OutboundMessages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "OutboundMessages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PolicyDocuments",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Json = table.Column<string>(type: "text", nullable: true),
                    Version = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedById = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    UpdatedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PolicyDocuments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SendCounters",
                columns: table => new
                {
                    Rule = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Subject = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    WindowStart = table.Column<long>(type: "bigint", nullable: false),
                    WindowEnd = table.Column<long>(type: "bigint", nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SendCounters", x => new { x.Rule, x.Subject, x.WindowStart });
                });

            migrationBuilder.CreateTable(
                name: "UserPhones",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Number = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    NumberHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Masked = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Region = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    VerifiedAt = table.Column<long>(type: "bigint", nullable: true),
                    LastUsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    VerificationChallengeId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UserPhones", x => x.Id);
                    table.ForeignKey(
                        name: "FK_UserPhones_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UserSessions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    UserId = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeenAt = table.Column<long>(type: "bigint", nullable: false),
                    Device = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    IpPseudonym = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    IpDisplay = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Method = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    RevokedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UserSessions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_ClaimToken",
                table: "OutboundMessages",
                column: "ClaimToken");

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_Reference",
                table: "OutboundMessages",
                column: "Reference");

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_Status_NextAttemptAt",
                table: "OutboundMessages",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_IpPseudonym_Sequence",
                table: "AuditEvents",
                columns: new[] { "IpPseudonym", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_OccurredAt_Sequence",
                table: "AuditEvents",
                columns: new[] { "OccurredAt", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Outcome_Sequence",
                table: "AuditEvents",
                columns: new[] { "Outcome", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_SubjectId_Sequence",
                table: "AuditEvents",
                columns: new[] { "SubjectId", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Type_OccurredAt_Outcome",
                table: "AuditEvents",
                columns: new[] { "Type", "OccurredAt", "Outcome" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Type_Sequence",
                table: "AuditEvents",
                columns: new[] { "Type", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditCheckpoints_Sequence",
                table: "AuditCheckpoints",
                column: "Sequence");

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryAttempts_MessageId_Number",
                table: "DeliveryAttempts",
                columns: new[] { "MessageId", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_SendCounters_WindowEnd",
                table: "SendCounters",
                column: "WindowEnd");

            migrationBuilder.CreateIndex(
                name: "IX_UserPhones_NumberHash",
                table: "UserPhones",
                column: "NumberHash");

            migrationBuilder.CreateIndex(
                name: "IX_UserPhones_UserId_NumberHash",
                table: "UserPhones",
                columns: new[] { "UserId", "NumberHash" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_UserSessions_LastSeenAt",
                table: "UserSessions",
                column: "LastSeenAt");

            migrationBuilder.CreateIndex(
                name: "IX_UserSessions_UserId_RevokedAt",
                table: "UserSessions",
                columns: new[] { "UserId", "RevokedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ApiClients");

            migrationBuilder.DropTable(
                name: "AuditCheckpoints");

            migrationBuilder.DropTable(
                name: "DeliveryAttempts");

            migrationBuilder.DropTable(
                name: "PolicyDocuments");

            migrationBuilder.DropTable(
                name: "SendCounters");

            migrationBuilder.DropTable(
                name: "UserPhones");

            migrationBuilder.DropTable(
                name: "UserSessions");

            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_ClaimToken",
                table: "OutboundMessages");

            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_Reference",
                table: "OutboundMessages");

            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_Status_NextAttemptAt",
                table: "OutboundMessages");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_IpPseudonym_Sequence",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_OccurredAt_Sequence",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Outcome_Sequence",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_SubjectId_Sequence",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Type_OccurredAt_Outcome",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Type_Sequence",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "ChannelAttempts",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "ClaimToken",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "CurrentKind",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "FallbackHtmlBody",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "FallbackKind",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "FallbackRecipient",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "FallbackSubject",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "FallbackTextBody",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "MaskedRecipient",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "NextAttemptAt",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "Purpose",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "Reference",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "Region",
                table: "OtpChallenges");

            migrationBuilder.AlterColumn<string>(
                name: "Recipient",
                table: "OutboundMessages",
                type: "character varying(320)",
                maxLength: 320,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_Status_CreatedAt",
                table: "OutboundMessages",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_OccurredAt",
                table: "AuditEvents",
                column: "OccurredAt");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_SubjectId_OccurredAt",
                table: "AuditEvents",
                columns: new[] { "SubjectId", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Type_OccurredAt",
                table: "AuditEvents",
                columns: new[] { "Type", "OccurredAt" });
        }
    }
}

using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Migrations.Sqlite.Schema
{
    /// <inheritdoc />
    public partial class DeliveryEngine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Recipients and bodies are now encrypted at rest: rows written before this release hold them in plain
            // text, which the new converter cannot read. Queue rows are transient, so they are dropped rather than
            // migrated; anything still pending is lost (a pre-release schema, see the release notes).
            migrationBuilder.Sql("DELETE FROM \"OutboundMessages\";");

            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_Status_CreatedAt",
                table: "OutboundMessages");

            migrationBuilder.AddColumn<int>(
                name: "ChannelAttempts",
                table: "OutboundMessages",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<Guid>(
                name: "ClaimToken",
                table: "OutboundMessages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CurrentKind",
                table: "OutboundMessages",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "FallbackHtmlBody",
                table: "OutboundMessages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FallbackKind",
                table: "OutboundMessages",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FallbackRecipient",
                table: "OutboundMessages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FallbackSubject",
                table: "OutboundMessages",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FallbackTextBody",
                table: "OutboundMessages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MaskedRecipient",
                table: "OutboundMessages",
                type: "TEXT",
                maxLength: 320,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "NextAttemptAt",
                table: "OutboundMessages",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "Purpose",
                table: "OutboundMessages",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DeliveryAttempts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    DurationMs = table.Column<long>(type: "INTEGER", nullable: false)
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

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_ClaimToken",
                table: "OutboundMessages",
                column: "ClaimToken");

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_Status_NextAttemptAt",
                table: "OutboundMessages",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryAttempts_MessageId_Number",
                table: "DeliveryAttempts",
                columns: new[] { "MessageId", "Number" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DeliveryAttempts");

            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_ClaimToken",
                table: "OutboundMessages");

            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_Status_NextAttemptAt",
                table: "OutboundMessages");

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

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_Status_CreatedAt",
                table: "OutboundMessages",
                columns: new[] { "Status", "CreatedAt" });
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Migrations.PostgreSql.Schema
{
    /// <inheritdoc />
    public partial class ChallengeRegionAndMessageReference : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_Reference",
                table: "OutboundMessages",
                column: "Reference");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_Reference",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "Reference",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "Region",
                table: "OtpChallenges");
        }
    }
}

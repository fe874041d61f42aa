using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Migrations.PostgreSql.Schema
{
    /// <inheritdoc />
    public partial class QrRequesterPlace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "ApprovalNeedsStepUp",
                table: "QrSignInSessions",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "RequesterFeatures",
                table: "QrSignInSessions",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ApprovalNeedsStepUp",
                table: "QrSignInSessions");

            migrationBuilder.DropColumn(
                name: "RequesterFeatures",
                table: "QrSignInSessions");
        }
    }
}

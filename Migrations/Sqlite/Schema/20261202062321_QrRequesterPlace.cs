using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Migrations.Sqlite.Schema
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
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "RequesterFeatures",
                table: "QrSignInSessions",
                type: "TEXT",
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

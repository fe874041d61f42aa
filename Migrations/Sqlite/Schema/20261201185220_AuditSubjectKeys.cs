using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Migrations.Sqlite.Schema
{
    /// <inheritdoc />
    public partial class AuditSubjectKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuditSubjectKeys",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Secret = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Pseudonym = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditSubjectKeys", x => x.UserId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditSubjectKeys_Pseudonym",
                table: "AuditSubjectKeys",
                column: "Pseudonym",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditSubjectKeys");
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Migrations.Sqlite.Schema
{
    /// <inheritdoc />
    public partial class VersionedSecrets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Every secret stored before versions is version 1: the values made with it carry no version tag.
            migrationBuilder.DropPrimaryKey(
                name: "PK_ProtectedSecrets",
                table: "ProtectedSecrets");

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "ProtectedSecrets",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddPrimaryKey(
                name: "PK_ProtectedSecrets",
                table: "ProtectedSecrets",
                columns: new[] { "Name", "Version" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_ProtectedSecrets",
                table: "ProtectedSecrets");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "ProtectedSecrets");

            migrationBuilder.AddPrimaryKey(
                name: "PK_ProtectedSecrets",
                table: "ProtectedSecrets",
                column: "Name");
        }
    }
}

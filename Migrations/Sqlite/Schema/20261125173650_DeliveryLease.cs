using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Migrations.Sqlite.Schema
{
    /// <inheritdoc />
    public partial class DeliveryLease : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "LeaseExpiresAt",
                table: "OutboundMessages",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LeaseExpiresAt",
                table: "OutboundMessages");
        }
    }
}

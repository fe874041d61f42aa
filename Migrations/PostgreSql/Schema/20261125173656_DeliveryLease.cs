using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Migrations.PostgreSql.Schema
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
                type: "bigint",
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

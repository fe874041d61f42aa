using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Migrations.Sqlite.Schema
{
    /// <inheritdoc />
    public partial class RiskEngine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "KnownDevices",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    DeviceKey = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FirstSeenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastPlace = table.Column<string>(type: "TEXT", maxLength: 160, nullable: true),
                    SignIns = table.Column<int>(type: "INTEGER", nullable: false),
                    TrustedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    TrustedStamp = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KnownDevices", x => x.Id);
                    table.ForeignKey(
                        name: "FK_KnownDevices_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RiskFrequencies",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RiskFrequencies", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "RiskSignIns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    Asn = table.Column<long>(type: "INTEGER", nullable: true),
                    AsnOrganisation = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    NetworkKey = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    AddressKey = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    City = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    Latitude = table.Column<double>(type: "REAL", nullable: true),
                    Longitude = table.Column<double>(type: "REAL", nullable: true),
                    AccuracyKm = table.Column<int>(type: "INTEGER", nullable: true),
                    DeviceType = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Os = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Browser = table.Column<string>(type: "TEXT", maxLength: 48, nullable: true),
                    UserAgentKey = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    DeviceKey = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RiskSignIns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RiskSignIns_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_KnownDevices_UserId_DeviceKey",
                table: "KnownDevices",
                columns: new[] { "UserId", "DeviceKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RiskSignIns_UserId_At",
                table: "RiskSignIns",
                columns: new[] { "UserId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "KnownDevices");

            migrationBuilder.DropTable(
                name: "RiskFrequencies");

            migrationBuilder.DropTable(
                name: "RiskSignIns");
        }
    }
}

import Fluent

/// Range of motion measured by hand with a goniometer (in a visit in person, or read out in a
/// video visit), by the therapist.
struct M0021_CreateRomMeasurements: AsyncMigration {
    var name: String { "M0021_CreateRomMeasurements" }

    func prepare(on db: any Database) async throws {
        try await db.schema("rom_measurements")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("motion", .string, .required)
            .field("measured_on", .string, .required)
            .field("measurement", .string, .required)
            .field("recorded_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("recorded_at", .datetime, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("rom_measurements").delete()
    }
}

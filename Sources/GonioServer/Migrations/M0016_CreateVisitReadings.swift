import Fluent
import SQLKit

/// Movements measured in video visits (the virtual goniometer): one row per measurement, the
/// reading kept whole as JSON, with the patient, visit and exercise as columns to find them by.
struct M0016_CreateVisitReadings: AsyncMigration {
    var name: String { "M0016_CreateVisitReadings" }

    func prepare(on db: any Database) async throws {
        try await db.schema("visit_readings")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("visit_id", .uuid, .required, .references("visits", "id", onDelete: .cascade))
            .field("recorded_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("exercise", .string, .required)
            .field("reading", .string, .required)
            .field("recorded_at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_visit_readings_patient ON visit_readings (patient_id, recorded_at)").run()
        try await sql.raw("CREATE INDEX idx_visit_readings_visit ON visit_readings (visit_id)").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("visit_readings").delete()
    }
}

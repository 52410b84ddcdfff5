import Fluent
import SQLKit

/// Measures a therapist assigns to a patient, and each completed administration.
struct M0007_CreateOutcomeMeasures: AsyncMigration {
    var name: String { "M0007_CreateOutcomeMeasures" }

    func prepare(on db: any Database) async throws {
        try await db.schema("measure_assignments")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("code", .string, .required)
            .field("schedule", .string, .required)
            .field("interval_weeks", .int)
            .field("assigned_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("assigned_at", .datetime, .required)
            .field("ended_at", .datetime)
            .create()
        try await db.schema("measure_responses")
            .id()
            .field("assignment_id", .uuid, .required, .references("measure_assignments", "id", onDelete: .cascade))
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("code", .string, .required)
            .field("answers", .string, .required)
            .field("score", .double, .required)
            .field("answered", .int, .required)
            .field("interpretation", .string, .required)
            .field("completed_at", .datetime, .required)
            .field("completed_by", .uuid, .references("users", "id", onDelete: .setNull))
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_measure_assignments_patient ON measure_assignments (patient_id)").run()
        try await sql.raw("CREATE INDEX idx_measure_responses_assignment ON measure_responses (assignment_id, completed_at)").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("measure_responses").delete()
        try await db.schema("measure_assignments").delete()
    }
}

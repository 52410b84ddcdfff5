import Fluent
import SQLKit

/// Progress between visits: daily check-ins (one per patient and day), the progression
/// engine's suggestions (one pending per plan item, by a partial unique index) and alerts
/// (one per patient and finding key).
struct M0017_CreateProgress: AsyncMigration {
    var name: String { "M0017_CreateProgress" }

    func prepare(on db: any Database) async throws {
        try await db.schema("checkins")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("day", .string, .required)
            .field("morning_pain", .int, .required)
            .field("answers", .string, .required)
            .field("note", .string)
            .field("triage", .string, .required)
            .field("recorded_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("recorded_at", .datetime, .required)
            .unique(on: "patient_id", "day")
            .create()
        try await db.schema("progression_suggestions")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("plan_id", .uuid, .required, .references("plans", "id", onDelete: .cascade))
            .field("plan_version", .int, .required)
            .field("item_id", .string, .required)
            .field("exercise_id", .string, .required)
            .field("decision", .string, .required)
            .field("rule", .string, .required)
            .field("reasons", .string, .required)
            .field("dose_from", .string, .required)
            .field("dose_to", .string, .required)
            .field("variant", .string)
            .field("rules_version", .int, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("applied_version", .int)
            .create()
        try await db.schema("patient_alerts")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("key", .string, .required)
            .field("title", .string, .required)
            .field("detail", .string, .required)
            .field("link", .string, .required)
            .field("created_at", .datetime, .required)
            .field("acknowledged_at", .datetime)
            .field("acknowledged_by", .uuid, .references("users", "id", onDelete: .setNull))
            .unique(on: "patient_id", "key")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE UNIQUE INDEX uq_suggestions_pending ON progression_suggestions (plan_id, item_id) WHERE status = 'pending'").run()
        try await sql.raw("CREATE INDEX idx_suggestions_patient ON progression_suggestions (patient_id, status)").run()
        try await sql.raw("CREATE INDEX idx_patient_alerts_open ON patient_alerts (patient_id, acknowledged_at)").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("patient_alerts").delete()
        try await db.schema("progression_suggestions").delete()
        try await db.schema("checkins").delete()
    }
}

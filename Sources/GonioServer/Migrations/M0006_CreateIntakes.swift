import Fluent
import SQLKit

/// One intake per patient: the answers as JSON, the screen's outcome, and the therapist's decision.
struct M0006_CreateIntakes: AsyncMigration {
    var name: String { "M0006_CreateIntakes" }

    func prepare(on db: any Database) async throws {
        try await db.schema("intakes")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("data", .string, .required)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("submitted_at", .datetime)
            .field("submitted_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("triage_outcome", .string)
            .field("triage_reasons", .string)
            .field("decision", .string)
            .field("decision_reason", .string)
            .field("decided_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("decided_at", .datetime)
            .unique(on: "patient_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("intakes").delete()
    }
}

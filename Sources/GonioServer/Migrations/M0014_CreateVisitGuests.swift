import Fluent
import SQLKit

/// Guests of video visits (a caregiver or an interpreter the patient's side or the therapist
/// invited), and the visit a clinical note was written for.
/// - A guest is either a signed-in caregiver (`user_id`) or someone without an account who
///   holds a private link (`token_hash`, the keyed hash of the link's secret).
/// - One guest at a time per visit: a partial unique index on visits whose guest is not revoked.
struct M0014_CreateVisitGuests: AsyncMigration {
    var name: String { "M0014_CreateVisitGuests" }

    func prepare(on db: any Database) async throws {
        try await db.schema("visit_guests")
            .id()
            .field("visit_id", .uuid, .required, .references("visits", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("user_id", .uuid, .references("users", "id", onDelete: .cascade))
            .field("token_hash", .string)
            .field("invited_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await db.schema("clinical_notes")
            .field("visit_id", .uuid, .references("visits", "id", onDelete: .setNull))
            .update()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE UNIQUE INDEX uq_visit_guests_active ON visit_guests (visit_id) WHERE revoked_at IS NULL").run()
        try await sql.raw("CREATE INDEX idx_clinical_notes_visit ON clinical_notes (visit_id)").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("clinical_notes").deleteField("visit_id").update()
        try await db.schema("visit_guests").delete()
    }
}

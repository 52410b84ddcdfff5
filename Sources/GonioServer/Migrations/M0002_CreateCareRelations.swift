import Fluent
import SQLKit

/// Care teams and caregiver delegations.
struct M0002_CreateCareRelations: AsyncMigration {
    var name: String { "M0002_CreateCareRelations" }

    func prepare(on db: any Database) async throws {
        try await db.schema("care_team_members")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("therapist_id", .uuid, .required, .references("therapists", "id", onDelete: .cascade))
            .field("added_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .unique(on: "patient_id", "therapist_id")
            .create()
        try await db.schema("caregiver_links")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("caregiver_user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("scopes", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_care_team_therapist ON care_team_members (therapist_id)").run()
        try await sql.raw("CREATE INDEX idx_caregiver_links_caregiver ON caregiver_links (caregiver_user_id)").run()
        try await sql.raw("CREATE INDEX idx_caregiver_links_patient ON caregiver_links (patient_id)").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("caregiver_links").delete()
        try await db.schema("care_team_members").delete()
    }
}

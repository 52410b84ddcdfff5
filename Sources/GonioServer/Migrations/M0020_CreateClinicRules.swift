import Fluent

/// A clinic's own progression rules (thresholds and steps), when it has changed the defaults.
/// Each save is a new version; the suggestions record the version they came from.
struct M0020_CreateClinicRules: AsyncMigration {
    var name: String { "M0020_CreateClinicRules" }

    func prepare(on db: any Database) async throws {
        try await db.schema("clinic_progression_rules")
            .id()
            .field("clinic_id", .uuid, .required, .references("clinics", "id", onDelete: .cascade))
            .field("rules", .string, .required)
            .field("version", .int, .required)
            .field("updated_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("updated_at", .datetime, .required)
            .unique(on: "clinic_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("clinic_progression_rules").delete()
    }
}

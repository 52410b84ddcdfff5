import Fluent
import SQLKit

/// Clinics, users, memberships, patients and therapists with their credentials.
struct M0001_CreateAccounts: AsyncMigration {
    var name: String { "M0001_CreateAccounts" }

    func prepare(on db: any Database) async throws {
        try await db.schema("clinics")
            .id()
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("users")
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("role", .string, .required)
            .field("password_hash", .string, .required)
            .field("created_at", .datetime)
            .field("password_changed_at", .datetime)
            .unique(on: "email")
            .create()
        try await db.schema("clinic_memberships")
            .id()
            .field("clinic_id", .uuid, .required, .references("clinics", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "clinic_id", "user_id")
            .create()
        try await db.schema("patients")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .restrict))
            .field("clinic_id", .uuid, .required, .references("clinics", "id", onDelete: .restrict))
            .field("date_of_birth", .string)
            .field("location", .string)
            .field("created_at", .datetime)
            .unique(on: "user_id")
            .create()
        try await db.schema("therapists")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .restrict))
            .field("verification", .string, .required)
            .field("decision_reason", .string)
            .field("decided_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("decided_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "user_id")
            .create()
        try await db.schema("licenses")
            .id()
            .field("therapist_id", .uuid, .required, .references("therapists", "id", onDelete: .cascade))
            .field("number", .string, .required)
            .field("type", .string, .required)
            .field("jurisdiction", .string, .required)
            .field("expires_on", .string, .required)
            .field("is_home_state", .bool, .required)
            .unique(on: "therapist_id", "jurisdiction")
            .create()
        try await db.schema("compact_privileges")
            .id()
            .field("therapist_id", .uuid, .required, .references("therapists", "id", onDelete: .cascade))
            .field("jurisdiction", .string, .required)
            .field("expires_on", .string, .required)
            .unique(on: "therapist_id", "jurisdiction")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_clinic_memberships_user ON clinic_memberships (user_id)").run()
        try await sql.raw("CREATE INDEX idx_patients_clinic ON patients (clinic_id)").run()
    }

    func revert(on db: any Database) async throws {
        for table in ["compact_privileges", "licenses", "therapists", "patients", "clinic_memberships", "users", "clinics"] {
            try await db.schema(table).delete()
        }
    }
}

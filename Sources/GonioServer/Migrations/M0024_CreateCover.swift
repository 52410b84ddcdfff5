import Fluent

/// A patient's sliding-scale application and the clinic's decision, and their enrolments in a
/// package or subscription (which visits they cover).
struct M0024_CreateCover: AsyncMigration {
    var name: String { "M0024_CreateCover" }

    func prepare(on db: any Database) async throws {
        try await db.schema("sliding_scale")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("application", .string, .required)
            .field("discount_percent", .int, .required)
            .field("decided_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("decided_at", .datetime)
            .field("updated_at", .datetime, .required)
            .unique(on: "patient_id")
            .create()
        try await db.schema("enrollments")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("item_id", .string, .required)
            .field("name", .string, .required)
            .field("visits", .int, .required)
            .field("starts_on", .string, .required)
            .field("ends_on", .string, .required)
            .field("invoice_id", .uuid, .references("invoices", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("enrollments").delete()
        try await db.schema("sliding_scale").delete()
    }
}

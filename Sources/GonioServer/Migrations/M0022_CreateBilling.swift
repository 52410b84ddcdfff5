import Fluent

/// Invoices with their lines, payments and refunds against them (a provider's event id at most
/// once), insurance coverage (primary and secondary), and the therapist's remote-monitoring
/// time log (append-only evidence).
struct M0022_CreateBilling: AsyncMigration {
    var name: String { "M0022_CreateBilling" }

    func prepare(on db: any Database) async throws {
        try await db.schema("invoices")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("clinic_id", .uuid, .required, .references("clinics", "id", onDelete: .cascade))
            .field("number", .string, .required)
            .field("description", .string, .required)
            .field("status", .string, .required)
            .field("issued_on", .string, .required)
            .field("due_on", .string, .required)
            .field("currency", .string, .required)
            .field("total_minor", .int64, .required)
            .field("paid_minor", .int64, .required)
            .field("lines", .string, .required)
            .field("visit_id", .uuid, .references("visits", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .unique(on: "clinic_id", "number")
            .create()
        try await db.schema("payments")
            .id()
            .field("invoice_id", .uuid, .required, .references("invoices", "id", onDelete: .cascade))
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("amount_minor", .int64, .required)
            .field("method", .string, .required)
            .field("reference", .string)
            .field("provider_event_id", .string)
            .field("recorded_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("recorded_at", .datetime, .required)
            .unique(on: "provider_event_id")
            .create()
        try await db.schema("coverages")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("rank", .string, .required)
            .field("coverage", .string, .required)
            .field("updated_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("updated_at", .datetime, .required)
            .unique(on: "patient_id", "rank")
            .create()
        try await db.schema("rtm_time")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("day", .string, .required)
            .field("minutes", .int, .required)
            .field("interactive", .bool, .required)
            .field("activity", .string, .required)
            .field("recorded_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("recorded_at", .datetime, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        for table in ["rtm_time", "coverages", "payments", "invoices"] { try await db.schema(table).delete() }
    }
}

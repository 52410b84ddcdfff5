import Fluent

/// A payment plan on an invoice: its instalments, and what had been paid when it was made.
struct M0025_CreatePaymentPlans: AsyncMigration {
    var name: String { "M0025_CreatePaymentPlans" }

    func prepare(on db: any Database) async throws {
        try await db.schema("payment_plans")
            .id()
            .field("invoice_id", .uuid, .required, .references("invoices", "id", onDelete: .cascade))
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("instalments", .string, .required)
            .field("paid_before_minor", .int64, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .unique(on: "invoice_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("payment_plans").delete()
    }
}

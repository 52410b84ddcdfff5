import Fluent

/// A clinic's prices and billing NPI (one versioned record per clinic), the therapist's NPI,
/// and each visit's coding (CPT codes with minutes and ICD-10-CM diagnoses) as the therapist
/// wrote it; the claim is built from it when asked, with the coverage then on file.
struct M0023_CreateCoding: AsyncMigration {
    var name: String { "M0023_CreateCoding" }

    func prepare(on db: any Database) async throws {
        try await db.schema("clinic_billing")
            .id()
            .field("clinic_id", .uuid, .required, .references("clinics", "id", onDelete: .cascade))
            .field("prices", .string, .required)
            .field("npi", .string)
            .field("version", .int, .required)
            .field("updated_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("updated_at", .datetime, .required)
            .unique(on: "clinic_id")
            .create()
        try await db.schema("therapists").field("npi", .string).update()
        try await db.schema("visit_codings")
            .id()
            .field("visit_id", .uuid, .required, .references("visits", "id", onDelete: .cascade))
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("input", .string, .required)
            .field("coded_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("coded_at", .datetime, .required)
            .unique(on: "visit_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("visit_codings").delete()
        try await db.schema("therapists").deleteField("npi").update()
        try await db.schema("clinic_billing").delete()
    }
}

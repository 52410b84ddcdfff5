import Fluent

/// When the patient's side first read each condition article.
struct M0019_CreateArticleReads: AsyncMigration {
    var name: String { "M0019_CreateArticleReads" }

    func prepare(on db: any Database) async throws {
        try await db.schema("article_reads")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("article_id", .string, .required)
            .field("read_at", .datetime, .required)
            .field("read_by", .uuid, .references("users", "id", onDelete: .setNull))
            .unique(on: "patient_id", "article_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("article_reads").delete()
    }
}

import Fluent
import SQLKit

/// Secure messaging: conversations per patient, their messages (a photo kept with its message,
/// at most 5 MB), and when each person last read each conversation.
struct M0018_CreateMessages: AsyncMigration {
    var name: String { "M0018_CreateMessages" }

    func prepare(on db: any Database) async throws {
        try await db.schema("message_threads")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("subject", .string, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("last_message_at", .datetime, .required)
            .create()
        try await db.schema("messages")
            .id()
            .field("thread_id", .uuid, .required, .references("message_threads", "id", onDelete: .cascade))
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("sender_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("sender_name", .string, .required)
            .field("sender_role", .string, .required)
            .field("body", .string, .required)
            .field("ref_kind", .string)
            .field("ref_id", .string)
            .field("attachment_type", .string)
            .field("attachment", .data)
            .field("created_at", .datetime, .required)
            .create()
        try await db.schema("message_reads")
            .id()
            .field("thread_id", .uuid, .required, .references("message_threads", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("read_at", .datetime, .required)
            .unique(on: "thread_id", "user_id")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_message_threads_patient ON message_threads (patient_id, last_message_at)").run()
        try await sql.raw("CREATE INDEX idx_messages_thread ON messages (thread_id, created_at)").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("message_reads").delete()
        try await db.schema("messages").delete()
        try await db.schema("message_threads").delete()
    }
}

import Fluent
import SQLKit

/// The job queue (reminders and other work done later, surviving restarts), what was sent by
/// email (the outbox), in-app notifications, and each person's reminder settings with their
/// private calendar feed.
/// - A job with a key is queued once (a partial unique index on pending and running jobs).
struct M0013_CreateJobsAndNotifications: AsyncMigration {
    var name: String { "M0013_CreateJobsAndNotifications" }

    func prepare(on db: any Database) async throws {
        try await db.schema("jobs")
            .id()
            .field("kind", .string, .required)
            .field("key", .string)
            .field("payload", .string, .required)
            .field("run_at", .datetime, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("last_error", .string)
            .field("locked_at", .datetime)
            .field("locked_by", .string)
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .create()
        try await db.schema("outbox_messages")
            .id()
            .field("user_id", .uuid, .references("users", "id", onDelete: .cascade))
            .field("to_address", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("has_calendar", .bool, .required)
            .field("status", .string, .required)
            .field("error", .string)
            .field("created_at", .datetime, .required)
            .create()
        try await db.schema("notifications")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("link", .string)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
        try await db.schema("user_settings")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("email_reminders", .bool, .required)
            .field("practice_reminder_at", .string)
            .field("quiet_start", .string, .required)
            .field("quiet_end", .string, .required)
            .field("calendar_token_hash", .string)
            .field("updated_at", .datetime, .required)
            .unique(on: "user_id")
            .unique(on: "calendar_token_hash")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_jobs_due ON jobs (status, run_at)").run()
        try await sql.raw("CREATE UNIQUE INDEX uq_jobs_key ON jobs (key) WHERE status IN ('pending', 'running')").run()
        try await sql.raw("CREATE INDEX idx_notifications_user ON notifications (user_id, created_at)").run()
        try await sql.raw("CREATE INDEX idx_outbox_created ON outbox_messages (created_at)").run()
    }

    func revert(on db: any Database) async throws {
        for table in ["user_settings", "notifications", "outbox_messages", "jobs"] { try await db.schema(table).delete() }
    }
}

import Fluent
import SQLKit

/// Sign-in sessions (cookie and bearer) and the record of sign-in attempts for throttling.
struct M0003_CreateSessions: AsyncMigration {
    var name: String { "M0003_CreateSessions" }

    func prepare(on db: any Database) async throws {
        try await db.schema("sessions")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("kind", .string, .required)
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await db.schema("login_attempts")
            .id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("at", .datetime, .required)
            .field("succeeded", .bool, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_sessions_user ON sessions (user_id)").run()
        try await sql.raw("CREATE INDEX idx_login_attempts_email ON login_attempts (email, at)").run()
        try await sql.raw("CREATE INDEX idx_login_attempts_address ON login_attempts (address, at)").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("login_attempts").delete()
        try await db.schema("sessions").delete()
    }
}

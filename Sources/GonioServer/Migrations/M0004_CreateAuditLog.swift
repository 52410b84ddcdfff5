import Fluent
import SQLKit

/// The append-only audit log (HIPAA 45 CFR 164.312(b), CLINICAL.md §7). Database triggers
/// refuse UPDATE and DELETE, so not even a bug in Gonio can rewrite history.
struct M0004_CreateAuditLog: AsyncMigration {
    var name: String { "M0004_CreateAuditLog" }

    func prepare(on db: any Database) async throws {
        try await db.schema("audit_entries")
            .id()
            .field("at", .datetime, .required)
            .field("actor_user_id", .uuid)
            .field("actor_role", .string, .required)
            .field("action", .string, .required)
            .field("patient_id", .uuid)
            .field("clinic_id", .uuid)
            .field("resource", .string, .required)
            .field("client_address", .string, .required)
            .field("outcome", .string, .required)
            .field("reason", .string)
            .field("request_id", .string)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_audit_patient_at ON audit_entries (patient_id, at)").run()
        try await sql.raw("CREATE INDEX idx_audit_clinic_at ON audit_entries (clinic_id, at)").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END; $$ LANGUAGE plpgsql
                """).run()
            try await sql.raw("""
                CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
                FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
                """).run()
        } else {
            for op in ["UPDATE", "DELETE"] {
                try await sql.raw("""
                    CREATE TRIGGER audit_entries_no_\(unsafeRaw: op.lowercased()) BEFORE \(unsafeRaw: op) ON audit_entries
                    BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END
                    """).run()
            }
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_entries_no_change ON audit_entries").run()
            try await sql.raw("DROP FUNCTION IF EXISTS audit_entries_append_only()").run()
        }
        try await db.schema("audit_entries").delete()
    }
}

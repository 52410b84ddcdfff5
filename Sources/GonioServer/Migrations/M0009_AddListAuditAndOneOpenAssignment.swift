import Fluent
import SQLKit

/// Lists that scale and races the database settles:
/// - `audit_entry_patients`: a list view writes one audit entry naming every patient it showed
///   (one row each here), append-only like the log itself;
/// - at most one open assignment of a measure on one schedule per patient (concurrent
///   assignments made duplicates); existing duplicates are closed first, keeping the earliest;
/// - an index on users' names, which patient lists are sorted and searched by.
struct M0009_AddListAuditAndOneOpenAssignment: AsyncMigration {
    var name: String { "M0009_AddListAuditAndOneOpenAssignment" }

    func prepare(on db: any Database) async throws {
        try await db.schema("audit_entry_patients")
            .id()
            .field("entry_id", .uuid, .required, .references("audit_entries", "id", onDelete: .restrict))
            .field("patient_id", .uuid, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_audit_entry_patients_patient ON audit_entry_patients (patient_id, entry_id)").run()
        try await sql.raw("CREATE INDEX idx_audit_entry_patients_entry ON audit_entry_patients (entry_id)").run()
        if sql.dialect.name == "postgresql" {
            // The function M0004 made refuses every change.
            try await sql.raw("""
                CREATE TRIGGER audit_entry_patients_no_change BEFORE UPDATE OR DELETE ON audit_entry_patients
                FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
                """).run()
        } else {
            for op in ["UPDATE", "DELETE"] {
                try await sql.raw("""
                    CREATE TRIGGER audit_entry_patients_no_\(unsafeRaw: op.lowercased()) BEFORE \(unsafeRaw: op) ON audit_entry_patients
                    BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END
                    """).run()
            }
        }
        try await sql.raw("""
            UPDATE measure_assignments SET ended_at = assigned_at
            WHERE ended_at IS NULL AND EXISTS (
                SELECT 1 FROM measure_assignments earlier
                WHERE earlier.patient_id = measure_assignments.patient_id AND earlier.code = measure_assignments.code
                  AND earlier.schedule = measure_assignments.schedule AND earlier.ended_at IS NULL
                  AND (earlier.assigned_at < measure_assignments.assigned_at
                       OR (earlier.assigned_at = measure_assignments.assigned_at
                           AND CAST(earlier.id AS TEXT) < CAST(measure_assignments.id AS TEXT))))
            """).run()
        try await sql.raw("""
            CREATE UNIQUE INDEX uq_measure_assignments_open ON measure_assignments (patient_id, code, schedule)
            WHERE ended_at IS NULL
            """).run()
        try await sql.raw("CREATE INDEX idx_users_name ON users (name)").run()
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("DROP INDEX idx_users_name").run()
        try await sql.raw("DROP INDEX uq_measure_assignments_open").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_entry_patients_no_change ON audit_entry_patients").run()
        }
        try await db.schema("audit_entry_patients").delete()
    }
}

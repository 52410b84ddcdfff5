import Fluent
import SQLKit

/// Lets the database settle races that a check-then-insert cannot: at most one open caregiver
/// link per patient and caregiver, and one clinic per name. Partial indexes work on both
/// SQLite and PostgreSQL.
struct M0005_AddUniqueOpenLinksAndClinicNames: AsyncMigration {
    var name: String { "M0005_AddUniqueOpenLinksAndClinicNames" }

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("""
            CREATE UNIQUE INDEX uq_caregiver_links_open ON caregiver_links (patient_id, caregiver_user_id)
            WHERE revoked_at IS NULL
            """).run()
        try await sql.raw("CREATE UNIQUE INDEX uq_clinics_name ON clinics (name)").run()
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("DROP INDEX uq_clinics_name").run()
        try await sql.raw("DROP INDEX uq_caregiver_links_open").run()
    }
}

import Fluent
import SQLKit

/// Clinical notes and their addenda. Triggers make a signed note immutable and addenda
/// append-only (HIPAA 45 CFR 164.312(c)(1) integrity; CLINICAL.md §7: "signed clinical notes").
struct M0008_CreateClinicalNotes: AsyncMigration {
    var name: String { "M0008_CreateClinicalNotes" }

    func prepare(on db: any Database) async throws {
        try await db.schema("clinical_notes")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .restrict))
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("body", .string, .required)
            .field("author_id", .uuid, .required, .references("users", "id", onDelete: .restrict))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("signed_at", .datetime)
            .create()
        try await db.schema("note_addenda")
            .id()
            .field("note_id", .uuid, .required, .references("clinical_notes", "id", onDelete: .restrict))
            .field("text", .string, .required)
            .field("author_id", .uuid, .required, .references("users", "id", onDelete: .restrict))
            .field("created_at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_clinical_notes_patient ON clinical_notes (patient_id, created_at)").run()
        try await sql.raw("CREATE INDEX idx_note_addenda_note ON note_addenda (note_id)").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE FUNCTION clinical_notes_signed_immutable() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'a signed note cannot change; add an addendum'; END; $$ LANGUAGE plpgsql
                """).run()
            try await sql.raw("""
                CREATE TRIGGER clinical_notes_signed_no_change BEFORE UPDATE OR DELETE ON clinical_notes
                FOR EACH ROW WHEN (OLD.status = 'signed') EXECUTE FUNCTION clinical_notes_signed_immutable()
                """).run()
            try await sql.raw("""
                CREATE TRIGGER note_addenda_no_change BEFORE UPDATE OR DELETE ON note_addenda
                FOR EACH ROW EXECUTE FUNCTION clinical_notes_signed_immutable()
                """).run()
        } else {
            for op in ["UPDATE", "DELETE"] {
                try await sql.raw("""
                    CREATE TRIGGER clinical_notes_signed_no_\(unsafeRaw: op.lowercased()) BEFORE \(unsafeRaw: op) ON clinical_notes
                    WHEN OLD.status = 'signed'
                    BEGIN SELECT RAISE(ABORT, 'a signed note cannot change; add an addendum'); END
                    """).run()
                try await sql.raw("""
                    CREATE TRIGGER note_addenda_no_\(unsafeRaw: op.lowercased()) BEFORE \(unsafeRaw: op) ON note_addenda
                    BEGIN SELECT RAISE(ABORT, 'addenda are append-only'); END
                    """).run()
            }
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP TRIGGER IF EXISTS note_addenda_no_change ON note_addenda").run()
            try await sql.raw("DROP TRIGGER IF EXISTS clinical_notes_signed_no_change ON clinical_notes").run()
            try await sql.raw("DROP FUNCTION IF EXISTS clinical_notes_signed_immutable()").run()
        }
        try await db.schema("note_addenda").delete()
        try await db.schema("clinical_notes").delete()
    }
}

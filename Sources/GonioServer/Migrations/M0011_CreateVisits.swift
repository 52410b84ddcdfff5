import Fluent
import SQLKit

/// Therapists' schedules and the visits booked in them.
/// - A therapist's visits that hold time (booked or completed) never overlap: a trigger refuses
///   the row on both databases. On PostgreSQL the trigger first takes a lock on the therapist
///   for the rest of the transaction, so two bookings racing for one time are checked one after
///   the other even when they come from different connections or app instances.
struct M0011_CreateVisits: AsyncMigration {
    var name: String { "M0011_CreateVisits" }

    func prepare(on db: any Database) async throws {
        try await db.schema("therapist_schedules")
            .id()
            .field("therapist_id", .uuid, .required, .references("therapists", "id", onDelete: .cascade))
            .field("body", .string, .required)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .uuid, .references("users", "id", onDelete: .setNull))
            .unique(on: "therapist_id")
            .create()

        try await db.schema("visits")
            .id()
            .field("therapist_id", .uuid, .required, .references("therapists", "id", onDelete: .cascade))
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("clinic_id", .uuid, .required, .references("clinics", "id", onDelete: .cascade))
            .field("visit_type", .string, .required)
            .field("visit_type_name", .string, .required)
            .field("modality", .string, .required)
            .field("start_at", .datetime, .required)
            .field("end_at", .datetime, .required)
            .field("status", .string, .required)
            .field("patient_region", .string)
            .field("location", .string)
            .field("series_id", .uuid)
            .field("sequence", .int, .required)
            .field("booked_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("cancelled_at", .datetime)
            .field("cancelled_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("cancel_reason", .string)
            .field("late_fee_cents", .int, .required)
            .field("attended_minutes", .int)
            .create()

        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_visits_therapist_start ON visits (therapist_id, start_at)").run()
        try await sql.raw("CREATE INDEX idx_visits_patient_start ON visits (patient_id, start_at)").run()
        let overlapping = """
            SELECT 1 FROM visits v WHERE v.therapist_id = NEW.therapist_id AND v.id <> NEW.id
              AND v.status IN ('booked', 'completed') AND v.start_at < NEW.end_at AND NEW.start_at < v.end_at
            """
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE FUNCTION visits_no_overlap() RETURNS trigger AS $$
                BEGIN
                  IF NEW.status IN ('booked', 'completed') THEN
                    PERFORM pg_advisory_xact_lock(hashtext('visits:' || NEW.therapist_id::text));
                    IF EXISTS (\(unsafeRaw: overlapping)) THEN
                      RAISE EXCEPTION 'visit-overlap';
                    END IF;
                  END IF;
                  RETURN NEW;
                END; $$ LANGUAGE plpgsql
                """).run()
            try await sql.raw("""
                CREATE TRIGGER visits_no_overlap BEFORE INSERT OR UPDATE OF start_at, end_at, status, therapist_id ON visits
                FOR EACH ROW EXECUTE FUNCTION visits_no_overlap()
                """).run()
        } else {
            for (name, event) in [("insert", "INSERT"), ("update", "UPDATE OF start_at, end_at, status, therapist_id")] {
                try await sql.raw("""
                    CREATE TRIGGER visits_no_overlap_\(unsafeRaw: name) BEFORE \(unsafeRaw: event) ON visits
                    WHEN NEW.status IN ('booked', 'completed') AND EXISTS (\(unsafeRaw: overlapping))
                    BEGIN SELECT RAISE(ABORT, 'visit-overlap'); END
                    """).run()
            }
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await db.schema("visits").delete()
        try await db.schema("therapist_schedules").delete()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP FUNCTION IF EXISTS visits_no_overlap()").run()
        }
    }
}

import Fluent
import SQLKit

/// Exercises clinics write, media they attach, plans of care with their versions, practice
/// logs and the alerts they raise, and each patient's time zone (their practice days are
/// counted in it).
/// - A patient has at most one active plan (a partial unique index).
/// - A plan version and a practice log never change once written (triggers refuse updates).
/// - A practice log's id is the one its client made: a retry cannot store it twice.
struct M0010_CreatePlansAndPractice: AsyncMigration {
    var name: String { "M0010_CreatePlansAndPractice" }

    func prepare(on db: any Database) async throws {
        try await db.schema("patients").field("time_zone", .string).update()

        try await db.schema("clinic_exercises")
            .id()
            .field("clinic_id", .uuid, .required, .references("clinics", "id", onDelete: .cascade))
            .field("exercise_id", .string, .required)
            .field("based_on", .string)
            .field("name", .string, .required)
            .field("body", .string, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("archived_at", .datetime)
            .unique(on: "exercise_id")
            .create()
        try await db.schema("exercise_media")
            .id()
            .field("clinic_id", .uuid, .required, .references("clinics", "id", onDelete: .cascade))
            .field("exercise_id", .string, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("content_type", .string)
            .field("byte_count", .int)
            .field("url", .string)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .create()

        try await db.schema("plans")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("version", .int, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("ended_at", .datetime)
            .field("ended_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("end_reason", .string)
            .create()
        try await db.schema("plan_versions")
            .id()
            .field("plan_id", .uuid, .required, .references("plans", "id", onDelete: .cascade))
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("version", .int, .required)
            .field("content", .string, .required)
            .field("reason", .string, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("effective_day", .string, .required)
            .unique(on: "plan_id", "version")
            .create()

        try await db.schema("practice_logs")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("plan_id", .uuid, .required, .references("plans", "id", onDelete: .cascade))
            .field("plan_version", .int, .required)
            .field("item_id", .string, .required)
            .field("exercise_id", .string, .required)
            .field("day", .string, .required)
            .field("performed_at", .datetime, .required)
            .field("recorded_at", .datetime, .required)
            .field("recorded_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("outcome", .string, .required)
            .field("sets_done", .int, .required)
            .field("reps_done", .int, .required)
            .field("pain_before", .int)
            .field("pain_during", .int)
            .field("pain_after", .int)
            .field("effort", .int)
            .field("feeling", .string)
            .field("note", .string)
            .create()
        try await db.schema("practice_alerts")
            .id()
            .field("patient_id", .uuid, .required, .references("patients", "id", onDelete: .cascade))
            .field("log_id", .uuid, .required, .references("practice_logs", "id", onDelete: .cascade))
            .field("exercise_id", .string, .required)
            .field("pain", .int, .required)
            .field("created_at", .datetime, .required)
            .field("acknowledged_at", .datetime)
            .field("acknowledged_by", .uuid, .references("users", "id", onDelete: .setNull))
            .unique(on: "log_id")
            .create()

        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX idx_clinic_exercises_clinic ON clinic_exercises (clinic_id, name)").run()
        try await sql.raw("CREATE INDEX idx_exercise_media_exercise ON exercise_media (exercise_id, clinic_id)").run()
        try await sql.raw("CREATE UNIQUE INDEX uq_plans_active ON plans (patient_id) WHERE status = 'active'").run()
        try await sql.raw("CREATE INDEX idx_plans_patient ON plans (patient_id, created_at)").run()
        try await sql.raw("CREATE INDEX idx_practice_logs_patient_day ON practice_logs (patient_id, day)").run()
        try await sql.raw("CREATE INDEX idx_practice_logs_patient_performed ON practice_logs (patient_id, performed_at)").run()
        try await sql.raw("CREATE INDEX idx_practice_alerts_open ON practice_alerts (patient_id, acknowledged_at)").run()
        for table in ["plan_versions", "practice_logs"] {
            if sql.dialect.name == "postgresql" {
                try await sql.raw("""
                    CREATE FUNCTION \(unsafeRaw: table)_unchanging() RETURNS trigger AS $$
                    BEGIN RAISE EXCEPTION '\(unsafeRaw: table) rows never change'; END; $$ LANGUAGE plpgsql
                    """).run()
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: table)_no_update BEFORE UPDATE ON \(unsafeRaw: table)
                    FOR EACH ROW EXECUTE FUNCTION \(unsafeRaw: table)_unchanging()
                    """).run()
            } else {
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: table)_no_update BEFORE UPDATE ON \(unsafeRaw: table)
                    BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: table) rows never change'); END
                    """).run()
            }
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for table in ["practice_alerts", "practice_logs", "plan_versions", "plans", "exercise_media", "clinic_exercises"] {
            try await db.schema(table).delete()
        }
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP FUNCTION IF EXISTS plan_versions_unchanging()").run()
            try await sql.raw("DROP FUNCTION IF EXISTS practice_logs_unchanging()").run()
        }
        try await db.schema("patients").deleteField("time_zone").update()
    }
}

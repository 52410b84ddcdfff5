import Fluent
import SQLKit

/// A subscription runs as consecutive 30-day periods, one enrolment row and one invoice each:
/// the day it was ended (no period after the current one), and at most one period of an item
/// starting on a day for a patient, so a renewal run twice makes one period.
struct M0026_AddSubscriptionPeriods: AsyncMigration {
    var name: String { "M0026_AddSubscriptionPeriods" }

    func prepare(on db: any Database) async throws {
        try await db.schema("enrollments")
            .field("cancelled_on", .string)
            .update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("CREATE UNIQUE INDEX idx_enrollments_period ON enrollments (patient_id, item_id, starts_on)").run()
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase { try await sql.raw("DROP INDEX idx_enrollments_period").run() }
        try await db.schema("enrollments").deleteField("cancelled_on").update()
    }
}

import Fluent
import SQLKit

/// What motion tracking counted during an exercise, kept with its practice log, and whether the
/// patient fell short of the prescription with hard effort.
struct M0015_AddPracticeMotion: AsyncMigration {
    var name: String { "M0015_AddPracticeMotion" }

    func prepare(on db: any Database) async throws {
        try await db.schema("practice_logs")
            .field("motion", .string)
            .update()
        try await db.schema("practice_logs")
            .field("fell_short", .bool, .required, .sql(.default(false)))
            .update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("practice_logs").deleteField("fell_short").update()
        try await db.schema("practice_logs").deleteField("motion").update()
    }
}

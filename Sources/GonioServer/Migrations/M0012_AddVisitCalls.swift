import Fluent

/// When a video visit's call began (the host let the first person in) and when the host ended
/// it: the call's length is the visit's time for billing.
struct M0012_AddVisitCalls: AsyncMigration {
    var name: String { "M0012_AddVisitCalls" }

    func prepare(on db: any Database) async throws {
        try await db.schema("visits").field("call_started_at", .datetime).update()
        try await db.schema("visits").field("call_ended_at", .datetime).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("visits").deleteField("call_ended_at").update()
        try await db.schema("visits").deleteField("call_started_at").update()
    }
}

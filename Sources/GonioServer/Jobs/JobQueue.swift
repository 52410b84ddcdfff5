import Vapor
import Fluent
import SQLKit
import GonioCore

/// The persisted job queue. A job is written in the same transaction as the change that asks
/// for it (a booking and its reminders land together), so nothing is lost in a restart. Workers
/// claim due jobs: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several app instances share
/// the queue without taking the same job; on SQLite the immediate transaction does the same.
struct JobQueue {
    let ctx: CallContext

    /// A job that has been running this long is taken to belong to a worker that died.
    static let staleAfter: TimeInterval = 10 * 60
    static let maxAttempts = 5

    /// Queues a job. With a `key`, a second job with the same key is not queued while the first
    /// is pending or running.
    func enqueue<Payload: Encodable>(_ kind: String, key: String?, at runAt: Date, _ payload: Payload) async throws {
        guard let sql = ctx.db as? any SQLDatabase else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(payload), as: UTF8.self)
        try await sql.insert(into: JobModel.schema)
            .columns("id", "kind", "key", "payload", "run_at", "status", "attempts", "created_at")
            .values(SQLBind(UUID()), SQLBind(kind), SQLBind(key), SQLBind(text), SQLBind(runAt), SQLBind(JobModel.Status.pending.rawValue),
                    SQLBind(0), SQLBind(ctx.now))
            .ignoringConflicts()
            .run()
    }

    /// Takes up to `limit` due jobs for `worker`, marking them running.
    func claim(limit: Int, worker: String) async throws -> [JobModel] {
        try await ctx.transaction { tx in
            guard let sql = tx.db as? any SQLDatabase else { return [] }
            let now = tx.now
            let stale = now.addingTimeInterval(-Self.staleAfter)
            let lock: SQLQueryString = tx.config.database.isSQLite ? "" : " FOR UPDATE SKIP LOCKED"
            let rows = try await sql.raw("""
                SELECT id FROM jobs WHERE (status = 'pending' AND run_at <= \(bind: now)) OR (status = 'running' AND locked_at < \(bind: stale))
                ORDER BY run_at LIMIT \(bind: limit)\(lock)
                """).all()
            let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
            guard !ids.isEmpty else { return [] }
            let jobs = try await JobModel.query(on: tx.db).filter(\.$id ~~ ids).all()
            for job in jobs {
                job.status = .running
                job.lockedAt = now
                job.lockedBy = worker
                job.attempts += 1
                try await job.update(on: tx.db)
            }
            return jobs.sorted { $0.runAt < $1.runAt }
        }
    }

    func finish(_ job: JobModel) async throws {
        job.status = .done
        job.finishedAt = ctx.now
        job.lockedAt = nil
        try await job.update(on: ctx.db)
    }

    /// A failed attempt: tried again after 1, 4, 9, 16 minutes, then given up and kept for reading.
    func fail(_ job: JobModel, _ error: any Error) async throws {
        job.lastError = String(String(describing: error).prefix(500))
        job.lockedAt = nil
        if job.attempts >= Self.maxAttempts {
            job.status = .failed
            job.finishedAt = ctx.now
        } else {
            job.status = .pending
            job.runAt = ctx.now.addingTimeInterval(TimeInterval(job.attempts * job.attempts * 60))
        }
        try await job.update(on: ctx.db)
    }
}

import Vapor
import GonioCore

/// Runs due jobs: every few seconds while `gonio serve` runs, or once on demand (tests, the
/// `gonio jobs` command). Each job is done as Gonio itself (`systemContext`), so the gate lets
/// it do only what unattended work may do, and the audit log names the job.
enum JobRunner {
    /// Runs the jobs due now; returns how many were done (failed ones count too).
    @discardableResult
    static func runDue(_ app: Application, worker: String = "worker-\(ProcessInfo.processInfo.processIdentifier)", limit: Int = 50) async throws -> Int {
        let ctx = app.systemContext("jobs")
        let queue = JobQueue(ctx: ctx)
        let jobs = try await queue.claim(limit: limit, worker: worker)
        for job in jobs {
            let jobCtx = app.systemContext(job.kind)
            do {
                try await ReminderService(ctx: jobCtx).perform(job)
                try await queue.finish(job)
            } catch {
                jobCtx.logger.warning("job failed", metadata: ["job-id": .string(job.id?.uuidString ?? ""), "kind": .string(job.kind),
                                                                "attempt": .stringConvertible(job.attempts)])
                try await queue.fail(job, error)
            }
        }
        return jobs.count
    }
}

/// The background loop of `gonio serve` (GONIO_JOBS=off turns it off, e.g. on app instances
/// that only serve requests).
final class JobWorker: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?

    func didBootAsync(_ app: Application) async throws {
        let interval = app.gonioConfig.jobsPollSeconds
        task = Task {
            while !Task.isCancelled {
                do {
                    // Keep going while a batch was full; otherwise wait for the next round.
                    while try await JobRunner.runDue(app) == 50, !Task.isCancelled {}
                } catch {
                    app.logger.warning("the job worker could not read the queue: \(String(describing: error).prefix(200))")
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        task?.cancel()
        await task?.value
    }
}

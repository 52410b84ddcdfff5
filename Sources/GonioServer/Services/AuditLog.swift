import Vapor
import Fluent
import GonioCore

/// Writes the append-only audit log. Every read or write of patient data lands here, allowed
/// or denied; if the entry cannot be written, the request fails rather than go unaudited.
struct AuditLog {
    let req: Request

    struct Event {
        var action: String
        var patientID: UUID?
        var clinicID: UUID?
        var resource: String
        var outcome: AuditOutcome
        var reason: String?
    }

    func record(_ events: [Event]) async throws {
        guard !events.isEmpty else { return }
        let user = req.currentUser
        let now = req.now
        let models = events.map { e in
            AuditEntryModel(
                at: now, actorUserID: user?.userID, actorRole: user?.role.rawValue ?? "anonymous", action: e.action,
                patientID: e.patientID, clinicID: e.clinicID, resource: e.resource, clientAddress: req.clientAddress,
                outcome: e.outcome.rawValue, reason: e.reason, requestID: req.requestID
            )
        }
        try await models.create(on: req.db)
    }

    func record(_ event: Event) async throws { try await record([event]) }
}

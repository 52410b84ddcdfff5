import Fluent
import Foundation
import GonioCore

/// Writes the append-only audit log (HIPAA 45 CFR 164.312(b), CLINICAL.md §7). Every read or
/// write of patient data lands here, allowed, denied or failed, named by its operation; a
/// change's entry is written in the change's own transaction. If the entry cannot be written,
/// the work fails rather than go unaudited.
struct AuditLog {
    let ctx: CallContext

    struct Event: Sendable {
        var action: String
        var patientID: UUID?
        var clinicID: UUID?
        var resource: String
        var outcome: AuditOutcome
        var reason: String?
        /// A list view: every patient it showed (one entry, one row per patient).
        var patients: [UUID] = []

        init(action: String, patientID: UUID? = nil, clinicID: UUID? = nil, resource: String, outcome: AuditOutcome,
             reason: String? = nil, patients: [UUID] = []) {
            self.action = action
            self.patientID = patientID
            self.clinicID = clinicID
            self.resource = resource
            self.outcome = outcome
            self.reason = reason
            self.patients = patients
        }
    }

    func record(_ events: [Event]) async throws {
        guard !events.isEmpty else { return }
        let now = ctx.now
        var role = ctx.auditRole
        if case .system(let name) = ctx.principal { role = "system:\(name)" }
        var entries: [AuditEntryModel] = []
        var named: [AuditEntryPatientModel] = []
        for event in events {
            let id = UUID()
            entries.append(AuditEntryModel(
                id: id, at: now, actorUserID: ctx.user?.userID, actorRole: role, action: event.action,
                patientID: event.patientID ?? ctx.onBehalfOf, clinicID: event.clinicID, resource: String(event.resource.prefix(500)),
                clientAddress: String(ctx.clientAddress.prefix(64)), outcome: event.outcome, reason: event.reason.map { String($0.prefix(200)) },
                requestID: ctx.requestID))
            named += event.patients.map { AuditEntryPatientModel(entryID: id, patientID: $0) }
        }
        guard !named.isEmpty else {
            try await entries.create(on: ctx.db)
            return
        }
        // An entry and the patients it names land together (one commit).
        let (entryRows, patientRows) = (entries, named)
        try await ctx.transaction { tx in
            try await entryRows.create(on: tx.db)
            // In chunks: a statement may carry only so many values (32,766 on SQLite).
            var start = 0
            while start < patientRows.count {
                try await patientRows[start..<min(patientRows.count, start + 2_000)].create(on: tx.db)
                start += 2_000
            }
        }
    }

    func record(_ event: Event) async throws { try await record([event]) }
}

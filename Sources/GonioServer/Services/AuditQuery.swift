import Vapor
import Fluent
import GonioCore

/// Reading the audit log: clinic admins only, for their own clinics' patients.
struct AuditQuery: Content {
    var patientId: UUID?
    var action: String?
    var outcome: String?
    var actorUserId: UUID?
    var from: Date?
    var to: Date?
    var limit: Int?

    static let maxLimit = 500

    func run(on req: Request) async throws -> [AuditEntryModel] {
        let limit = limit ?? 100
        guard (1...Self.maxLimit).contains(limit) else {
            throw DomainError.invalid("limit-invalid", "limit must be between 1 and \(Self.maxLimit).")
        }
        if let outcome, AuditOutcome(rawValue: outcome) == nil {
            throw DomainError.invalid("outcome-invalid", "outcome must be allowed or denied.")
        }
        if let action, action.count > 64 {
            throw DomainError.invalid("action-invalid", "action is too long.")
        }
        var query = AuditEntryModel.query(on: req.db)
        if let patientId {
            try await req.patientAccess.authorize(.viewAudit, patientID: patientId, resource: "audit/patient/\(patientId)")
            query = query.filter(\.$patientID == patientId)
        } else {
            let user = try req.requireUser(.clinicAdmin)
            let clinics = try await TherapistService(req: req).adminClinics(user)
            guard !clinics.isEmpty else { return [] }
            query = query.filter(\.$clinicID ~~ clinics)
            try await AuditLog(req: req).record(clinics.map {
                .init(action: PatientAction.viewAudit.rawValue, patientID: nil, clinicID: $0, resource: "audit/clinic/\($0)",
                      outcome: .allowed, reason: nil)
            })
        }
        if let action, !action.isEmpty { query = query.filter(\.$action == action) }
        if let outcome { query = query.filter(\.$outcome == outcome) }
        if let actorUserId { query = query.filter(\.$actorUserID == actorUserId) }
        if let from { query = query.filter(\.$at >= from) }
        if let to { query = query.filter(\.$at <= to) }
        return try await query.sort(\.$at, .descending).limit(limit).all()
    }
}

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

    init(patientId: UUID? = nil, action: String? = nil, outcome: String? = nil, actorUserId: UUID? = nil,
         from: Date? = nil, to: Date? = nil, limit: Int? = nil) {
        self.patientId = patientId
        self.action = action
        self.outcome = outcome
        self.actorUserId = actorUserId
        self.from = from
        self.to = to
        self.limit = limit
    }

    enum CodingKeys: String, CodingKey { case patientId, action, outcome, actorUserId, from, to, limit }

    /// `from` and `to` are ISO 8601 date-times, like every time the API returns.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        patientId = try c.decodeIfPresent(UUID.self, forKey: .patientId)
        action = try c.decodeIfPresent(String.self, forKey: .action)
        outcome = try c.decodeIfPresent(String.self, forKey: .outcome)
        actorUserId = try c.decodeIfPresent(UUID.self, forKey: .actorUserId)
        limit = try c.decodeIfPresent(Int.self, forKey: .limit)
        func instant(_ key: CodingKeys) throws -> Date? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            let plain = ISO8601DateFormatter()
            let fractional = ISO8601DateFormatter()
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let date = plain.date(from: text) ?? fractional.date(from: text) else {
                throw DomainError.invalid("\(key.rawValue)-invalid", "\(key.rawValue) must be an ISO 8601 date-time such as 2026-11-29T10:00:00Z.")
            }
            return date
        }
        from = try instant(.from)
        to = try instant(.to)
    }

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

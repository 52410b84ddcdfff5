import Vapor
import Fluent
import FluentSQL
import SQLKit
import GonioCore

/// Reading the audit log: clinic admins, for their own clinics' patients, as JSON and as a page,
/// filtered and a page at a time. Reading it is itself audited.
struct AuditRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.audit, use: listAPI)
        routes.web.get(Paths.clinicAudit, use: page)
    }

    func listAPI(req: Request) async throws -> Paginated<AuditEntryDTO> {
        let query = try req.query.decode(AuditQuery.self)
        let (entries, total, page) = try await query.run(req.context)
        return Paginated(items: entries.map(AuditEntryDTO.init), page: page, total: total)
    }

    struct AuditForm: Content {
        var patientId: String?
        var outcome: String?
        var action: String?
        var q: String?
        var page: String?
    }

    struct AuditRow: Encodable {
        var at: String
        var actor: String
        var action: String
        var patient: String
        var resource: String
        var address: String
        var outcome: String
        var reason: String
    }

    struct AuditContext: Encodable {
        var patients: [Choice]
        var outcomes: [Choice]
        var actions: [Choice]
        var rows: [AuditRow]
        var filtered: Bool
        var q: String
        var pager: Pager
    }

    /// Who an entry is about: its patient, or for a list, the patient the log is filtered by
    /// (the list showed them) or how many it showed.
    static func patientCell(_ e: AuditEntryModel, names: [UUID: String], filter: UUID?) -> String {
        if let id = e.patientID { return names[id] ?? id.uuidString }
        if let filter, e.patients.contains(where: { $0.patientID == filter }) { return names[filter] ?? filter.uuidString }
        return e.patients.isEmpty ? "—" : "\(e.patients.count) patients"
    }

    func page(req: Request) async throws -> Response {
        let ctx = req.context
        _ = try ctx.requireUser(.clinicAdmin)
        let form = try req.query.decode(AuditForm.self)
        var query = AuditQuery()
        if let raw = form.patientId, !raw.isEmpty {
            guard let id = UUID(uuidString: raw) else { throw DomainError.invalid("patient-invalid", "Choose a patient from the list.") }
            query.patientId = id
        }
        if let o = form.outcome, !o.isEmpty { query.outcome = o }
        if let a = form.action, !a.isEmpty { query.action = a }
        query.page = try ListPage(pageText: form.page, perText: nil).page
        query.per = 50
        let (entries, total, page) = try await query.run(ctx)
        // Names of the patients a name search finds (for the filter) and of those the entries
        // name, read through the gate like any list of patients.
        let search = try NameSearch(form.q)
        let named = Set(entries.compactMap(\.patientID)).union(query.patientId.map { [$0] } ?? [])
        var shown: [AuthorizedPatient] = []
        if !named.isEmpty {
            shown = try await ctx.gate.list(.patientList, page: ListPage(per: 100), resource: "audit") { $0.filter(PatientModel.self, \.$id ~~ Array(named)) }.items
        }
        let found = search == nil ? [] : try await ctx.gate.list(.patientList, page: ListPage(per: 100), search: search, resource: "audit").items
        let names = Dictionary((shown + found).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let choices = search == nil ? shown : found
        let userIDs = Set(entries.compactMap { $0.$actor.id })
        let actors = userIDs.isEmpty ? [] : try await UserModel.query(on: ctx.db).filter(\.$id ~~ userIDs).all()
        let formatter = ISO8601DateFormatter()
        let rows = entries.map { e in
            AuditRow(
                at: formatter.string(from: e.at),
                actor: e.$actor.id.flatMap { id in actors.first { $0.id == id }.map { "\($0.name) (\(Role(rawValue: e.actorRole)?.displayName ?? e.actorRole))" } } ?? e.actorRole,
                action: e.action,
                patient: Self.patientCell(e, names: names, filter: query.patientId),
                resource: e.patients.isEmpty ? e.resource : "\(e.resource) (a list of \(e.patients.count))",
                address: e.clientAddress, outcome: e.outcome.rawValue, reason: e.reason ?? "")
        }
        let actions = PatientOperation.allCases.map(\.rawValue) + AccountEvent.allCases.map(\.rawValue)
        let context = AuditContext(
            patients: choices.map { Choice(value: $0.id.uuidString, label: $0.name, selected: $0.id == query.patientId) },
            outcomes: AuditOutcome.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0.rawValue == query.outcome) },
            actions: actions.sorted().map { Choice(value: $0, label: $0, selected: $0 == query.action) },
            rows: rows, filtered: query.patientId != nil || query.outcome != nil || query.action != nil, q: search?.text ?? "",
            pager: Pager(page, total: total, query: nil) { number in
                var items: [(String, String)] = [("page", String(number))]
                if let id = query.patientId { items.append(("patientId", id.uuidString)) }
                if let o = query.outcome { items.append(("outcome", o)) }
                if let a = query.action { items.append(("action", a)) }
                return Paths.clinicAudit() + "?" + items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "")" }.joined(separator: "&")
            })
        return try await WebPage.render(req, "audit", title: "Audit log", context)
    }
}

/// A filter of the audit log, newest first. A patient's entries include the list views that
/// named them.
struct AuditQuery: Content {
    var patientId: UUID?
    var action: String?
    var outcome: String?
    var actorUserId: UUID?
    var from: Date?
    var to: Date?
    var page: Int?
    var per: Int?
    /// Older name for `per`.
    var limit: Int?

    init() {}

    enum CodingKeys: String, CodingKey { case patientId, action, outcome, actorUserId, from, to, page, per, limit }

    /// `from` and `to` are ISO 8601 date-times, like every time the API returns.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        patientId = try c.decodeIfPresent(UUID.self, forKey: .patientId)
        action = try c.decodeIfPresent(String.self, forKey: .action)
        outcome = try c.decodeIfPresent(String.self, forKey: .outcome)
        actorUserId = try c.decodeIfPresent(UUID.self, forKey: .actorUserId)
        page = try c.decodeIfPresent(Int.self, forKey: .page)
        per = try c.decodeIfPresent(Int.self, forKey: .per)
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

    /// The entries of one page, how many match, and the page. A clinic admin sees the entries of
    /// their clinics; with `patientId`, the patient's (the gate decides, as `audit.read`).
    func run(_ ctx: CallContext) async throws -> ([AuditEntryModel], Int, ListPage) {
        let user = try ctx.requireUser()
        let pageRequest = try ListPage(page: page, per: per ?? limit)
        if let outcome, AuditOutcome(rawValue: outcome) == nil {
            throw DomainError.invalid("outcome-invalid", "outcome must be allowed, denied or failed.")
        }
        if let action, action.count > 64 || InputRules.hasControlCharacter(action, allowingLineBreaks: false) {
            throw DomainError.invalid("action-invalid", "action must be an operation name such as note.sign.")
        }
        let query = AuditEntryModel.query(on: ctx.db)
        if let patientId {
            _ = try await ctx.gate.authorize(.auditRead, patientID: patientId, resource: "audit/patient/\(patientId)")
            query.group(.or) { or in
                or.filter(\.$patientID == patientId)
                or.filter(.sql(SQLQueryString("\(ident: AuditEntryModel.schema).\(ident: "id") IN (SELECT \(ident: "entry_id") FROM \(ident: AuditEntryPatientModel.schema) WHERE \(ident: "patient_id") = \(bind: patientId))")))
            }
        } else {
            guard user.role == .clinicAdmin else { throw DomainError.forbidden("role-not-permitted", "Your account cannot do this.") }
            let clinics = user.adminClinicIDs
            guard !clinics.isEmpty else { return ([], 0, pageRequest) }
            query.filter(\.$clinicID ~~ clinics)
            try await ctx.audit.record(clinics.map {
                .init(action: AccountEvent.clinicAuditRead.rawValue, clinicID: $0, resource: "audit/clinic/\($0)", outcome: .allowed)
            })
        }
        if let action, !action.isEmpty { query.filter(\.$action == action) }
        if let outcome = outcome.flatMap(AuditOutcome.init(rawValue:)) { query.filter(\.$outcome == outcome) }
        if let actorUserId { query.filter(\.$actor.$id == actorUserId) }
        if let from { query.filter(\.$at >= from) }
        if let to { query.filter(\.$at <= to) }
        let total = try await query.copy().count()
        let entries = try await query.with(\.$patients).sort(\.$at, .descending).sort(\.$id, .descending)
            .range(pageRequest.offset..<(pageRequest.offset + pageRequest.per)).all()
        return (entries, total, pageRequest)
    }
}

struct AuditEntryDTO: Content {
    var id: UUID
    var at: Date
    var actorUserId: UUID?
    var actorRole: String
    var action: String
    var patientId: UUID?
    /// A list view: the patients it showed.
    var patientIds: [UUID]?
    var resource: String
    var clientAddress: String
    var outcome: String
    var reason: String?
    var requestId: String?

    /// `m` with its named patients loaded.
    init(_ m: AuditEntryModel) {
        id = m.id!
        at = m.at
        actorUserId = m.$actor.id
        actorRole = m.actorRole
        action = m.action
        patientId = m.patientID
        let listed = m.patients.map(\.patientID)
        patientIds = listed.isEmpty ? nil : listed
        resource = m.resource
        clientAddress = m.clientAddress
        outcome = m.outcome.rawValue
        reason = m.reason
        requestId = m.requestID
    }
}

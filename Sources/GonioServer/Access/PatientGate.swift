import Fluent
import FluentSQL
import SQLKit
import Foundation
import GonioCore

/// Proof that the gate allowed one operation on one patient, with what the caller may do for
/// that patient now. Only `PatientGate` can make one (the initialiser is private to this
/// file), and every loader and writer of patient data takes one: code that skips the gate does
/// not compile.
struct AuthorizedPatient: Sendable {
    let id: UUID
    let clinicID: UUID
    let userID: UUID
    let name: String
    let email: String
    let dateOfBirth: String?
    let location: String?
    let timeZone: PatientTimeZone
    let createdAt: Date?
    /// The operation the gate allowed.
    let operation: PatientOperation
    /// Every policy action the caller may take for this patient now (which forms and links a
    /// page offers).
    let granted: Set<PatientAction>

    fileprivate init(_ patient: PatientModel, user: UserModel, operation: PatientOperation, granted: Set<PatientAction>) throws {
        id = try patient.requireID()
        clinicID = patient.$clinic.id
        userID = patient.$user.id
        name = user.name
        email = user.email
        dateOfBirth = patient.dateOfBirth
        location = patient.location
        timeZone = patient.zone
        createdAt = patient.createdAt
        self.operation = operation
        self.granted = granted
    }

    func may(_ action: PatientAction) -> Bool { granted.contains(action) }

    /// The jurisdiction the patient said they are in, if it parses.
    var jurisdiction: Jurisdiction? { location.flatMap { try? Jurisdiction($0) } }

    /// The patient's calendar day at `instant`.
    func day(at instant: Date) -> CalendarDay { CalendarDay(at: instant, in: timeZone.timeZone) }
}

/// One page of patients from a list operation.
struct PatientPage: Sendable {
    var items: [AuthorizedPatient]
    var total: Int
    var page: ListPage
}

/// The server's single gate to patient data: works out how the caller relates to a patient,
/// asks `AccessPolicy`, writes the audit entry naming the operation, and hands back an
/// `AuthorizedPatient` or refuses. Refusals answer 404 when the caller may not even see the
/// record (so its existence is not revealed), 403 otherwise.
struct PatientGate {
    let ctx: CallContext

    static let notFound = DomainError.notFound("patient-not-found", "No patient with that id is available to you.")

    /// Authorises a read. The entry is written whatever the outcome. A page that shows more
    /// than one thing names the others in `also`: each one the caller may do gets its own entry
    /// (written together), and the page shows it only when `may` says so.
    func authorize(_ operation: PatientOperation, patientID: UUID, resource: String? = nil,
                   also: [PatientOperation] = []) async throws -> AuthorizedPatient {
        let resourceName = resource ?? "patient/\(patientID.uuidString)"
        let access: AuthorizedPatient
        do {
            access = try await decide(operation, patientID: patientID, resource: resourceName)
        } catch let refusal as Refusal {
            try await ctx.audit.record(refusal.event)
            throw refusal.error
        }
        let done = [operation] + also.filter { !$0.permits.isDisjoint(with: access.granted) }
        try await ctx.audit.record(done.map {
            .init(action: $0.rawValue, patientID: access.id, clinicID: access.clinicID, resource: resourceName, outcome: .allowed)
        })
        return access
    }

    /// Authorises a change and runs it in one transaction with its audit entry: the policy is
    /// asked inside the transaction, on the relationship as it stands there (on PostgreSQL the
    /// care-team or caregiver rows are held until the change commits, so a revocation cannot
    /// slip between the check and the write). A refusal is audited on its own; when `body`
    /// throws, nothing it wrote remains and an entry records the failure and its reason.
    func change<T: Sendable>(
        _ operation: PatientOperation, patientID: UUID, resource: String? = nil,
        _ body: @escaping @Sendable (AuthorizedPatient, CallContext) async throws -> T
    ) async throws -> T {
        let resourceName = resource ?? "patient/\(patientID.uuidString)"
        do {
            return try await ctx.transaction { tx in
                let access = try await PatientGate(ctx: tx).decide(operation, patientID: patientID, resource: resourceName, holding: true)
                try await tx.audit.record(.init(action: operation.rawValue, patientID: access.id, clinicID: access.clinicID,
                                                resource: resourceName, outcome: .allowed))
                return try await body(access, tx)
            }
        } catch let refusal as Refusal {
            try await ctx.audit.record(refusal.event)
            throw refusal.error
        } catch {
            let domain = error as? DomainError ?? DatabaseRefusal.domainError(error)
            let clinicID = try? await PatientModel.find(patientID, on: ctx.db)?.$clinic.id
            try? await ctx.audit.record(.init(action: operation.rawValue, patientID: patientID, clinicID: clinicID ?? nil,
                                              resource: resourceName, outcome: domain?.kind == .forbidden ? .denied : .failed,
                                              reason: domain?.code ?? "error"))
            throw error
        }
    }

    /// Checks the policy for a second action once the work knows it needs one (a performance
    /// test needs `writeClinical`, a questionnaire `completeForms`). A refusal is audited; inside
    /// `change` it also rolls the change back.
    func require(_ action: PatientAction, of access: AuthorizedPatient, resource: String) async throws {
        guard !access.may(action) else { return }
        try await ctx.audit.record(.init(action: access.operation.rawValue, patientID: access.id, clinicID: access.clinicID,
                                         resource: resource, outcome: .denied, reason: "needs-\(action.rawValue)"))
        if access.may(.viewRecord) { throw DomainError.forbidden("not-permitted", "You may not do this for this patient.") }
        throw Self.notFound
    }

    /// One page of the patients the caller may see for `operation`, by name, optionally
    /// narrowed (by a join or filter a feature adds, on `PatientModel`) and searched by name. A
    /// fixed number of queries whatever the clinic's size, and one audit entry naming the
    /// patients shown.
    ///
    /// Patients are read from `users` in name order. On SQLite the joins of a whole list are
    /// CROSS JOINs, which SQLite takes as "keep this order": it walks the name index and stops
    /// after a page, instead of sorting every patient of the clinic for each page. PostgreSQL
    /// plans this itself.
    func list(
        _ operation: PatientOperation = .patientList, page: ListPage, search: NameSearch? = nil, resource: String,
        narrowing narrow: ((QueryBuilder<UserModel>) -> Void)? = nil
    ) async throws -> PatientPage {
        let user = try ctx.requireUser()
        let now = ctx.now.timeIntervalSince1970
        // A narrowed list (flagged intakes) is small: there SQLite does best starting from the
        // narrowing table, so the order is left to it.
        let inOrder: DatabaseQuery.Join.Method = ctx.config.database.isSQLite && narrow == nil ? .custom("CROSS") : .inner
        let query = UserModel.query(on: ctx.db).join(PatientModel.self, on: \PatientModel.$user.$id == \UserModel.$id, method: inOrder)
        var relation: (UUID) -> PatientRelationship
        var pageInMemory = false
        /// Without a search or narrowing, the size of the list from its own index.
        var plainCount: (() async throws -> Int)?
        switch user.role {
        case .patient:
            guard let own = user.patientID else { return try await recordList(operation, [], 0, page, resource) }
            query.filter(PatientModel.self, \.$id == own)
            relation = { _ in PatientRelationship(isSelf: true) }
            pageInMemory = true
        case .therapist:
            guard user.therapistVerified, let therapistID = user.therapistID else {
                return try await recordList(operation, [], 0, page, resource)
            }
            query.join(CareTeamMemberModel.self, on: \CareTeamMemberModel.$patient.$id == \PatientModel.$id, method: inOrder)
                .filter(CareTeamMemberModel.self, \.$therapist.$id == therapistID)
            relation = { _ in PatientRelationship(onCareTeam: true) }
            plainCount = { try await countRows(CareTeamMemberModel.schema, "therapist_id", [therapistID]) }
        case .clinicAdmin:
            let clinics = user.adminClinicIDs
            guard !clinics.isEmpty else { return try await recordList(operation, [], 0, page, resource) }
            query.filter(PatientModel.self, \.$clinic.$id ~~ clinics)
            relation = { _ in PatientRelationship(adminOfPatientClinic: true) }
            plainCount = { try await countRows(PatientModel.schema, "clinic_id", clinics) }
        case .caregiver:
            // A caregiver's patients are few (their own delegations): read them all, then page.
            let links = try await CaregiverLinkModel.query(on: ctx.db).filter(\.$caregiver.$id == user.userID).all()
            let grants = Dictionary(grouping: links, by: { $0.$patient.id }).mapValues { $0.map(\.grant) }
            guard !grants.isEmpty else { return try await recordList(operation, [], 0, page, resource) }
            query.filter(PatientModel.self, \.$id ~~ Array(grants.keys))
            relation = { PatientRelationship(caregiverGrants: grants[$0] ?? []) }
            pageInMemory = true
        case .platformAdmin:
            return try await recordList(operation, [], 0, page, resource)
        }
        if let narrow {
            narrow(query)
            plainCount = nil
        }
        if let search {
            query.filter(.sql(SQLQueryString("LOWER(\(ident: UserModel.schema).\(ident: "name")) LIKE \(bind: search.likePattern) ESCAPE '\\'")))
            plainCount = nil
        }
        query.sort(\.$name).sort(PatientModel.self, \.$id)

        func authorized(_ row: UserModel) throws -> AuthorizedPatient? {
            let patient = try row.joined(PatientModel.self)
            let rel = relation(try patient.requireID())
            guard AccessPolicy.decide(user.actor, operation, relationship: rel, now: now).isAllowed else { return nil }
            return try AuthorizedPatient(patient, user: row, operation: operation,
                                         granted: AccessPolicy.granted(user.actor, relationship: rel, now: now))
        }
        if pageInMemory {
            let all = try await query.all().compactMap(authorized)
            let slice = Array(all.dropFirst(page.offset).prefix(page.per))
            return try await recordList(operation, slice, all.count, page, resource)
        }
        let total: Int
        if let plainCount { total = try await plainCount() } else { total = try await query.copy().count() }
        let rows = try await query.range(page.offset..<(page.offset + page.per)).all().compactMap(authorized)
        return try await recordList(operation, rows, total, page, resource)
    }

    /// `COUNT(*)` of a table's rows whose `column` is one of `values`: an index-only count (Fluent's
    /// `count()` counts a column, which reads every row).
    private func countRows(_ table: String, _ column: String, _ values: [UUID]) async throws -> Int {
        guard let sql = ctx.db as? any SQLDatabase else { return 0 }
        return try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(table)
            .where(SQLIdentifier(column), .in, values).first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// The rows of a list the caller may also see `operation` for (a dashboard's intake-status
    /// column), audited as one entry naming them.
    func also(_ operation: PatientOperation, for rows: [AuthorizedPatient], resource: String) async throws -> [AuthorizedPatient] {
        _ = try ctx.requireUser()
        let permitted = rows.filter { !operation.permits.isDisjoint(with: $0.granted) }
        guard !permitted.isEmpty else { return [] }
        try await ctx.audit.record(listEvents(operation, permitted, resource: resource))
        return permitted
    }

    // MARK: - Deciding

    private func recordList(_ operation: PatientOperation, _ rows: [AuthorizedPatient], _ total: Int, _ page: ListPage,
                            _ resource: String) async throws -> PatientPage {
        try await ctx.audit.record(listEvents(operation, rows, resource: "\(resource) page \(page.page)"))
        return PatientPage(items: rows, total: total, page: page)
    }

    /// One entry naming the patients shown, per clinic they belong to, so each clinic's log
    /// holds exactly its own patients (an empty list: one entry, under the caller's clinic).
    private func listEvents(_ operation: PatientOperation, _ rows: [AuthorizedPatient], resource: String) -> [AuditLog.Event] {
        let byClinic = Dictionary(grouping: rows, by: \.clinicID)
        guard !byClinic.isEmpty else {
            return [.init(action: operation.rawValue, clinicID: ctx.user.flatMap { $0.adminClinicIDs.first ?? $0.clinicIDs.first },
                          resource: resource, outcome: .allowed)]
        }
        return byClinic.sorted { $0.key.uuidString < $1.key.uuidString }.map { clinic, shown in
            .init(action: operation.rawValue, clinicID: clinic, resource: resource, outcome: .allowed, patients: shown.map(\.id))
        }
    }

    /// A refusal by the policy, with the audit entry that records it (written by the caller,
    /// outside any transaction that is about to roll back).
    private struct Refusal: Error {
        var event: AuditLog.Event
        var error: DomainError
    }

    /// Loads the patient and the caller's relationship and asks the policy; a refusal is thrown
    /// as a `Refusal` carrying its audit entry. `holding` (inside a change) holds the rows the
    /// decision rests on until the transaction ends.
    private func decide(_ operation: PatientOperation, patientID: UUID, resource: String, holding: Bool = false) async throws -> AuthorizedPatient {
        if case .system = ctx.principal {
            // Gonio's own jobs: only what a reminder needs, and nothing more (core decides which).
            guard PatientOperation.unattended.contains(operation) else {
                throw Refusal(event: .init(action: operation.rawValue, patientID: patientID, resource: resource, outcome: .denied,
                                           reason: "not-for-jobs"), error: Self.notFound)
            }
            guard let patient = try await PatientModel.query(on: ctx.db).join(parent: \.$user).filter(\.$id == patientID).first() else {
                throw Refusal(event: .init(action: operation.rawValue, resource: resource, outcome: .denied, reason: "no-such-patient"),
                              error: Self.notFound)
            }
            return try AuthorizedPatient(patient, user: try patient.joined(UserModel.self), operation: operation, granted: [])
        }
        let user = try ctx.requireUser()
        guard let patient = try await PatientModel.query(on: ctx.db).join(parent: \.$user).filter(\.$id == patientID).first() else {
            throw Refusal(event: .init(action: operation.rawValue, resource: resource, outcome: .denied, reason: "no-such-patient"),
                          error: Self.notFound)
        }
        let rel = try await relationship(of: user, to: patient, holding: holding)
        let now = ctx.now.timeIntervalSince1970
        let decision = AccessPolicy.decide(user.actor, operation, relationship: rel, now: now)
        guard decision.isAllowed else {
            var reason = "denied"
            if case .denied(let why) = decision { reason = why }
            let event = AuditLog.Event(action: operation.rawValue, patientID: patientID, clinicID: patient.$clinic.id,
                                       resource: resource, outcome: .denied, reason: reason)
            if AccessPolicy.decide(user.actor, PatientAction.viewRecord, relationship: rel, now: now).isAllowed {
                throw Refusal(event: event, error: .forbidden("not-permitted", "You may not do this for this patient."))
            }
            throw Refusal(event: event, error: Self.notFound)
        }
        return try AuthorizedPatient(patient, user: try patient.joined(UserModel.self), operation: operation,
                                     granted: AccessPolicy.granted(user.actor, relationship: rel, now: now))
    }

    /// How `user` relates to `patient`: at most one query. With `holding` on PostgreSQL, the
    /// care-team or caregiver rows read are locked FOR SHARE (a removal or revocation waits for
    /// the change to commit); on SQLite the immediate transaction already keeps writers out.
    private func relationship(of user: CurrentUser, to patient: PatientModel, holding: Bool) async throws -> PatientRelationship {
        let patientID = try patient.requireID()
        let share = holding && !ctx.config.database.isSQLite
        var rel = PatientRelationship()
        switch user.role {
        case .patient:
            rel.isSelf = user.patientID == patientID
        case .therapist:
            if let therapistID = user.therapistID {
                if share, let sql = ctx.db as? any SQLDatabase {
                    rel.onCareTeam = try await !sql.select().column("id").from(CareTeamMemberModel.schema)
                        .where("patient_id", .equal, patientID).where("therapist_id", .equal, therapistID).for(.share).all().isEmpty
                } else {
                    rel.onCareTeam = try await CareTeamMemberModel.query(on: ctx.db)
                        .filter(\.$patient.$id == patientID).filter(\.$therapist.$id == therapistID).count() > 0
                }
            }
        case .clinicAdmin:
            rel.adminOfPatientClinic = user.adminClinicIDs.contains(patient.$clinic.id)
        case .caregiver:
            if share, let sql = ctx.db as? any SQLDatabase {
                _ = try await sql.select().column("id").from(CaregiverLinkModel.schema)
                    .where("patient_id", .equal, patientID).where("caregiver_user_id", .equal, user.userID).for(.share).all()
            }
            rel.caregiverGrants = try await CaregiverLinkModel.query(on: ctx.db)
                .filter(\.$patient.$id == patientID).filter(\.$caregiver.$id == user.userID).all().map(\.grant)
        case .platformAdmin:
            break
        }
        return rel
    }
}

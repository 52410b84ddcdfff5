import Vapor
import Fluent
import GonioCore

/// One dashboard per role, each showing real data read through the same services and the same
/// gate as the API. Lists are paginated and searchable, with a fixed number of queries per page
/// and one audit entry per list shown.
struct DashboardRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.web.get(Paths.dashboard, use: show)
    }

    static let notices: [String: String] = AccountRoutes.notices.merging([
        "caregiver-linked": "The caregiver was linked.",
        "caregiver-revoked": "The caregiver's access was revoked.",
        "care-team-added": "The therapist was added to the care team.",
        "care-team-removed": "The therapist was removed from the care team.",
        "therapist-verified": "The therapist was verified.",
        "therapist-rejected": "The therapist's credentials were rejected; they will see your reason.",
        "clinic-created": "The clinic was created.",
        "clinic-admin-added": "The clinic admin account was created. Share the initial password privately and ask them to change it.",
    ], uniquingKeysWith: { a, _ in a })

    func show(req: Request) async throws -> Response {
        try await Self.render(req, notice: WebPage.notice(req, Self.notices))
    }

    /// Runs a dashboard form's action with the caller's context; on success goes back to the
    /// dashboard with a notice, and when a rule refuses it shows the dashboard with the message.
    static func act(_ req: Request, notice: String, _ body: (CallContext) async throws -> Void) async throws -> Response {
        let ctx = req.context
        _ = try ctx.requireUser()
        do {
            try await body(ctx)
            return WebPage.seeOther(Paths.dashboard(query: ["notice": notice]))
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await render(req, error: error.message, status: HTTPResponseStatus(domain: error))
        }
    }

    static func render(_ req: Request, notice: String? = nil, error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = req.context
        let user = try ctx.requireUser()
        let dashboard = Dashboards(ctx: ctx, req: req)
        func page<T: Encodable>(_ template: String, _ body: T) async throws -> Response {
            try await WebPage.render(req, template, title: "Your dashboard", body, notice: notice, error: error, status: status)
        }
        switch user.role {
        case .patient: return try await page("dashboard-patient", dashboard.patient(user))
        case .caregiver: return try await page("dashboard-caregiver", dashboard.caregiver())
        case .therapist: return try await page("dashboard-therapist", dashboard.therapist(user))
        case .clinicAdmin: return try await page("dashboard-clinic-admin", dashboard.clinicAdmin(user))
        case .platformAdmin: return try await page("dashboard-platform-admin", dashboard.platformAdmin())
        }
    }

    static let dayFormat: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "d MMM yyyy"
        return f
    }()
}

/// The data of each role's dashboard.
struct Dashboards {
    let ctx: CallContext
    let req: Request

    /// A link to another page of this dashboard's list, keeping its size and search.
    func pageLink(_ request: ListPage, _ search: NameSearch?) -> (Int) -> String {
        { Paths.dashboard(items: Pager.items(request, page: $0, search: search)) }
    }

    struct CareTeamRow: Encodable {
        var therapistId: String
        var name: String
        var removeAction: String
    }

    struct CaregiverRow: Encodable {
        var id: String
        var name: String
        var email: String
        var scopes: String
        var until: String
        var status: String
        var active: Bool
        var revokeAction: String
    }

    /// What the "give a caregiver access" form needs, on the patient's and the admin's dashboards.
    struct CaregiverFormContext: Encodable {
        var scopes: [Choice]
        var defaultExpiry: String
        var minExpiry: String

        init(now: Date) {
            let calendar = Calendar(identifier: .gregorian)
            scopes = CaregiverScope.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: false) }
            defaultExpiry = CalendarDay(utc: calendar.date(byAdding: .year, value: 1, to: now)!).description
            minExpiry = CalendarDay(utc: calendar.date(byAdding: .day, value: 1, to: now)!).description
        }
    }

    func careTeamRows(_ team: [TherapistModel], patientID: UUID) -> [CareTeamRow] {
        team.map { CareTeamRow(therapistId: $0.id!.uuidString, name: $0.user.name, removeAction: Paths.careTeamRemove(patientID, $0.id!)) }
    }

    func caregiverRows(_ links: [CaregiverLinkModel], patientID: UUID) -> [CaregiverRow] {
        let now = ctx.now
        return links.map { link in
            let active = link.grant.isActive(now: now.timeIntervalSince1970)
            let status = active ? "Active" : (link.revokedAt.map { $0 < link.expiresAt } == true ? "Revoked" : "Ended")
            return CaregiverRow(
                id: link.id!.uuidString, name: link.caregiver.name, email: link.caregiver.email,
                scopes: link.scopes.ordered.map(\.displayName).joined(separator: "; "),
                until: DashboardRoutes.dayFormat.string(from: link.expiresAt), status: status, active: active,
                revokeAction: Paths.caregiverRevoke(patientID, link.id!))
        }
    }

    // MARK: Patient

    struct PatientContext: Encodable {
        var patientId: String
        var name: String
        var email: String
        var dateOfBirth: String
        var location: String
        var clinic: String
        var careTeam: [CareTeamRow]
        var caregivers: [CaregiverRow]
        var caregiverForm: CaregiverFormContext
        var linkCaregiverAction: String
        var intake: IntakeService.StatusLine
        var measuresDue: Int
        var intakeLink: String
        var measuresLink: String
        var notesLink: String
        var practice: PracticeCard?
        var nextVisit: NextVisitCard?
        var visitsLink: String
        var billingLink: String
    }

    /// The patient's next visit on a dashboard, with the way in when its call is open.
    struct NextVisitCard: Encodable {
        var when: String
        var title: String
        var how: String
        var join: String?
        var calendar: String
    }

    func nextVisitCard(_ patient: AuthorizedPatient) async throws -> NextVisitCard? {
        guard let visit = try await VisitService(ctx: ctx).visits(of: patient, from: ctx.now.addingTimeInterval(-3600))
            .first(where: { $0.status == .booked && $0.endAt > ctx.now }) else { return nil }
        let id = try visit.requireID()
        let open = visit.callIsOpen(now: ctx.now, earlyMinutes: ctx.config.callEarlyMinutes)
        return NextVisitCard(
            when: VisitPages.when(visit.startAt, visit.endAt, in: patient.timeZone.timeZone),
            title: "\(visit.visitTypeName) with \(visit.therapist.$user.value?.name ?? "your therapist")",
            how: visit.modality == .video ? "Video visit: you can join from \(ctx.config.callEarlyMinutes) minutes before the start."
                : "In person" + (visit.location.map { " at \($0)" } ?? ""),
            join: open ? Paths.visitCall(id) : nil, calendar: Paths.visitCalendarFile(id))
    }

    /// Today's practice on a dashboard: what is due, how much is done, the streak.
    struct PracticeCard: Encodable {
        var status: String
        var summary: String
        var streak: Int
        var hasItems: Bool
        var allDone: Bool
        var playerLink: String
        var planLink: String
        var practiceLink: String
        var progressLink: String
    }

    func practiceCard(_ patient: AuthorizedPatient) async throws -> PracticeCard? {
        let service = PracticeService(ctx: ctx)
        let today = try await service.today(patient)
        guard today.planId != nil else { return nil }
        let adherence = try await service.adherence(patient, weeks: 1)
        let done = today.items.count { $0.status == .done }
        return PracticeCard(
            status: today.status.displayName,
            summary: today.items.isEmpty ? "Nothing is due today: a rest day." : "\(done) of \(today.items.count) exercises done today.",
            streak: adherence.streak, hasItems: !today.items.isEmpty, allDone: !today.items.isEmpty && today.nextSession == nil,
            playerLink: Paths.player(patient.id), planLink: Paths.plan(patient.id), practiceLink: Paths.practice(patient.id),
            progressLink: Paths.progressPage(patient.id))
    }

    func patient(_ user: CurrentUser) async throws -> PatientContext {
        guard let patientID = user.patientID else { throw DomainError.notFound("patient-not-found", "No patient record.") }
        let patient = try await ctx.gate.authorize(.patientRead, patientID: patientID, resource: "dashboard",
                                                   also: [.careTeamRead, .caregiversRead, .intakeRead, .measureList, .practiceToday, .visitRead])
        let care = CareService(ctx: ctx)
        let clinic = try await ClinicModel.find(patient.clinicID, on: ctx.db)
        return PatientContext(
            patientId: patientID.uuidString, name: user.name, email: user.email,
            dateOfBirth: patient.dateOfBirth ?? "Not given", location: patient.jurisdiction?.displayName ?? "Not given",
            clinic: clinic?.name ?? "",
            careTeam: careTeamRows(try await care.careTeam(patient), patientID: patientID),
            caregivers: caregiverRows(try await care.caregiverLinks(patient), patientID: patientID),
            caregiverForm: CaregiverFormContext(now: ctx.now), linkCaregiverAction: Paths.caregivers(patientID),
            intake: try await IntakeService(ctx: ctx).statuses(for: [patient])[patientID] ?? .init(nil),
            measuresDue: try await MeasureService(ctx: ctx).questionnairesDue(patient),
            intakeLink: Paths.intake(patientID), measuresLink: Paths.measures(patientID), notesLink: Paths.notes(patientID),
            practice: try await practiceCard(patient), nextVisit: try await nextVisitCard(patient), visitsLink: Paths.visitsPage(),
            billingLink: Paths.billingPage(patientID))
    }

    // MARK: Caregiver

    struct HelpedPatient: Encodable {
        var id: String
        var name: String
        var mayFillForms: Bool
        var mayRead: Bool
        var intake: IntakeService.StatusLine?
        var scopes: String
        var until: String
        var careTeam: String
        var intakeLink: String
        var measuresLink: String
        var notesLink: String
        var mayPractise: Bool
        var practice: PracticeService.StatusLine?
        var planLink: String
        var practiceLink: String
        var playerLink: String
        var progressLink: String?
    }

    struct CaregiverContext: Encodable {
        var patients: [HelpedPatient]
        var pager: Pager
    }

    /// Everyone the caregiver helps, whatever they may do for them, with links to what they may do.
    func caregiver() async throws -> CaregiverContext {
        let (request, _) = try req.listRequest()
        let page = try await ctx.gate.list(.patientList, page: request, resource: "dashboard")
        let teams = try await CareService(ctx: ctx).careTeams(for: ctx.gate.also(.careTeamRead, for: page.items, resource: "dashboard"))
        let intakes = try await IntakeService(ctx: ctx).statuses(for: ctx.gate.also(.intakeRead, for: page.items, resource: "dashboard"))
        let links = try await CareService(ctx: ctx).delegations(from: page.items)
        let practice = try await PracticeService(ctx: ctx).statuses(for: ctx.gate.also(.practiceToday, for: page.items, resource: "dashboard"))
        let now = ctx.now.timeIntervalSince1970
        let rows = page.items.map { p in
            let active = (links[p.id] ?? []).filter { $0.grant.isActive(now: now) }
            let scopes = active.reduce(into: Set<CaregiverScope>()) { $0.formUnion($1.scopes.set) }
            let team = (teams[p.id] ?? []).map(\.user.name)
            return HelpedPatient(
                id: p.id.uuidString, name: p.name, mayFillForms: p.may(.completeForms), mayRead: p.may(.viewClinical),
                intake: intakes[p.id], scopes: CaregiverScope.allCases.filter(scopes.contains).map(\.displayName).joined(separator: "; "),
                until: active.map(\.expiresAt).max().map(DashboardRoutes.dayFormat.string(from:)) ?? "",
                careTeam: p.may(.viewRecord) ? (team.isEmpty ? "No therapist yet" : team.joined(separator: ", ")) : "",
                intakeLink: Paths.intake(p.id), measuresLink: Paths.measures(p.id), notesLink: Paths.notes(p.id),
                mayPractise: p.may(.logPractice), practice: practice[p.id], planLink: Paths.plan(p.id), practiceLink: Paths.practice(p.id),
                playerLink: Paths.player(p.id), progressLink: p.may(.viewClinical) ? Paths.progressPage(p.id) : nil)
        }
        return CaregiverContext(patients: rows, pager: Pager(request, total: page.total, query: nil, link: pageLink(request, nil)))
    }

    // MARK: Therapist

    struct TherapistPatientRow: Encodable {
        var id: String
        var intake: IntakeService.StatusLine?
        var name: String
        var location: String
        var dateOfBirth: String
        var licensedThere: Bool
        var intakeLink: String
        var measuresLink: String
        var notesLink: String
        var practice: PracticeService.StatusLine?
        var planLink: String
        var practiceLink: String
        var progressLink: String
        /// Progression suggestions waiting for a decision.
        var suggestions: Int
    }

    struct FlaggedIntake: Encodable {
        var patientId: String
        var name: String
        var outcome: String
        var link: String
    }

    struct TherapistContext: Encodable {
        var therapist: TherapistDTO
        var isVerified: Bool
        var isPending: Bool
        var isRejected: Bool
        var patients: [TherapistPatientRow]
        var pager: Pager
        var searchAction: String
        var flagged: [FlaggedIntake]
        var flaggedMore: Int
        var visits: [VisitLine]
        var visitsLink: String
        var hoursLink: String
    }

    /// One of the therapist's coming visits.
    struct VisitLine: Encodable {
        var when: String
        var patient: String
        var how: String
        var join: String?
    }

    /// The therapist's next visits (the coming week), in their own time zone.
    func nextVisits(_ model: TherapistModel) async throws -> [VisitLine] {
        let service = VisitService(ctx: ctx)
        let zone = try await service.schedule(of: model).zone
        let visits = try await service.visits(from: ctx.now.addingTimeInterval(-3600), to: ctx.now.addingTimeInterval(7 * 86_400))
        return visits.filter { $0.status == .booked && $0.endAt > ctx.now }.prefix(8).map { v in
            let open = v.callIsOpen(now: ctx.now, earlyMinutes: ctx.config.callEarlyMinutes)
            return VisitLine(when: VisitPages.when(v.startAt, v.endAt, in: zone), patient: v.$patient.value?.$user.value?.name ?? "",
                             how: "\(v.visitTypeName), \(v.modality.displayName.lowercased())", join: open ? v.id.map { Paths.visitCall($0) } : nil)
        }
    }

    func therapist(_ user: CurrentUser) async throws -> TherapistContext {
        guard let therapistID = user.therapistID,
              let model = try await TherapistService.withCredentials(TherapistModel.query(on: ctx.db).filter(\.$id == therapistID)).first()
        else { throw DomainError.notFound("therapist-not-found", "No therapist record.") }
        let (request, search) = try req.listRequest()
        let standing = model.standing
        var rows: [TherapistPatientRow] = []
        var flagged: [FlaggedIntake] = []
        var flaggedMore = 0
        var total = 0
        if model.verification == .verified {
            let page = try await ctx.gate.list(.patientList, page: request, search: search, resource: "dashboard")
            total = page.total
            let intake = IntakeService(ctx: ctx)
            let statuses = try await intake.statuses(for: ctx.gate.also(.intakeStatusList, for: page.items, resource: "dashboard"))
            let practice = try await PracticeService(ctx: ctx).statuses(for: ctx.gate.also(.practiceStatusList, for: page.items, resource: "dashboard"))
            let suggestions = try await ProgressionService(ctx: ctx).pendingCounts(for: ctx.gate.also(.suggestionList, for: page.items, resource: "dashboard"))
            rows = page.items.map { p in
                let place = p.jurisdiction
                return TherapistPatientRow(
                    id: p.id.uuidString, intake: statuses[p.id], name: p.name, location: place?.displayName ?? "Not given",
                    dateOfBirth: p.dateOfBirth ?? "",
                    licensedThere: place.map { Licensure.authority(standing, in: $0, on: ctx.today, compact: ctx.config.compact) != nil } ?? false,
                    intakeLink: Paths.intake(p.id), measuresLink: Paths.measures(p.id), notesLink: Paths.notes(p.id),
                    practice: practice[p.id], planLink: Paths.plan(p.id), practiceLink: Paths.practice(p.id),
                    progressLink: Paths.progressPage(p.id), suggestions: suggestions[p.id] ?? 0)
            }
            let (waiting, outcomes) = try await intake.flagged(page: try ListPage(per: 20))
            flagged = waiting.items.map {
                FlaggedIntake(patientId: $0.id.uuidString, name: $0.name,
                              outcome: (outcomes[$0.id] ?? .therapistReview).rawValue.replacingOccurrences(of: "-", with: " "),
                              link: Paths.intake($0.id))
            }
            flaggedMore = max(0, waiting.total - waiting.items.count)
        }
        return TherapistContext(
            therapist: TherapistDTO(model, today: ctx.today, compact: ctx.config.compact),
            isVerified: model.verification == .verified, isPending: model.verification == .pending,
            isRejected: model.verification == .rejected, patients: rows,
            pager: Pager(request, total: total, query: search?.text, link: pageLink(request, search)), searchAction: Paths.dashboard(),
            flagged: flagged, flaggedMore: flaggedMore,
            visits: model.verification == .verified ? try await nextVisits(model) : [], visitsLink: Paths.visitsPage(),
            hoursLink: Paths.scheduleHours())
    }

    // MARK: Clinic admin

    struct MemberRow: Encodable {
        var name: String
        var email: String
        var role: String
        var status: String
    }

    struct AdminPatientRow: Encodable {
        var id: String
        var name: String
        var careTeam: [CareTeamRow]
        var caregivers: [CaregiverRow]
        var addCareTeamAction: String
        var linkCaregiverAction: String
        var billingLink: String
    }

    struct TherapistOption: Encodable {
        var id: String
        var name: String
        /// Their hours, days off and booking rules.
        var hours: String
    }

    struct PendingTherapist: Encodable {
        var therapist: TherapistDTO
        var verifyAction: String
        var rejectAction: String
    }

    struct ClinicAdminContext: Encodable {
        var clinics: String
        var pending: [PendingTherapist]
        var members: [MemberRow]
        var patients: [AdminPatientRow]
        var pager: Pager
        var searchAction: String
        var assignable: [TherapistOption]
        var caregiverForm: CaregiverFormContext
    }

    func clinicAdmin(_ user: CurrentUser) async throws -> ClinicAdminContext {
        let clinicIDs = user.adminClinicIDs
        let clinics = clinicIDs.isEmpty ? [] : try await ClinicModel.query(on: ctx.db).filter(\.$id ~~ clinicIDs).all()
        let therapists = try await TherapistService(ctx: ctx).therapistsForAdmin(status: nil)
            .map { TherapistDTO($0, today: ctx.today, compact: ctx.config.compact) }
        let memberships = clinicIDs.isEmpty ? [] : try await ClinicMembershipModel.query(on: ctx.db).filter(\.$clinic.$id ~~ clinicIDs)
            .with(\.$user).all()
        var seen = Set<UUID>()
        let members = memberships.filter { seen.insert($0.$user.id).inserted }.map { m -> MemberRow in
            let status = therapists.first { $0.userId == m.$user.id }.map(\.verification.capitalized) ?? "Active"
            return MemberRow(name: m.user.name, email: m.user.email, role: m.user.role.displayName, status: status)
        }.sorted { $0.name < $1.name }
        let (request, search) = try req.listRequest()
        let page = try await ctx.gate.list(.patientList, page: request, search: search, resource: "dashboard")
        let care = CareService(ctx: ctx)
        let teams = try await care.careTeams(for: ctx.gate.also(.careTeamRead, for: page.items, resource: "dashboard"))
        let links = try await care.caregiverLinks(for: ctx.gate.also(.caregiversRead, for: page.items, resource: "dashboard"))
        let patients = page.items.map { p in
            AdminPatientRow(id: p.id.uuidString, name: p.name, careTeam: careTeamRows(teams[p.id] ?? [], patientID: p.id),
                            caregivers: caregiverRows(links[p.id] ?? [], patientID: p.id),
                            addCareTeamAction: Paths.careTeam(p.id), linkCaregiverAction: Paths.caregivers(p.id),
                            billingLink: Paths.billingPage(p.id))
        }
        return ClinicAdminContext(
            clinics: clinics.map(\.name).sorted().joined(separator: ", "),
            pending: therapists.filter { $0.verification == VerificationStatus.pending.rawValue }.map {
                PendingTherapist(therapist: $0, verifyAction: Paths.therapistVerify($0.id), rejectAction: Paths.therapistReject($0.id))
            },
            members: members, patients: patients,
            pager: Pager(request, total: page.total, query: search?.text, link: pageLink(request, search)), searchAction: Paths.dashboard(),
            assignable: therapists.filter { $0.verification == VerificationStatus.verified.rawValue }
                .map { TherapistOption(id: $0.id.uuidString, name: $0.name, hours: Paths.scheduleHours(query: ["therapist": $0.id.uuidString])) },
            caregiverForm: CaregiverFormContext(now: ctx.now))
    }

    // MARK: Platform admin

    struct ClinicRow: Encodable {
        var id: String
        var name: String
        var kind: String
        var therapists: Int
        var admins: Int
        var patients: Int
        var addAdminAction: String
    }

    struct PlatformContext: Encodable {
        var clinics: [ClinicRow]
        var kinds: [Choice]
        var createAction: String
        /// Outside production, where the emails Gonio would have sent can be read.
        var outboxLink: String?
    }

    func platformAdmin() async throws -> PlatformContext {
        let overview = try await ClinicService(ctx: ctx).overview()
        return PlatformContext(
            clinics: overview.map {
                ClinicRow(id: $0.clinic.id!.uuidString, name: $0.clinic.name, kind: $0.clinic.kind.displayName,
                          therapists: $0.therapists, admins: $0.admins, patients: $0.patients,
                          addAdminAction: Paths.platformClinicAdmins($0.clinic.id!))
            },
            kinds: ClinicKind.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: false) },
            createAction: Paths.platformClinics(), outboxLink: ctx.config.isProduction || ctx.config.smtpURL != nil ? nil : Paths.outbox())
    }
}

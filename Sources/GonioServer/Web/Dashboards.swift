import Vapor
import Fluent
import GonioCore

/// One dashboard per role, each showing real data read through the same services and access
/// checks as the API.
struct Dashboards {
    let req: Request

    func render(notice: String? = nil, error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        func page<T: Encodable>(_ template: String, _ body: T) async throws -> Response {
            try await WebPage.render(req, template, title: "Your dashboard", body, notice: notice, error: error, status: status)
        }
        switch user.role {
        case .patient: return try await page("dashboard-patient", patient(user))
        case .caregiver: return try await page("dashboard-caregiver", caregiver(user))
        case .therapist: return try await page("dashboard-therapist", therapist(user))
        case .clinicAdmin: return try await page("dashboard-clinic-admin", clinicAdmin(user))
        case .platformAdmin: return try await page("dashboard-platform-admin", platformAdmin())
        }
    }

    static let dayFormat: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "d MMM yyyy"
        return f
    }()

    static func isoDay(_ date: Date) -> String {
        CalendarDay(utc: date).description
    }

    // MARK: Patient

    struct CareTeamRow: Encodable {
        var therapistId: String
        var name: String
    }

    struct CaregiverRow: Encodable {
        var id: String
        var name: String
        var email: String
        var scopes: String
        var until: String
        var status: String
        var active: Bool
    }

    typealias Option = WebController.Option

    /// What the "give a caregiver access" form needs, on the patient's and the admin's dashboards.
    struct CaregiverFormContext: Encodable {
        var scopes: [Option]
        var defaultExpiry: String
        var minExpiry: String

        init(now: Date) {
            let calendar = Calendar(identifier: .gregorian)
            scopes = CaregiverScope.allCases.map { Option(value: $0.rawValue, label: $0.displayName, selected: false) }
            defaultExpiry = Dashboards.isoDay(calendar.date(byAdding: .year, value: 1, to: now)!)
            minExpiry = Dashboards.isoDay(calendar.date(byAdding: .day, value: 1, to: now)!)
        }
    }

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
        var intake: IntakeStatus
        var measuresDue: Int
    }

    /// One line about the intake for dashboards.
    struct IntakeStatus: Encodable {
        var label: String
        var needsAction: Bool
    }

    func intakeStatus(_ patientID: UUID) async throws -> IntakeStatus {
        guard let model = try await IntakeService(req: req).find(patientID) else {
            return IntakeStatus(label: "Not started", needsAction: true)
        }
        guard model.status == "submitted" else { return IntakeStatus(label: "Draft saved, not submitted", needsAction: true) }
        let outcome = model.triageOutcome.flatMap(TriageOutcome.init(rawValue:)) ?? .clear
        let decision = model.decision.flatMap(TriageDecision.init(rawValue:))
        if outcome == .clear { return IntakeStatus(label: "Submitted: ready for online visits", needsAction: false) }
        if let decision { return IntakeStatus(label: "Submitted: \(IntakePages.decisionLabel(decision).lowercased())", needsAction: false) }
        return IntakeStatus(label: outcome == .emergency ? "Submitted: emergency care advised" : "Submitted: waiting for a therapist's review",
                            needsAction: false)
    }

    func caregiverRows(_ patientID: UUID) async throws -> [CaregiverRow] {
        let now = req.now
        return try await CareService(req: req).caregiverLinks(patientID).map { link, user in
            let active = link.grant.isActive(now: now.timeIntervalSince1970)
            let status = active ? "Active" : (link.revokedAt.map { $0 < link.expiresAt } == true ? "Revoked" : "Ended")
            return CaregiverRow(
                id: link.id!.uuidString, name: user.name, email: user.email,
                scopes: CaregiverScope.allCases.filter(link.scopeSet.contains).map(\.displayName).joined(separator: "; "),
                until: Self.dayFormat.string(from: link.expiresAt), status: status, active: active)
        }
    }

    func patient(_ user: CurrentUser) async throws -> PatientContext {
        guard let patientID = user.patientID else { throw DomainError.notFound("patient-not-found", "No patient record.") }
        let patient = try await req.patientAccess.authorize(.viewRecord, patientID: patientID)
        let clinic = try await ClinicModel.find(patient.clinicID, on: req.db)
        let team = try await CareService(req: req).careTeamMembers(patientID)
        return PatientContext(
            patientId: patientID.uuidString, name: user.name, email: user.email,
            dateOfBirth: patient.dateOfBirth ?? "Not given",
            location: patient.location.flatMap { try? Jurisdiction($0).displayName } ?? "Not given",
            clinic: clinic?.name ?? "",
            careTeam: team.map { CareTeamRow(therapistId: $0.0.id!.uuidString, name: $0.1.name) },
            caregivers: try await caregiverRows(patientID),
            caregiverForm: CaregiverFormContext(now: req.now),
            intake: try await intakeStatus(patientID),
            measuresDue: try await MeasureService(req: req).views(patientID).count { $0.due && $0.kind == "questionnaire" })
    }

    // MARK: Caregiver

    struct HelpedPatient: Encodable {
        var id: String
        var mayFillForms: Bool
        var intake: IntakeStatus
        var name: String
        var scopes: String
        var until: String
        var careTeam: String
    }

    struct CaregiverContext: Encodable { var patients: [HelpedPatient] }

    func caregiver(_ user: CurrentUser) async throws -> CaregiverContext {
        let visible = try await req.patientAccess.visiblePatients()
        let dtos = try await PatientDirectory(db: req.db).dtos(visible)
        let now = req.now.timeIntervalSince1970
        var rows: [HelpedPatient] = []
        for dto in dtos {
            let links = try await CaregiverLinkModel.query(on: req.db).filter(\.$patientID == dto.id)
                .filter(\.$caregiverUserID == user.userID).all().filter { $0.grant.isActive(now: now) }
            let scopes = links.reduce(into: Set<CaregiverScope>()) { $0.formUnion($1.scopeSet) }
            let team = try await CareService(req: req).careTeamMembers(dto.id).map(\.1.name)
            rows.append(HelpedPatient(
                id: dto.id.uuidString,
                mayFillForms: links.contains { !$0.scopeSet.isDisjoint(with: [.logPractice, .bookVisits]) },
                intake: try await intakeStatus(dto.id),
                name: dto.name, scopes: CaregiverScope.allCases.filter(scopes.contains).map(\.displayName).joined(separator: "; "),
                until: links.map(\.expiresAt).max().map(Self.dayFormat.string(from:)) ?? "",
                careTeam: team.isEmpty ? "No therapist yet" : team.joined(separator: ", ")))
        }
        return CaregiverContext(patients: rows)
    }

    // MARK: Therapist

    struct TherapistPatientRow: Encodable {
        var id: String
        var intake: IntakeStatus
        var name: String
        var location: String
        var dateOfBirth: String
        var licensedThere: Bool
    }

    struct TherapistContext: Encodable {
        var therapist: TherapistDTO
        var isVerified: Bool
        var isPending: Bool
        var isRejected: Bool
        var patients: [TherapistPatientRow]
        var flagged: [FlaggedIntake]
    }

    struct FlaggedIntake: Encodable {
        var patientId: String
        var name: String
        var outcome: String
    }

    func therapist(_ user: CurrentUser) async throws -> TherapistContext {
        guard let therapistID = user.therapistID, let model = try await TherapistModel.find(therapistID, on: req.db) else {
            throw DomainError.notFound("therapist-not-found", "No therapist record.")
        }
        let dto = try await TherapistDirectory(req: req).dtos([model])[0]
        let standing = try await TherapistService.standing(of: model, on: req.db)
        let patients = try await PatientDirectory(db: req.db).dtos(req.patientAccess.visiblePatients())
        let today = req.today
        var rows: [TherapistPatientRow] = []
        for p in patients {
            let place = p.location.flatMap { try? Jurisdiction($0) }
            rows.append(TherapistPatientRow(
                id: p.id.uuidString, intake: try await intakeStatus(p.id),
                name: p.name, location: place?.displayName ?? "Not given", dateOfBirth: p.dateOfBirth ?? "",
                licensedThere: place.map { Licensure.authority(standing, in: $0, on: today, compact: req.config.compact) != nil } ?? false))
        }
        let flagged = model.verification == "verified" ? try await IntakeService(req: req).flaggedForTherapist() : []
        return TherapistContext(
            therapist: dto, isVerified: model.verification == "verified", isPending: model.verification == "pending",
            isRejected: model.verification == "rejected",
            patients: rows,
            flagged: flagged.map { patient, intake in
                FlaggedIntake(patientId: patient.id!.uuidString, name: patients.first { $0.id == patient.id }?.name ?? "",
                              outcome: (intake.triageOutcome.flatMap(TriageOutcome.init(rawValue:)) ?? .therapistReview).rawValue.replacingOccurrences(of: "-", with: " "))
            })
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
    }

    struct TherapistOption: Encodable {
        var id: String
        var name: String
    }

    struct ClinicAdminContext: Encodable {
        var clinics: String
        var pending: [TherapistDTO]
        var members: [MemberRow]
        var patients: [AdminPatientRow]
        var assignable: [TherapistOption]
        var caregiverForm: CaregiverFormContext
    }

    func clinicAdmin(_ user: CurrentUser) async throws -> ClinicAdminContext {
        let service = TherapistService(req: req)
        let clinicIDs = try await service.adminClinics(user)
        let clinics = clinicIDs.isEmpty ? [] : try await ClinicModel.query(on: req.db).filter(\.$id ~~ clinicIDs).all()
        let therapists = try await service.therapistsForAdmin(status: nil)
        let therapistDTOs = try await TherapistDirectory(req: req).dtos(therapists)
        let memberships = clinicIDs.isEmpty ? [] : try await ClinicMembershipModel.query(on: req.db).filter(\.$clinicID ~~ clinicIDs).all()
        let memberUsers = memberships.isEmpty ? [] : try await UserModel.query(on: req.db).filter(\.$id ~~ Set(memberships.map(\.userID))).all()
        let members = memberUsers.map { u -> MemberRow in
            let status = therapistDTOs.first { $0.userId == u.id }.map(\.verification.capitalized) ?? "Active"
            return MemberRow(name: u.name, email: u.email, role: Role(rawValue: u.role)?.displayName ?? u.role, status: status)
        }.sorted { $0.name < $1.name }
        let visible = try await PatientDirectory(db: req.db).dtos(req.patientAccess.visiblePatients())
        var patients: [AdminPatientRow] = []
        for p in visible {
            let team = try await CareService(req: req).careTeamMembers(p.id)
            patients.append(AdminPatientRow(
                id: p.id.uuidString, name: p.name,
                careTeam: team.map { CareTeamRow(therapistId: $0.0.id!.uuidString, name: $0.1.name) },
                caregivers: try await caregiverRows(p.id)))
        }
        return ClinicAdminContext(
            clinics: clinics.map(\.name).sorted().joined(separator: ", "),
            pending: therapistDTOs.filter { $0.verification == VerificationStatus.pending.rawValue },
            members: members, patients: patients,
            assignable: therapistDTOs.filter { $0.verification == VerificationStatus.verified.rawValue }
                .map { TherapistOption(id: $0.id.uuidString, name: $0.name) },
            caregiverForm: CaregiverFormContext(now: req.now))
    }

    // MARK: Platform admin

    struct ClinicRow: Encodable {
        var id: String
        var name: String
        var kind: String
        var therapists: Int
        var admins: Int
        var patients: Int
    }

    struct PlatformContext: Encodable {
        var clinics: [ClinicRow]
        var kinds: [Option]
    }

    func platformAdmin() async throws -> PlatformContext {
        let overview = try await ClinicService(req: req).overview()
        return PlatformContext(
            clinics: overview.map {
                ClinicRow(id: $0.clinic.id!.uuidString, name: $0.clinic.name, kind: ClinicKind(rawValue: $0.clinic.kind)?.displayName ?? $0.clinic.kind,
                          therapists: $0.therapists, admins: $0.admins, patients: $0.patients)
            },
            kinds: ClinicKind.allCases.map { Option(value: $0.rawValue, label: $0.displayName, selected: false) })
    }
}

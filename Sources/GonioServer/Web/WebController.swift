import Vapor
import Fluent
import GonioCore

/// Server-rendered pages. Handlers decode the form, call the same services as the API, and
/// render or redirect. Errors in a form re-render the page with the message and real status.
struct WebController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: landing)
        routes.get("login", use: loginPage)
        routes.post("login", use: login)
        routes.post("logout", use: logout)
        routes.get("register", use: registerPage)
        routes.post("register", use: register)
        routes.get("dashboard", use: dashboard)
        routes.get("account", "password", use: passwordPage)
        routes.post("account", "password", use: changePassword)
        routes.post("patients", ":patientID", "caregivers", use: linkCaregiver)
        routes.post("patients", ":patientID", "caregivers", ":linkID", "revoke", use: revokeCaregiver)
        routes.post("patients", ":patientID", "care-team", use: addCareTeamMember)
        routes.post("patients", ":patientID", "care-team", ":therapistID", "remove", use: removeCareTeamMember)
        routes.post("clinic", "therapists", ":therapistID", "verify", use: verifyTherapist)
        routes.post("clinic", "therapists", ":therapistID", "reject", use: rejectTherapist)
        routes.get("clinic", "audit", use: auditPage)
        routes.post("platform", "clinics", use: createClinic)
        routes.post("platform", "clinics", ":clinicID", "admins", use: addClinicAdmin)
    }

    static let notices: [String: String] = [
        "registered": "Your account is ready. Welcome to Gonio.",
        "therapist-registered": "Your application is in. A clinic admin will verify your licence; you can sign in to see its status.",
        "password-changed": "Your password was changed. Other sessions were signed out.",
        "caregiver-linked": "The caregiver was linked.",
        "caregiver-revoked": "The caregiver's access was revoked.",
        "care-team-added": "The therapist was added to the care team.",
        "care-team-removed": "The therapist was removed from the care team.",
        "therapist-verified": "The therapist was verified.",
        "therapist-rejected": "The therapist's credentials were rejected; they will see your reason.",
        "clinic-created": "The clinic was created.",
        "clinic-admin-added": "The clinic admin account was created. Share the initial password privately and ask them to change it.",
        "signed-out": "You are signed out.",
    ]

    func notice(_ req: Request) -> String? {
        (try? req.query.get(String.self, at: "notice")).flatMap { Self.notices[$0] }
    }

    func done(_ code: String) -> Response {
        Response(status: .seeOther, headers: ["Location": "/dashboard?notice=\(code)"])
    }

    // MARK: Landing, sign-in, registration

    struct LandingContext: Encodable { var signedIn: Bool }

    func landing(req: Request) async throws -> Response {
        try await WebPage.render(req, "index", title: "Physical therapy at home, with your therapist",
                                 LandingContext(signedIn: req.currentUser != nil), notice: notice(req))
    }

    struct LoginContext: Encodable {
        var email: String
        var next: String
    }

    struct LoginForm: Content {
        var email: String?
        var password: String?
        var next: String?
    }

    /// Only same-site relative paths, to avoid open redirects.
    static func safeNext(_ raw: String?) -> String {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains("\\"), raw.count < 300 else { return "/dashboard" }
        return raw
    }

    func loginPage(req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(to: "/dashboard") }
        let next = Self.safeNext(try? req.query.get(String.self, at: "next"))
        return try await WebPage.render(req, "login", title: "Sign in", LoginContext(email: "", next: next), notice: notice(req))
    }

    func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let next = Self.safeNext(form.next)
        do {
            let user = try await AccountService(req: req).authenticate(email: form.email ?? "", password: form.password ?? "")
            let issued = try await SessionStore(db: req.db, config: req.config).issue(for: user.requireID(), kind: .browser, now: req.now)
            let response = req.redirect(to: next, redirectType: .normal)
            response.status = .seeOther
            response.cookies[SessionStore.cookieName] = .session(issued.token, for: req)
            response.cookies[CSRFProtection.cookieName] = .expired(for: req)
            return response
        } catch let error as DomainError {
            return try await WebPage.render(req, "login", title: "Sign in",
                                            LoginContext(email: String((form.email ?? "").prefix(254)), next: next),
                                            error: error.message, status: HTTPResponseStatus(domain: error))
        }
    }

    func logout(req: Request) async throws -> Response {
        if let user = req.currentUser {
            try await SessionStore(db: req.db, config: req.config).revoke(sessionID: user.sessionID, now: req.now)
        }
        let response = Response(status: .seeOther, headers: ["Location": "/login?notice=signed-out"])
        response.cookies[SessionStore.cookieName] = .expired(for: req)
        return response
    }

    struct Option: Encodable {
        var value: String
        var label: String
        var selected: Bool
    }

    struct RegisterContext: Encodable {
        var form: RegisterForm
        var clinics: [Option]
        var roles: [Option]
        var states: [Option]
        var licenseTypes: [Option]
    }

    struct RegisterForm: Content {
        var name: String?
        var email: String?
        var password: String?
        var role: String?
        var clinicId: String?
        var dateOfBirth: String?
        var location: String?
        var licenseNumber: String?
        var licenseType: String?
        var licenseJurisdiction: String?
        var licenseExpiresOn: String?
        var licenseIsHome: String?
        var compactPrivileges: String?
    }

    func registerContext(_ req: Request, form: RegisterForm) async throws -> RegisterContext {
        let clinics = try await ClinicModel.query(on: req.db).sort(\.$name).all()
        let roleLabels: [Role: String] = [
            .patient: "I am a patient", .caregiver: "I help a patient (caregiver)", .therapist: "I am a physical therapist",
        ]
        let states = Jurisdiction.usStates.sorted { $0.value < $1.value }
        return RegisterContext(
            form: form,
            clinics: clinics.map { Option(value: $0.id!.uuidString, label: $0.name, selected: $0.id?.uuidString == form.clinicId) },
            roles: Role.selfRegistrable.map { Option(value: $0.rawValue, label: roleLabels[$0]!, selected: $0.rawValue == (form.role ?? "patient")) },
            states: states.map { Option(value: "US-\($0.key)", label: $0.value, selected: "US-\($0.key)" == form.location) },
            licenseTypes: LicenseType.allCases.map { Option(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == form.licenseType) })
    }

    func registerPage(req: Request) async throws -> Response {
        try await WebPage.render(req, "register", title: "Create an account", registerContext(req, form: RegisterForm()))
    }

    func register(req: Request) async throws -> Response {
        var form = try req.content.decode(RegisterForm.self)
        do {
            let clinicID = form.clinicId.flatMap(UUID.init(uuidString:))
            var licenses: [AccountService.LicenseInput] = []
            var privileges: [AccountService.PrivilegeInput] = []
            if form.role == Role.therapist.rawValue {
                let expires = form.licenseExpiresOn ?? ""
                licenses = [.init(number: form.licenseNumber ?? "", type: form.licenseType ?? "", jurisdiction: form.licenseJurisdiction ?? "",
                                  expiresOn: expires, isHomeState: form.licenseIsHome == "on")]
                // A privilege lasts as long as the home-state licence (CLINICAL.md §4).
                privileges = (form.compactPrivileges ?? "").split(whereSeparator: { $0 == "," || $0 == " " })
                    .map { .init(jurisdiction: String($0), expiresOn: expires) }
            }
            let input = AccountService.Registration(
                email: form.email ?? "", password: form.password ?? "", name: form.name ?? "", role: form.role ?? "",
                clinicId: clinicID, dateOfBirth: form.dateOfBirth, location: form.location, licenses: licenses,
                compactPrivileges: privileges)
            let user = try await AccountService(req: req).register(input)
            let issued = try await SessionStore(db: req.db, config: req.config).issue(for: user.requireID(), kind: .browser, now: req.now)
            let code = user.role == Role.therapist.rawValue ? "therapist-registered" : "registered"
            let response = Response(status: .seeOther, headers: ["Location": "/dashboard?notice=\(code)"])
            response.cookies[SessionStore.cookieName] = .session(issued.token, for: req)
            response.cookies[CSRFProtection.cookieName] = .expired(for: req)
            return response
        } catch let error as DomainError {
            form.password = nil
            return try await WebPage.render(req, "register", title: "Create an account", registerContext(req, form: form),
                                            error: error.message, status: HTTPResponseStatus(domain: error))
        }
    }

    // MARK: Password

    struct PasswordForm: Content {
        var currentPassword: String?
        var newPassword: String?
        var confirmPassword: String?
    }

    func passwordPage(req: Request) async throws -> Response {
        _ = try req.requireUser()
        return try await WebPage.render(req, "password", title: "Change password", Empty())
    }

    func changePassword(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(PasswordForm.self)
        do {
            guard form.newPassword == form.confirmPassword else {
                throw DomainError.invalid("password-mismatch", "The new passwords do not match.")
            }
            try await AccountService(req: req).changePassword(user, current: form.currentPassword ?? "", new: form.newPassword ?? "")
            return done("password-changed")
        } catch let error as DomainError {
            return try await WebPage.render(req, "password", title: "Change password", Empty(),
                                            error: error.message, status: HTTPResponseStatus(domain: error))
        }
    }

    // MARK: Dashboard

    func dashboard(req: Request) async throws -> Response {
        try await Dashboards(req: req).render(notice: notice(req))
    }

    /// Runs a dashboard action; on a rule violation the dashboard is shown again with the message.
    func act(_ req: Request, _ code: String, _ body: () async throws -> Void) async throws -> Response {
        _ = try req.requireUser()
        do {
            try await body()
            return done(code)
        } catch let error as DomainError {
            return try await Dashboards(req: req).render(error: error.message, status: HTTPResponseStatus(domain: error))
        }
    }

    struct CaregiverForm: Content {
        var caregiverEmail: String?
        var scopes: [String]?
        var expiresOn: String?
    }

    func linkCaregiver(req: Request) async throws -> Response {
        let patientID = try req.uuidParameter("patientID")
        let form = try req.content.decode(CaregiverForm.self)
        return try await act(req, "caregiver-linked") {
            _ = try await CareService(req: req).linkCaregiver(
                patientID: patientID, caregiverEmail: form.caregiverEmail ?? "", scopes: form.scopes ?? [], expiresOn: form.expiresOn ?? "")
        }
    }

    func revokeCaregiver(req: Request) async throws -> Response {
        let patientID = try req.uuidParameter("patientID")
        let linkID = try req.uuidParameter("linkID")
        return try await act(req, "caregiver-revoked") {
            _ = try await CareService(req: req).revokeCaregiver(patientID: patientID, linkID: linkID)
        }
    }

    struct CareTeamForm: Content { var therapistId: String? }

    func addCareTeamMember(req: Request) async throws -> Response {
        let patientID = try req.uuidParameter("patientID")
        let form = try req.content.decode(CareTeamForm.self)
        return try await act(req, "care-team-added") {
            guard let id = form.therapistId.flatMap(UUID.init(uuidString:)) else {
                throw DomainError.invalid("therapist-invalid", "Choose a therapist.")
            }
            try await CareService(req: req).addToCareTeam(patientID: patientID, therapistID: id)
        }
    }

    func removeCareTeamMember(req: Request) async throws -> Response {
        let patientID = try req.uuidParameter("patientID")
        let therapistID = try req.uuidParameter("therapistID")
        return try await act(req, "care-team-removed") {
            try await CareService(req: req).removeFromCareTeam(patientID: patientID, therapistID: therapistID)
        }
    }

    struct DecisionForm: Content { var reason: String? }

    func verifyTherapist(req: Request) async throws -> Response {
        let id = try req.uuidParameter("therapistID")
        return try await act(req, "therapist-verified") {
            _ = try await TherapistService(req: req).decide(therapistID: id, verified: true, reason: nil)
        }
    }

    func rejectTherapist(req: Request) async throws -> Response {
        let id = try req.uuidParameter("therapistID")
        let form = try req.content.decode(DecisionForm.self)
        return try await act(req, "therapist-rejected") {
            _ = try await TherapistService(req: req).decide(therapistID: id, verified: false, reason: form.reason)
        }
    }

    struct ClinicForm: Content {
        var name: String?
        var kind: String?
    }

    func createClinic(req: Request) async throws -> Response {
        let form = try req.content.decode(ClinicForm.self)
        return try await act(req, "clinic-created") {
            _ = try await ClinicService(req: req).create(name: form.name ?? "", kind: form.kind ?? "")
        }
    }

    struct ClinicAdminForm: Content {
        var name: String?
        var email: String?
        var password: String?
    }

    func addClinicAdmin(req: Request) async throws -> Response {
        let clinicID = try req.uuidParameter("clinicID")
        let form = try req.content.decode(ClinicAdminForm.self)
        return try await act(req, "clinic-admin-added") {
            _ = try await ClinicService(req: req).addAdmin(clinicID: clinicID, name: form.name ?? "", email: form.email ?? "",
                                                           password: form.password ?? "")
        }
    }

    // MARK: Audit

    struct AuditForm: Content {
        var patientId: String?
        var outcome: String?
        var action: String?
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
        var patients: [Option]
        var outcomes: [Option]
        var actions: [Option]
        var rows: [AuditRow]
        var filtered: Bool
    }

    func auditPage(req: Request) async throws -> Response {
        _ = try req.requireUser(.clinicAdmin)
        let form = try req.query.decode(AuditForm.self)
        var query = AuditQuery(limit: 200)
        if let raw = form.patientId, !raw.isEmpty {
            guard let id = UUID(uuidString: raw) else { throw DomainError.invalid("patient-invalid", "Choose a patient from the list.") }
            query.patientId = id
        }
        if let o = form.outcome, !o.isEmpty { query.outcome = o }
        if let a = form.action, !a.isEmpty { query.action = a }
        let entries = try await query.run(on: req)
        let patients = try await PatientDirectory(db: req.db).dtos(req.patientAccess.visiblePatients())
        let userIDs = Set(entries.compactMap(\.actorUserID))
        let actors = userIDs.isEmpty ? [] : try await UserModel.query(on: req.db).filter(\.$id ~~ userIDs).all()
        let formatter = ISO8601DateFormatter()
        let rows = entries.map { e in
            AuditRow(
                at: formatter.string(from: e.at),
                actor: e.actorUserID.flatMap { id in actors.first { $0.id == id }.map { "\($0.name) (\(Role(rawValue: e.actorRole)?.displayName ?? e.actorRole))" } } ?? e.actorRole,
                action: e.action,
                patient: e.patientID.flatMap { id in patients.first { $0.id == id }?.name } ?? (e.patientID?.uuidString ?? "—"),
                resource: e.resource, address: e.clientAddress, outcome: e.outcome, reason: e.reason ?? "")
        }
        let context = AuditContext(
            patients: patients.map { Option(value: $0.id.uuidString, label: $0.name, selected: $0.id == query.patientId) },
            outcomes: AuditOutcome.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0.rawValue == query.outcome) },
            actions: PatientAction.allCases.map { Option(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == query.action) },
            rows: rows, filtered: query.patientId != nil || query.outcome != nil || query.action != nil)
        return try await WebPage.render(req, "audit", title: "Audit log", context)
    }
}

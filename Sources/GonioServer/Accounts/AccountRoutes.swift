import Vapor
import Fluent
import GonioCore

/// Accounts: sign-in and sign-out, registration, the caller's own account and password, as
/// JSON and as pages.
struct AccountRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.openAPI.post(Paths.API.token, use: createToken)
        routes.openAPI.post(Paths.API.accounts, use: registerAPI)
        routes.api.delete(Paths.API.token, use: revokeToken)
        routes.api.get(Paths.API.me, use: me)
        routes.api.post(Paths.API.mePassword, use: changePasswordAPI)

        routes.web.get(Paths.home, use: landing)
        routes.web.get(Paths.login, use: loginPage)
        routes.web.post(Paths.login, use: login)
        routes.web.post(Paths.logout, use: logout)
        routes.web.get(Paths.register, use: registerPage)
        routes.web.post(Paths.register, use: registerForm)
        routes.web.get(Paths.password, use: passwordPage)
        routes.web.post(Paths.password, use: changePassword)
    }

    // MARK: API

    struct Credentials: Content {
        var email: String
        var password: String
    }

    func createToken(req: Request) async throws -> Response {
        let body = try req.content.decode(Credentials.self)
        let ctx = req.context
        let user = try await AccountService(ctx: ctx).authenticate(email: body.email, password: body.password)
        let issued = try await SessionStore(ctx).issue(for: user.requireID(), kind: .api, now: ctx.now)
        let dto = TokenResponse(token: issued.token, expiresAt: issued.expiresAt, user: try UserSummaryDTO(user))
        let response = try await dto.encodeResponse(status: .ok, for: req)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    func revokeToken(req: Request) async throws -> HTTPStatus {
        let ctx = req.context
        try await SessionStore(ctx).revoke(sessionID: ctx.requireUser().sessionID, now: ctx.now)
        return .noContent
    }

    func registerAPI(req: Request) async throws -> Response {
        let input = try req.content.decode(AccountService.Registration.self)
        let user = try await AccountService(ctx: req.context).register(input)
        return try await UserSummaryDTO(user).encodeResponse(status: .created, for: req)
    }

    func me(req: Request) async throws -> MeDTO {
        let ctx = req.context
        let user = try ctx.requireUser()
        var verification: String?
        if let id = user.therapistID { verification = try await TherapistModel.find(id, on: ctx.db)?.verification.rawValue }
        let expiry = ctx.config.sessionPolicy.expiry(createdAt: user.sessionCreatedAt.timeIntervalSince1970,
                                                     lastSeenAt: ctx.now.timeIntervalSince1970)
        return MeDTO(id: user.userID, email: user.email, name: user.name, role: user.role.rawValue,
                     patientId: user.patientID, therapistId: user.therapistID, therapistVerification: verification,
                     clinicIds: user.clinicIDs, sessionExpiresAt: Date(timeIntervalSince1970: expiry))
    }

    struct PasswordChange: Content {
        var currentPassword: String
        var newPassword: String
    }

    func changePasswordAPI(req: Request) async throws -> HTTPStatus {
        let body = try req.content.decode(PasswordChange.self)
        try await AccountService(ctx: req.context).changePassword(current: body.currentPassword, new: body.newPassword)
        return .noContent
    }

    // MARK: Pages

    static let notices: [String: String] = [
        "registered": "Your account is ready. Welcome to Gonio.",
        "therapist-registered": "Your application is in. A clinic admin will verify your licence; you can sign in to see its status.",
        "password-changed": "Your password was changed. Other sessions were signed out.",
        "signed-out": "You are signed out.",
    ]

    struct LandingContext: Encodable { var signedIn: Bool }

    func landing(req: Request) async throws -> Response {
        try await WebPage.render(req, "index", title: "Physical therapy at home, with your therapist",
                                 LandingContext(signedIn: req.currentUser != nil), notice: WebPage.notice(req, Self.notices))
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

    /// Where to go after signing in: a local path only (see `InputRules.localRedirectPath`).
    static func safeNext(_ raw: String?) -> String {
        InputRules.localRedirectPath(raw) ?? Paths.dashboard()
    }

    func loginPage(req: Request) async throws -> Response {
        if req.currentUser != nil { return WebPage.seeOther(Paths.dashboard()) }
        let next = Self.safeNext(try? req.query.get(String.self, at: "next"))
        return try await WebPage.render(req, "login", title: "Sign in", LoginContext(email: "", next: next),
                                        notice: WebPage.notice(req, Self.notices))
    }

    func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let next = Self.safeNext(form.next)
        let ctx = req.context
        do {
            let user = try await AccountService(ctx: ctx).authenticate(email: form.email ?? "", password: form.password ?? "")
            let issued = try await SessionStore(ctx).issue(for: user.requireID(), kind: .browser, now: ctx.now)
            let response = WebPage.seeOther(next)
            response.cookies[SessionStore.cookieName] = .session(issued.token, for: req)
            response.cookies[CSRFProtection.cookieName] = .expired(for: req)
            return response
        } catch let error as DomainError {
            let response = try await WebPage.render(req, "login", title: "Sign in",
                                                    LoginContext(email: String((form.email ?? "").prefix(254)), next: next),
                                                    error: error.message, status: HTTPResponseStatus(domain: error))
            if let wait = error.retryAfter { response.headers.replaceOrAdd(name: .retryAfter, value: String(wait)) }
            return response
        }
    }

    func logout(req: Request) async throws -> Response {
        let ctx = req.context
        if let user = ctx.user { try await SessionStore(ctx).revoke(sessionID: user.sessionID, now: ctx.now) }
        let response = WebPage.seeOther(Paths.login(query: ["notice": "signed-out"]))
        response.cookies[SessionStore.cookieName] = .expired(for: req)
        return response
    }

    struct RegisterContext: Encodable {
        var form: RegisterForm
        var clinics: [Choice]
        var roles: [Choice]
        var states: [Choice]
        var licenseTypes: [Choice]
    }

    struct RegisterForm: Content {
        var name: String?
        var email: String?
        var password: String?
        var role: String?
        var clinicId: String?
        var dateOfBirth: String?
        var location: String?
        var timeZone: String?
        var licenseNumber: String?
        var licenseType: String?
        var licenseJurisdiction: String?
        var licenseExpiresOn: String?
        var licenseIsHome: String?
        var compactPrivileges: String?
    }

    func registerContext(_ req: Request, form: RegisterForm) async throws -> RegisterContext {
        let clinics = try await ClinicModel.query(on: req.database).sort(\.$name).all()
        let roleLabels: [Role: String] = [
            .patient: "I am a patient", .caregiver: "I help a patient (caregiver)", .therapist: "I am a physical therapist",
        ]
        return RegisterContext(
            form: form,
            clinics: clinics.map { Choice(value: $0.id!.uuidString, label: $0.name, selected: $0.id?.uuidString == form.clinicId) },
            roles: Role.selfRegistrable.map { Choice(value: $0.rawValue, label: roleLabels[$0]!, selected: $0.rawValue == (form.role ?? "patient")) },
            states: Choice.usStates(selected: form.location),
            licenseTypes: LicenseType.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == form.licenseType) })
    }

    func registerPage(req: Request) async throws -> Response {
        try await WebPage.render(req, "register", title: "Create an account", registerContext(req, form: RegisterForm()))
    }

    func registerForm(req: Request) async throws -> Response {
        var form = try req.content.decode(RegisterForm.self)
        let ctx = req.context
        do {
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
                clinicId: form.clinicId.flatMap(UUID.init(uuidString:)), dateOfBirth: form.dateOfBirth, location: form.location,
                timeZone: form.timeZone,
                licenses: licenses, compactPrivileges: privileges)
            let user = try await AccountService(ctx: ctx).register(input)
            let issued = try await SessionStore(ctx).issue(for: user.requireID(), kind: .browser, now: ctx.now)
            let response = WebPage.seeOther(Paths.dashboard(query: ["notice": user.role == .therapist ? "therapist-registered" : "registered"]))
            response.cookies[SessionStore.cookieName] = .session(issued.token, for: req)
            response.cookies[CSRFProtection.cookieName] = .expired(for: req)
            return response
        } catch let error as DomainError {
            form.password = nil
            return try await WebPage.render(req, "register", title: "Create an account", registerContext(req, form: form),
                                            error: error.message, status: HTTPResponseStatus(domain: error))
        }
    }

    struct PasswordForm: Content {
        var currentPassword: String?
        var newPassword: String?
        var confirmPassword: String?
    }

    func passwordPage(req: Request) async throws -> Response {
        _ = try req.context.requireUser()
        return try await WebPage.render(req, "password", title: "Change password", Empty())
    }

    func changePassword(req: Request) async throws -> Response {
        let ctx = req.context
        _ = try ctx.requireUser()
        let form = try req.content.decode(PasswordForm.self)
        do {
            guard form.newPassword == form.confirmPassword else {
                throw DomainError.invalid("password-mismatch", "The new passwords do not match.")
            }
            try await AccountService(ctx: ctx).changePassword(current: form.currentPassword ?? "", new: form.newPassword ?? "")
            return WebPage.seeOther(Paths.dashboard(query: ["notice": "password-changed"]))
        } catch let error as DomainError {
            return try await WebPage.render(req, "password", title: "Change password", Empty(),
                                            error: error.message, status: HTTPResponseStatus(domain: error))
        }
    }
}

/// Shapes sent over the JSON API about accounts. Fluent models never leave the server.
struct UserSummaryDTO: Content {
    var id: UUID
    var role: String
    var name: String

    init(_ user: UserModel) throws {
        id = try user.requireID()
        role = user.role.rawValue
        name = user.name
    }
}

struct TokenResponse: Content {
    var token: String
    var expiresAt: Date
    var user: UserSummaryDTO
}

struct MeDTO: Content {
    var id: UUID
    var email: String
    var name: String
    var role: String
    var patientId: UUID?
    var therapistId: UUID?
    var therapistVerification: String?
    var clinicIds: [UUID]
    var sessionExpiresAt: Date
}

struct ErrorBody: Content {
    struct Detail: Content {
        var code: String
        var message: String
    }
    var error: Detail
}

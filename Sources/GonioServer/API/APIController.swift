import Vapor
import Fluent
import GonioCore

/// The JSON API under /api/v1. Each handler decodes, authorises through PatientAccess (for
/// patient data), calls a service and encodes a DTO. Described by Resources/openapi.json.
struct APIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let open = routes.grouped("api", "v1")
        open.get("openapi.json", use: openAPIDocument)
        open.post("auth", "token", use: createToken)
        open.post("accounts", use: register)
        open.get("clinics", use: listClinics)
        // Everything else needs a signed-in caller: 401 comes before any input is read.
        let api = open.grouped(RequireSignIn())
        api.delete("auth", "token", use: revokeToken)
        api.post("clinics", use: createClinic)
        api.post("clinics", ":clinicID", "admins", use: addClinicAdmin)
        api.get("me", use: me)
        api.post("me", "password", use: changePassword)
        api.get("patients", use: listPatients)
        api.get("patients", ":patientID", use: getPatient)
        api.get("patients", ":patientID", "care-team", use: careTeam)
        api.post("patients", ":patientID", "care-team", use: addCareTeamMember)
        api.delete("patients", ":patientID", "care-team", ":therapistID", use: removeCareTeamMember)
        api.get("patients", ":patientID", "caregivers", use: caregivers)
        api.post("patients", ":patientID", "caregivers", use: linkCaregiver)
        api.delete("patients", ":patientID", "caregivers", ":linkID", use: revokeCaregiver)
        api.get("therapists", use: listTherapists)
        api.get("therapists", ":therapistID", use: getTherapist)
        api.post("therapists", ":therapistID", "verification", use: decideVerification)
        api.get("audit", use: audit)
    }

    // MARK: Auth

    struct Credentials: Content {
        var email: String
        var password: String
    }

    func createToken(req: Request) async throws -> Response {
        let body = try req.content.decode(Credentials.self)
        let user = try await AccountService(req: req).authenticate(email: body.email, password: body.password)
        let issued = try await SessionStore(db: req.db, config: req.config).issue(for: user.requireID(), kind: .api, now: req.now)
        let dto = TokenResponse(token: issued.token, expiresAt: issued.expiresAt,
                                user: UserSummaryDTO(id: try user.requireID(), role: user.role, name: user.name))
        let response = try await dto.encodeResponse(status: .ok, for: req)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    func revokeToken(req: Request) async throws -> HTTPStatus {
        let user = try req.requireUser()
        try await SessionStore(db: req.db, config: req.config).revoke(sessionID: user.sessionID, now: req.now)
        return .noContent
    }

    func register(req: Request) async throws -> Response {
        let input = try req.content.decode(AccountService.Registration.self)
        let user = try await AccountService(req: req).register(input)
        return try await UserSummaryDTO(id: user.requireID(), role: user.role, name: user.name)
            .encodeResponse(status: .created, for: req)
    }

    func me(req: Request) async throws -> MeDTO {
        let user = try req.requireUser()
        var verification: String?
        if let id = user.therapistID { verification = try await TherapistModel.find(id, on: req.db)?.verification }
        let expiry = req.config.sessionPolicy.expiry(createdAt: user.sessionCreatedAt.timeIntervalSince1970,
                                                     lastSeenAt: req.now.timeIntervalSince1970)
        return MeDTO(id: user.userID, email: user.email, name: user.name, role: user.role.rawValue,
                     patientId: user.patientID, therapistId: user.therapistID, therapistVerification: verification,
                     clinicIds: user.clinicIDs, sessionExpiresAt: Date(timeIntervalSince1970: expiry))
    }

    struct PasswordChange: Content {
        var currentPassword: String
        var newPassword: String
    }

    func changePassword(req: Request) async throws -> HTTPStatus {
        let user = try req.requireUser()
        let body = try req.content.decode(PasswordChange.self)
        try await AccountService(req: req).changePassword(user, current: body.currentPassword, new: body.newPassword)
        return .noContent
    }

    // MARK: Clinics

    func listClinics(req: Request) async throws -> [ClinicDTO] {
        try await ClinicModel.query(on: req.db).sort(\.$name).all().map(ClinicDTO.init)
    }

    struct NewClinic: Content {
        var name: String
        var kind: String
    }

    func createClinic(req: Request) async throws -> Response {
        _ = try req.requireUser(.platformAdmin)
        let body = try req.content.decode(NewClinic.self)
        let clinic = try await ClinicService(req: req).create(name: body.name, kind: body.kind)
        return try await ClinicDTO(clinic).encodeResponse(status: .created, for: req)
    }

    struct NewClinicAdmin: Content {
        var name: String
        var email: String
        var password: String
    }

    func addClinicAdmin(req: Request) async throws -> Response {
        _ = try req.requireUser(.platformAdmin)
        let clinicID = try req.uuidParameter("clinicID")
        let body = try req.content.decode(NewClinicAdmin.self)
        let user = try await ClinicService(req: req).addAdmin(clinicID: clinicID, name: body.name, email: body.email, password: body.password)
        return try await UserSummaryDTO(id: user.requireID(), role: user.role, name: user.name).encodeResponse(status: .created, for: req)
    }

    // MARK: Patients

    func listPatients(req: Request) async throws -> [PatientDTO] {
        let patients = try await req.patientAccess.visiblePatients()
        return try await PatientDirectory(db: req.db).dtos(patients)
    }

    func getPatient(req: Request) async throws -> PatientDTO {
        let id = try req.uuidParameter("patientID")
        let patient = try await req.patientAccess.authorize(.viewRecord, patientID: id)
        return try await PatientDirectory(db: req.db).dtos([patient])[0]
    }

    func careTeam(req: Request) async throws -> [CareTeamMemberDTO] {
        let id = try req.uuidParameter("patientID")
        return try await CareService(req: req).careTeam(patientID: id).map {
            CareTeamMemberDTO(therapistId: $0.0.id!, name: $0.1.name, verification: $0.0.verification)
        }
    }

    struct NewCareTeamMember: Content {
        var therapistId: UUID
    }

    func addCareTeamMember(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let body = try req.content.decode(NewCareTeamMember.self)
        let service = CareService(req: req)
        try await service.addToCareTeam(patientID: id, therapistID: body.therapistId)
        let members = try await service.careTeamMembers(id).map {
            CareTeamMemberDTO(therapistId: $0.0.id!, name: $0.1.name, verification: $0.0.verification)
        }
        return try await members.encodeResponse(status: .created, for: req)
    }

    func removeCareTeamMember(req: Request) async throws -> HTTPStatus {
        let id = try req.uuidParameter("patientID")
        let therapistID = try req.uuidParameter("therapistID")
        try await CareService(req: req).removeFromCareTeam(patientID: id, therapistID: therapistID)
        return .noContent
    }

    func caregivers(req: Request) async throws -> [CaregiverLinkDTO] {
        let id = try req.uuidParameter("patientID")
        return try await CareService(req: req).caregivers(patientID: id).map { CaregiverLinkDTO($0.0, user: $0.1, now: req.now) }
    }

    struct NewCaregiverLink: Content {
        var caregiverEmail: String
        var scopes: [String]
        var expiresOn: String
    }

    func linkCaregiver(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        _ = try req.requireUser()
        let body = try req.content.decode(NewCaregiverLink.self)
        let link = try await CareService(req: req).linkCaregiver(
            patientID: id, caregiverEmail: body.caregiverEmail, scopes: body.scopes, expiresOn: body.expiresOn)
        guard let user = try await UserModel.find(link.caregiverUserID, on: req.db) else { throw Abort(.internalServerError) }
        return try await CaregiverLinkDTO(link, user: user, now: req.now).encodeResponse(status: .created, for: req)
    }

    func revokeCaregiver(req: Request) async throws -> CaregiverLinkDTO {
        let id = try req.uuidParameter("patientID")
        let linkID = try req.uuidParameter("linkID")
        let link = try await CareService(req: req).revokeCaregiver(patientID: id, linkID: linkID)
        guard let user = try await UserModel.find(link.caregiverUserID, on: req.db) else { throw Abort(.internalServerError) }
        return CaregiverLinkDTO(link, user: user, now: req.now)
    }

    // MARK: Therapists

    struct TherapistFilter: Content {
        var status: String?
    }

    func listTherapists(req: Request) async throws -> [TherapistDTO] {
        _ = try req.requireUser(.clinicAdmin)
        let filter = try req.query.decode(TherapistFilter.self)
        var status: VerificationStatus?
        if let raw = filter.status {
            guard let s = VerificationStatus(rawValue: raw) else {
                throw DomainError.invalid("status-invalid", "status must be pending, verified or rejected.")
            }
            status = s
        }
        let therapists = try await TherapistService(req: req).therapistsForAdmin(status: status)
        return try await TherapistDirectory(req: req).dtos(therapists)
    }

    func getTherapist(req: Request) async throws -> TherapistDTO {
        let id = try req.uuidParameter("therapistID")
        _ = try req.requireUser()
        let therapist = try await TherapistService(req: req).visibleTherapist(id)
        return try await TherapistDirectory(req: req).dtos([therapist])[0]
    }

    struct VerificationDecision: Content {
        var decision: String
        var reason: String?
    }

    func decideVerification(req: Request) async throws -> TherapistDTO {
        let id = try req.uuidParameter("therapistID")
        _ = try req.requireUser(.clinicAdmin)
        let body = try req.content.decode(VerificationDecision.self)
        guard let decision = VerificationStatus(rawValue: body.decision), decision != .pending else {
            throw DomainError.invalid("decision-invalid", "decision must be verified or rejected.")
        }
        let therapist = try await TherapistService(req: req).decide(therapistID: id, verified: decision == .verified, reason: body.reason)
        return try await TherapistDirectory(req: req).dtos([therapist])[0]
    }

    // MARK: Audit

    func audit(req: Request) async throws -> [AuditEntryDTO] {
        _ = try req.requireUser()
        let query = try req.query.decode(AuditQuery.self)
        return try await query.run(on: req).map(AuditEntryDTO.init)
    }

    // MARK: Document

    func openAPIDocument(req: Request) async throws -> Response {
        let path = req.application.directory.resourcesDirectory + "openapi.json"
        let response = try await req.fileio.asyncStreamFile(at: path)
        response.headers.contentType = .json
        return response
    }
}

/// Refuses anonymous callers before a handler reads any input.
struct RequireSignIn: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        _ = try req.requireUser()
        return try await next.respond(to: req)
    }
}

extension Request {
    /// A UUID path parameter, or 404 (a malformed id names nothing).
    func uuidParameter(_ name: String) throws -> UUID {
        guard let raw = parameters.get(name), let id = UUID(uuidString: raw) else {
            throw DomainError.notFound("not-found", "No \(name.replacingOccurrences(of: "ID", with: "")) with that id.")
        }
        return id
    }
}

/// Turns patient models into DTOs with one query for their users.
struct PatientDirectory {
    let db: any Database

    func dtos(_ patients: [PatientModel]) async throws -> [PatientDTO] {
        guard !patients.isEmpty else { return [] }
        let users = try await UserModel.query(on: db).filter(\.$id ~~ Set(patients.map(\.userID))).all()
        return patients.compactMap { p in users.first { $0.id == p.userID }.map { PatientDTO(p, user: $0) } }
            .sorted { $0.name < $1.name }
    }
}

struct TherapistDirectory {
    let req: Request

    func dtos(_ therapists: [TherapistModel]) async throws -> [TherapistDTO] {
        guard !therapists.isEmpty else { return [] }
        let users = try await UserModel.query(on: req.db).filter(\.$id ~~ Set(therapists.map(\.userID))).all()
        var result: [TherapistDTO] = []
        for t in therapists {
            guard let user = users.first(where: { $0.id == t.userID }) else { continue }
            let standing = try await TherapistService.standing(of: t, on: req.db)
            result.append(TherapistDTO(t, user: user, standing: standing, today: req.today, compact: req.config.compact))
        }
        return result
    }
}

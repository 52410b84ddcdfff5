import Vapor
import Fluent
import GonioCore

/// Clinics and their people: platform admins create clinics and appoint clinic admins; clinic
/// admins verify or reject therapists' credentials.
struct ClinicRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.openAPI.get(Paths.API.clinics, use: listClinics)
        routes.api.post(Paths.API.clinics, use: createClinic)
        routes.api.post(Paths.API.clinicAdmins, use: addClinicAdmin)
        routes.api.get(Paths.API.therapists, use: listTherapists)
        routes.api.get(Paths.API.therapist, use: getTherapist)
        routes.api.post(Paths.API.therapistVerification, use: decideVerification)

        routes.web.post(Paths.therapistVerify, use: verifyForm)
        routes.web.post(Paths.therapistReject, use: rejectForm)
        routes.web.post(Paths.platformClinics, use: createClinicForm)
        routes.web.post(Paths.platformClinicAdmins, use: addClinicAdminForm)
    }

    // MARK: API

    func listClinics(req: Request) async throws -> [ClinicDTO] {
        try await ClinicModel.query(on: req.database).sort(\.$name).all().map(ClinicDTO.init)
    }

    struct NewClinic: Content {
        var name: String
        var kind: String
    }

    func createClinic(req: Request) async throws -> Response {
        let ctx = req.context
        _ = try ctx.requireUser(.platformAdmin)
        let body = try req.content.decode(NewClinic.self)
        let clinic = try await ClinicService(ctx: ctx).create(name: body.name, kind: body.kind)
        return try await ClinicDTO(clinic).encodeResponse(status: .created, for: req)
    }

    struct NewClinicAdmin: Content {
        var name: String
        var email: String
        var password: String
    }

    func addClinicAdmin(req: Request) async throws -> Response {
        let ctx = req.context
        _ = try ctx.requireUser(.platformAdmin)
        let clinicID = try req.uuidParameter("clinicID")
        let body = try req.content.decode(NewClinicAdmin.self)
        let user = try await ClinicService(ctx: ctx).addAdmin(clinicID: clinicID, name: body.name, email: body.email, password: body.password)
        return try await UserSummaryDTO(user).encodeResponse(status: .created, for: req)
    }

    struct TherapistFilter: Content {
        var status: String?
    }

    func listTherapists(req: Request) async throws -> [TherapistDTO] {
        let ctx = req.context
        _ = try ctx.requireUser(.clinicAdmin)
        let filter = try req.query.decode(TherapistFilter.self)
        var status: VerificationStatus?
        if let raw = filter.status {
            guard let s = VerificationStatus(rawValue: raw) else {
                throw DomainError.invalid("status-invalid", "status must be pending, verified or rejected.")
            }
            status = s
        }
        return try await TherapistService(ctx: ctx).therapistsForAdmin(status: status)
            .map { TherapistDTO($0, today: ctx.today, compact: ctx.config.compact) }
    }

    func getTherapist(req: Request) async throws -> TherapistDTO {
        let ctx = req.context
        let id = try req.uuidParameter("therapistID")
        return TherapistDTO(try await TherapistService(ctx: ctx).visibleTherapist(id), today: ctx.today, compact: ctx.config.compact)
    }

    struct VerificationDecision: Content {
        var decision: String
        var reason: String?
    }

    func decideVerification(req: Request) async throws -> TherapistDTO {
        let ctx = req.context
        let id = try req.uuidParameter("therapistID")
        _ = try ctx.requireUser(.clinicAdmin)
        let body = try req.content.decode(VerificationDecision.self)
        guard let decision = VerificationStatus(rawValue: body.decision), decision != .pending else {
            throw DomainError.invalid("decision-invalid", "decision must be verified or rejected.")
        }
        let service = TherapistService(ctx: ctx)
        _ = try await service.decide(therapistID: id, verified: decision == .verified, reason: body.reason)
        return TherapistDTO(try await service.visibleTherapist(id), today: ctx.today, compact: ctx.config.compact)
    }

    // MARK: Pages (forms on the dashboards)

    struct DecisionForm: Content { var reason: String? }

    func verifyForm(req: Request) async throws -> Response {
        let id = try req.uuidParameter("therapistID")
        return try await DashboardRoutes.act(req, notice: "therapist-verified") { ctx in
            _ = try await TherapistService(ctx: ctx).decide(therapistID: id, verified: true, reason: nil)
        }
    }

    func rejectForm(req: Request) async throws -> Response {
        let id = try req.uuidParameter("therapistID")
        return try await DashboardRoutes.act(req, notice: "therapist-rejected") { ctx in
            let form = try req.form(DecisionForm.self)
            _ = try await TherapistService(ctx: ctx).decide(therapistID: id, verified: false, reason: form.reason)
        }
    }

    struct ClinicForm: Content {
        var name: String?
        var kind: String?
    }

    func createClinicForm(req: Request) async throws -> Response {
        try await DashboardRoutes.act(req, notice: "clinic-created") { ctx in
            let form = try req.form(ClinicForm.self)
            _ = try await ClinicService(ctx: ctx).create(name: form.name ?? "", kind: form.kind ?? "")
        }
    }

    struct ClinicAdminForm: Content {
        var name: String?
        var email: String?
        var password: String?
    }

    func addClinicAdminForm(req: Request) async throws -> Response {
        let clinicID = try req.uuidParameter("clinicID")
        return try await DashboardRoutes.act(req, notice: "clinic-admin-added") { ctx in
            let form = try req.form(ClinicAdminForm.self)
            _ = try await ClinicService(ctx: ctx).addAdmin(clinicID: clinicID, name: form.name ?? "", email: form.email ?? "",
                                                           password: form.password ?? "")
        }
    }
}

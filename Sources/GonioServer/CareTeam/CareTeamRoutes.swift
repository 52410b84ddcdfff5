import Vapor
import GonioCore

/// Who cares for a patient: the care team (clinic admins manage it) and caregivers (the patient
/// or a clinic admin delegates to them), as JSON and as dashboard forms.
struct CareTeamRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.careTeam, use: careTeam)
        routes.api.post(Paths.API.careTeam, use: addMember)
        routes.api.delete(Paths.API.careTeamMember, use: removeMember)
        routes.api.get(Paths.API.caregivers, use: caregivers)
        routes.api.post(Paths.API.caregivers, use: linkCaregiver)
        routes.api.delete(Paths.API.caregiver, use: revokeCaregiver)

        routes.web.post(Paths.careTeam, use: addMemberForm)
        routes.web.post(Paths.careTeamRemove, use: removeMemberForm)
        routes.web.post(Paths.caregivers, use: linkCaregiverForm)
        routes.web.post(Paths.caregiverRevoke, use: revokeCaregiverForm)
    }

    // MARK: API

    func careTeam(req: Request) async throws -> [CareTeamMemberDTO] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.careTeamRead, patientID: id, resource: "patient/\(id)/care-team")
        return try await CareService(ctx: ctx).careTeam(patient).map(CareTeamMemberDTO.init)
    }

    struct NewCareTeamMember: Content {
        var therapistId: UUID
    }

    func addMember(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let members = try await req.context.gate.change(.careTeamAdd, patientID: id, resource: "patient/\(id)/care-team") { patient, tx in
            let body = try req.content.decode(NewCareTeamMember.self)
            let service = CareService(ctx: tx)
            try await service.addToCareTeam(patient, therapistID: body.therapistId)
            return try await service.careTeam(patient).map(CareTeamMemberDTO.init)
        }
        return try await members.encodeResponse(status: .created, for: req)
    }

    func removeMember(req: Request) async throws -> HTTPStatus {
        let id = try req.uuidParameter("patientID")
        let therapistID = try req.uuidParameter("therapistID")
        try await req.context.gate.change(.careTeamRemove, patientID: id, resource: "patient/\(id)/care-team/\(therapistID)") { patient, tx in
            try await CareService(ctx: tx).removeFromCareTeam(patient, therapistID: therapistID)
        }
        return .noContent
    }

    func caregivers(req: Request) async throws -> [CaregiverLinkDTO] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.caregiversRead, patientID: id, resource: "patient/\(id)/caregivers")
        return try await CareService(ctx: ctx).caregiverLinks(patient).map { CaregiverLinkDTO($0, now: ctx.now) }
    }

    struct NewCaregiverLink: Content {
        var caregiverEmail: String
        var scopes: [String]
        var expiresOn: String
    }

    func linkCaregiver(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let dto = try await req.context.gate.change(.caregiverLink, patientID: id, resource: "patient/\(id)/caregivers") { patient, tx in
            let body = try req.content.decode(NewCaregiverLink.self)
            let link = try await CareService(ctx: tx).linkCaregiver(patient, caregiverEmail: body.caregiverEmail, scopes: body.scopes,
                                                                    expiresOn: body.expiresOn)
            return CaregiverLinkDTO(link, now: tx.now)
        }
        return try await dto.encodeResponse(status: .created, for: req)
    }

    func revokeCaregiver(req: Request) async throws -> CaregiverLinkDTO {
        let id = try req.uuidParameter("patientID")
        let linkID = try req.uuidParameter("linkID")
        return try await req.context.gate.change(.caregiverRevoke, patientID: id, resource: "patient/\(id)/caregivers/\(linkID)") { patient, tx in
            CaregiverLinkDTO(try await CareService(ctx: tx).revokeCaregiver(patient, linkID: linkID), now: tx.now)
        }
    }

    // MARK: Dashboard forms

    struct CareTeamForm: Content { var therapistId: String? }

    func addMemberForm(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        return try await DashboardRoutes.act(req, notice: "care-team-added") { ctx in
            try await ctx.gate.change(.careTeamAdd, patientID: id, resource: "patient/\(id)/care-team") { patient, tx in
                guard let therapistID = try req.form(CareTeamForm.self).therapistId.flatMap(UUID.init(uuidString:)) else {
                    throw DomainError.invalid("therapist-invalid", "Choose a therapist.")
                }
                try await CareService(ctx: tx).addToCareTeam(patient, therapistID: therapistID)
            }
        }
    }

    func removeMemberForm(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let therapistID = try req.uuidParameter("therapistID")
        return try await DashboardRoutes.act(req, notice: "care-team-removed") { ctx in
            try await ctx.gate.change(.careTeamRemove, patientID: id, resource: "patient/\(id)/care-team/\(therapistID)") { patient, tx in
                try await CareService(ctx: tx).removeFromCareTeam(patient, therapistID: therapistID)
            }
        }
    }

    struct CaregiverForm: Content {
        var caregiverEmail: String?
        var scopes: [String]?
        var expiresOn: String?
    }

    func linkCaregiverForm(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        return try await DashboardRoutes.act(req, notice: "caregiver-linked") { ctx in
            _ = try await ctx.gate.change(.caregiverLink, patientID: id, resource: "patient/\(id)/caregivers") { patient, tx in
                let form = try req.form(CaregiverForm.self)
                return try await CareService(ctx: tx).linkCaregiver(patient, caregiverEmail: form.caregiverEmail ?? "",
                                                                    scopes: form.scopes ?? [], expiresOn: form.expiresOn ?? "").id
            }
        }
    }

    func revokeCaregiverForm(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let linkID = try req.uuidParameter("linkID")
        return try await DashboardRoutes.act(req, notice: "caregiver-revoked") { ctx in
            _ = try await ctx.gate.change(.caregiverRevoke, patientID: id, resource: "patient/\(id)/caregivers/\(linkID)") { patient, tx in
                try await CareService(ctx: tx).revokeCaregiver(patient, linkID: linkID).id
            }
        }
    }
}

import Vapor
import GonioCore

/// Inviting a caregiver or an interpreter to a video visit (API and the visits page), and the
/// page and socket a guest without an account reaches through their private link.
struct VisitGuestRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.visitGuests, use: listAPI)
        routes.api.post(Paths.API.visitGuests, use: inviteAPI)
        routes.api.delete(Paths.API.visitGuest, use: revokeAPI)
        routes.web.post(Paths.visitGuestsPage, use: inviteForm)
        routes.web.post(Paths.visitGuestRemove, use: revokeForm)
        routes.web.get(Paths.guestCall, use: guestPage)
        routes.web.get(Paths.guestSignal, use: guestSignal)
    }

    struct GuestDTO: Content {
        var id: UUID
        var visitId: UUID
        var kind: GuestKind
        var name: String
        var caregiverUserId: UUID?
        var invitedAt: Date
        /// The private link, only in the answer to the invitation (it is not stored).
        var link: String?

        init(_ g: VisitGuestModel, link: String? = nil) {
            id = g.id ?? UUID()
            visitId = g.$visit.id
            kind = g.kind
            name = g.name
            caregiverUserId = g.$user.id
            invitedAt = g.createdAt
            self.link = link
        }
    }

    struct InviteBody: Content {
        var kind: GuestKind
        var caregiverUserId: UUID?
        var name: String?
    }

    static func link(_ token: String, _ config: AppConfig) -> String {
        (config.publicURL ?? "http://localhost:\(config.port)") + Paths.guestCall(token)
    }

    /// Runs a guest change for the visit in the path, under `visit.change`.
    private func changing<T: Sendable>(_ req: Request, _ body: @escaping @Sendable (AuthorizedPatient, CallContext, UUID) async throws -> T) async throws -> T {
        let (visitID, patientID) = try await VisitRoutes.patientOf(req)
        return try await req.context.gate.change(.visitChange, patientID: patientID, resource: VisitRoutes.resource(visitID) + "/guests") { patient, tx in
            try await body(patient, tx, visitID)
        }
    }

    func listAPI(req: Request) async throws -> [GuestDTO] {
        let (visitID, patientID) = try await VisitRoutes.patientOf(req)
        let patient = try await req.context.gate.authorize(.visitRead, patientID: patientID, resource: VisitRoutes.resource(visitID) + "/guests")
        return try await VisitGuestService(ctx: req.context).guests(patient, visitID: visitID).map { GuestDTO($0) }
    }

    func inviteAPI(req: Request) async throws -> Response {
        let dto = try await changing(req) { patient, tx, visitID in
            let body = try req.content.decode(InviteBody.self)
            let (guest, token) = try await VisitGuestService(ctx: tx).invite(patient, visitID: visitID, .init(
                kind: body.kind, caregiverUserID: body.caregiverUserId, name: body.name))
            return GuestDTO(guest, link: token.map { Self.link($0, tx.config) })
        }
        return try await dto.encodeResponse(status: .created, for: req)
    }

    func revokeAPI(req: Request) async throws -> HTTPStatus {
        let guestID = try req.uuidParameter("guestID")
        _ = try await changing(req) { patient, tx, visitID in
            GuestDTO(try await VisitGuestService(ctx: tx).revoke(patient, visitID: visitID, guestID: guestID))
        }
        return .noContent
    }

    // MARK: Pages

    struct InviteForm: Content {
        var kind: GuestKind?
        /// "user:<id>" for a linked caregiver, "link" for a guest without an account.
        var who: String?
        var name: String?
    }

    /// Invites from the visits page. A link is shown on the page that answers, once.
    func inviteForm(req: Request) async throws -> Response {
        let (_, patientID) = try await VisitRoutes.patientOf(req)
        return try await WebPage.submitting({
            let dto = try await changing(req) { patient, tx, visitID in
                let form = try req.content.decode(InviteForm.self)
                let who = form.who ?? "link"
                let caregiver = who.hasPrefix("user:") ? UUID(uuidString: String(who.dropFirst(5))) : nil
                if who.hasPrefix("user:") && caregiver == nil { throw DomainError.invalid("guest-invalid", "Choose who to invite.") }
                let (guest, token) = try await VisitGuestService(ctx: tx).invite(patient, visitID: visitID, .init(
                    kind: caregiver == nil ? (form.kind ?? .interpreter) : .caregiver, caregiverUserID: caregiver, name: form.name))
                return GuestDTO(guest, link: token.map { Self.link($0, tx.config) })
            }
            let notice = dto.link.map { "\(dto.name) is invited. Send them this private link; it is shown only now: \($0)" }
                ?? "\(dto.name) is invited and can join from their own visits page."
            return try await VisitPages().render(req, message: nil, status: .ok, notice: notice, patientID: patientID)
        }, orShow: { message, status in try await VisitPages().render(req, message: nil, status: status, notice: message, patientID: patientID) })
    }

    func revokeForm(req: Request) async throws -> Response {
        let (_, patientID) = try await VisitRoutes.patientOf(req)
        let guestID = try req.uuidParameter("guestID")
        _ = try await changing(req) { patient, tx, visitID in
            GuestDTO(try await VisitGuestService(ctx: tx).revoke(patient, visitID: visitID, guestID: guestID))
        }
        return WebPage.seeOther(Paths.visitsPage(query: ["patient": patientID.uuidString, "notice": "guest-removed"]))
    }

    // MARK: A guest with a link

    func guestPage(req: Request) async throws -> Response {
        let token = try req.parameters.require("token")
        let service = VisitGuestService(ctx: req.context)
        let (guest, visit) = try await service.guest(token: token)
        let therapistName = visit.therapist.$user.value?.name ?? "the therapist"
        // The visit's time as the patient sees it: the guest is usually with them or near them.
        let zone = try await PatientModel.find(visit.$patient.id, on: req.db)
            .map(\.zone.timeZone) ?? .gmt
        return try await CallRoutes.renderCall(req, visit: visit, data: .init(
            visitId: try visit.requireID().uuidString, socketPath: Paths.guestSignal(token), role: guest.kind.rawValue, host: false,
            selfName: guest.name, title: "Video visit with \(therapistName)", start: visit.startAt, end: visit.endAt,
            location: .init(required: false, current: nil, options: [], question: nil), noteLink: nil, back: "/",
            motion: .forRole(guest.kind == .caregiver ? .caregiver : .interpreter, config: req.context.config)), zone: zone)
    }

    func guestSignal(req: Request) async throws -> Response {
        try CallRoutes.checkOrigin(req)
        let token = try req.parameters.require("token")
        let ctx = req.context
        let (guest, visit) = try await VisitGuestService(ctx: ctx).guest(token: token)
        let guestID = try guest.requireID()
        let member = CallMember(key: guestID, name: guest.name, role: guest.kind == .caregiver ? .caregiver : .interpreter) { _ in
            try await VisitGuestService(ctx: ctx).joinByLink(guestID: guestID).callStartedAt
        }
        return CallRoutes.upgrade(req, CallConnection(ctx: ctx, rooms: req.application.callRooms, visitID: try visit.requireID(),
                                                       patientID: visit.$patient.id, member: member))
    }
}

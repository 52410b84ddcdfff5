import Vapor
import Fluent
import GonioCore

/// Guests of a video visit: a caregiver or an interpreter invited by the patient's side or by
/// the visit's therapist. A caregiver linked to the patient joins signed in; anyone else gets a
/// private link (shown once, stored as a keyed hash) and joins without an account. Guests wait
/// until the therapist lets them in, like everyone else. Changes run inside the gate's change.
struct VisitGuestService {
    let ctx: CallContext

    struct Invitation: Sendable {
        var kind: GuestKind
        /// A caregiver linked to the patient, who joins signed in.
        var caregiverUserID: UUID?
        /// The name of a guest without an account (shown to the others in the call).
        var name: String?
    }

    /// Invites one guest; returns the private link's secret for a guest without an account.
    func invite(_ patient: AuthorizedPatient, visitID: UUID, _ invitation: Invitation) async throws -> (VisitGuestModel, token: String?) {
        let visit = try await VisitService(ctx: ctx).visit(visitID, of: patient, locking: true)
        try checkMayManage(visit)
        try CallGuests.checkInvitable(status: visit.status, modality: visit.modality, end: visit.endAt, now: ctx.now)
        let guest = VisitGuestModel()
        guest.id = UUID()
        guest.$visit.id = visitID
        guest.kind = invitation.kind
        guest.$invitedBy.id = ctx.user?.userID
        guest.createdAt = ctx.now
        var token: String?
        if let caregiverID = invitation.caregiverUserID {
            let links = try await CareService(ctx: ctx).caregiverLinks(patient)
            guard let link = links.first(where: { $0.$caregiver.id == caregiverID && $0.revokedAt == nil && $0.expiresAt > ctx.now }) else {
                throw DomainError.invalid("caregiver-not-linked", "Invite a caregiver who is linked to the patient, or send a link instead.")
            }
            // Signed in, they reach the call through the patient's record: their access must include visits.
            guard !link.scopes.set.isDisjoint(with: [.view, .bookVisits]) else {
                throw DomainError.invalid("caregiver-cannot-see-visits",
                                          "This caregiver's access does not include visits; send them a link instead.")
            }
            guest.$user.id = caregiverID
            guest.name = link.$caregiver.value?.name ?? "Caregiver"
            if let name = invitation.name, !name.trimmingWhitespace().isEmpty { guest.name = try CallGuests.name(name) }
        } else {
            guest.name = try CallGuests.name(invitation.name ?? "")
            let secret = Secrets.newToken()
            guest.tokenHash = Self.hash(secret, ctx.config)
            token = secret
        }
        let taken = DomainError.conflict("guest-already-invited",
                                         "This visit already has a guest (the call holds three people). Remove that invitation first.")
        // The visit row is held, so this check and the insert see the same guests; the unique
        // index stands behind it.
        if try await VisitGuestModel.query(on: ctx.db).filter(\.$visit.$id == visitID).filter(\.$revokedAt == nil).count() > 0 { throw taken }
        try await insertingUniquely(or: taken) { try await guest.create(on: ctx.db) }
        return (guest, token)
    }

    /// The visit's guests who may still join.
    func guests(_ patient: AuthorizedPatient, visitID: UUID) async throws -> [VisitGuestModel] {
        _ = try await VisitService(ctx: ctx).visit(visitID, of: patient)
        return try await VisitGuestModel.query(on: ctx.db).filter(\.$visit.$id == visitID).filter(\.$revokedAt == nil)
            .sort(\.$createdAt).all()
    }

    /// Withdraws an invitation: the link stops working and the guest cannot join again.
    func revoke(_ patient: AuthorizedPatient, visitID: UUID, guestID: UUID) async throws -> VisitGuestModel {
        let visit = try await VisitService(ctx: ctx).visit(visitID, of: patient, locking: true)
        try checkMayManage(visit)
        guard let guest = try await VisitGuestModel.query(on: ctx.db).filter(\.$id == guestID).filter(\.$visit.$id == visitID).first() else {
            throw DomainError.notFound("guest-not-found", "No such guest for this visit.")
        }
        if guest.revokedAt == nil {
            guest.revokedAt = ctx.now
            try await guest.update(on: ctx.db)
        }
        return guest
    }

    /// The guests who may still join each of `visitIDs` (one query).
    func activeGuests(visitIDs: [UUID]) async throws -> [UUID: [VisitGuestModel]] {
        guard !visitIDs.isEmpty else { return [:] }
        let guests = try await VisitGuestModel.query(on: ctx.db).filter(\.$visit.$id ~~ visitIDs).filter(\.$revokedAt == nil).all()
        return Dictionary(grouping: guests, by: \.$visit.id)
    }

    /// A signed-in caregiver invited to this visit.
    func invitedCaregiver(visitID: UUID, userID: UUID) async throws -> VisitGuestModel? {
        try await VisitGuestModel.query(on: ctx.db).filter(\.$visit.$id == visitID).filter(\.$user.$id == userID)
            .filter(\.$revokedAt == nil).first()
    }

    static let linkNotFound = DomainError.notFound("invitation-not-found", "This invitation link is not valid any more. Ask for a new one.")

    /// The guest holding a private link, with their visit; 404 for an unknown or withdrawn link.
    func guest(token: String) async throws -> (VisitGuestModel, VisitModel) {
        guard token.count >= 20, token.count <= 100,
              let guest = try await VisitGuestModel.query(on: ctx.db).filter(\.$tokenHash == Self.hash(token, ctx.config))
                .filter(\.$revokedAt == nil).with(\.$visit, { $0.with(\.$therapist) { $0.with(\.$user) } }).first()
        else { throw Self.linkNotFound }
        return (guest, guest.visit)
    }

    /// A guest with a link joins: the invitation must stand and the call be open. Recorded in
    /// the audit log under the patient's clinic, naming the guest.
    func joinByLink(guestID: UUID) async throws -> VisitModel {
        try await ctx.transaction { tx in
            guard let guest = try await VisitGuestModel.query(on: tx.db).filter(\.$id == guestID).filter(\.$revokedAt == nil)
                .with(\.$visit).first()
            else { throw Self.linkNotFound }
            let visit = guest.visit
            try visit.checkCallOpen(now: tx.now, earlyMinutes: tx.config.callEarlyMinutes)
            try await tx.audit.record(.init(action: PatientOperation.visitJoin.rawValue, clinicID: visit.$clinic.id,
                                            resource: VisitRoutes.resource(try visit.requireID()) + "/call/guest/\(guestID)", outcome: .allowed,
                                            patients: [visit.$patient.id]))
            return visit
        }
    }

    /// The visit's therapist, or the patient's side; not another therapist of the care team.
    private func checkMayManage(_ visit: VisitModel) throws {
        let user = try ctx.requireUser()
        if user.role == .therapist && user.therapistID != visit.$therapist.id {
            throw DomainError.forbidden("not-visit-therapist", "Only the visit's own therapist invites guests to it.")
        }
    }

    static func hash(_ token: String, _ config: AppConfig) -> String { Secrets.keyedHash("visit-guest:" + token, secret: config.secret) }
}

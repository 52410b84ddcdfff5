import Vapor
import Fluent
import GonioCore

/// Therapist credentials and their verification by a clinic admin.
struct TherapistService {
    let req: Request

    static func saveCredentials(therapistID: UUID, licenses: [License], privileges: [CompactPrivilege], on db: any Database) async throws {
        for l in licenses {
            try await LicenseModel(therapistID: therapistID, number: l.number, type: l.type.rawValue,
                                   jurisdiction: l.jurisdiction.code, expiresOn: l.expiresOn.description,
                                   isHomeState: l.isHomeState).create(on: db)
        }
        for p in privileges {
            try await CompactPrivilegeModel(therapistID: therapistID, jurisdiction: p.jurisdiction.code,
                                            expiresOn: p.expiresOn.description).create(on: db)
        }
    }

    static func standing(of therapist: TherapistModel, on db: any Database) async throws -> TherapistStanding {
        let id = try therapist.requireID()
        let licenses = try await LicenseModel.query(on: db).filter(\.$therapistID == id).all().compactMap { m -> License? in
            guard let type = LicenseType(rawValue: m.type), let place = try? Jurisdiction(m.jurisdiction),
                  let expires = try? CalendarDay(m.expiresOn) else { return nil }
            return License(number: m.number, type: type, jurisdiction: place, expiresOn: expires, isHomeState: m.isHomeState)
        }
        let privileges = try await CompactPrivilegeModel.query(on: db).filter(\.$therapistID == id).all().compactMap { m -> CompactPrivilege? in
            guard let place = try? Jurisdiction(m.jurisdiction), let expires = try? CalendarDay(m.expiresOn) else { return nil }
            return CompactPrivilege(jurisdiction: place, expiresOn: expires)
        }
        return TherapistStanding(verification: VerificationStatus(rawValue: therapist.verification) ?? .pending,
                                 licenses: licenses, privileges: privileges)
    }

    /// The therapist's record, visible to the therapist and to admins of a clinic they belong to.
    func visibleTherapist(_ therapistID: UUID) async throws -> TherapistModel {
        let user = try req.requireUser()
        guard let therapist = try await TherapistModel.find(therapistID, on: req.db) else {
            throw DomainError.notFound("therapist-not-found", "No therapist with that id is available to you.")
        }
        if user.therapistID == therapistID { return therapist }
        let clinics = try await adminClinics(user)
        if !clinics.isEmpty, try await ClinicMembershipModel.query(on: req.db).filter(\.$clinicID ~~ clinics)
            .filter(\.$userID == therapist.userID).count() > 0 {
            return therapist
        }
        throw DomainError.notFound("therapist-not-found", "No therapist with that id is available to you.")
    }

    func adminClinics(_ user: CurrentUser) async throws -> [UUID] {
        guard user.role == .clinicAdmin else { return [] }
        return try await ClinicMembershipModel.query(on: req.db).filter(\.$userID == user.userID)
            .filter(\.$role == Role.clinicAdmin.rawValue).all().map(\.clinicID)
    }

    /// Therapists who belong to the admin's clinics, optionally only those with a status.
    func therapistsForAdmin(status: VerificationStatus?) async throws -> [TherapistModel] {
        let user = try req.requireUser(.clinicAdmin)
        let clinics = try await adminClinics(user)
        guard !clinics.isEmpty else { return [] }
        let userIDs = try await ClinicMembershipModel.query(on: req.db).filter(\.$clinicID ~~ clinics)
            .filter(\.$role == Role.therapist.rawValue).all().map(\.userID)
        guard !userIDs.isEmpty else { return [] }
        var query = TherapistModel.query(on: req.db).filter(\.$userID ~~ Set(userIDs))
        if let status { query = query.filter(\.$verification == status.rawValue) }
        return try await query.sort(\.$createdAt).all()
    }

    /// A clinic admin verifies or rejects a therapist of their clinic. Rejection needs a reason.
    func decide(therapistID: UUID, verified: Bool, reason: String?) async throws -> TherapistModel {
        let user = try req.requireUser(.clinicAdmin)
        let therapist = try await visibleTherapist(therapistID)
        let trimmed = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if !verified, trimmed.isEmpty {
            throw DomainError.invalid("reason-missing", "Give a reason for rejecting the credentials; the therapist will see it.")
        }
        guard trimmed.count <= 500 else { throw DomainError.invalid("reason-too-long", "Keep the reason to 500 characters.") }
        if verified {
            let standing = try await Self.standing(of: therapist, on: req.db)
            guard standing.licenses.contains(where: { $0.isActive(on: req.today) }) else {
                throw DomainError.conflict("license-expired", "Every licence on file has expired; the therapist must add a current one first.")
            }
        }
        therapist.verification = (verified ? VerificationStatus.verified : .rejected).rawValue
        therapist.decisionReason = trimmed.isEmpty ? nil : trimmed
        therapist.decidedBy = user.userID
        therapist.decidedAt = req.now
        try await therapist.update(on: req.db)
        req.logger.notice("therapist verification decided", metadata: [
            "therapist-id": .string(therapistID.uuidString), "decision": .string(therapist.verification)])
        return therapist
    }
}

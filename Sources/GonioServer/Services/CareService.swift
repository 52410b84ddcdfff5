import Vapor
import Fluent
import GonioCore

/// Care teams and caregiver delegations. Every call goes through `PatientAccess`.
struct CareService {
    let req: Request

    func careTeam(patientID: UUID) async throws -> [(TherapistModel, UserModel)] {
        try await req.patientAccess.authorize(.viewRecord, patientID: patientID, resource: "patient/\(patientID)/care-team")
        return try await careTeamMembers(patientID)
    }

    func careTeamMembers(_ patientID: UUID) async throws -> [(TherapistModel, UserModel)] {
        let ids = try await CareTeamMemberModel.query(on: req.db).filter(\.$patientID == patientID).all().map(\.therapistID)
        guard !ids.isEmpty else { return [] }
        let therapists = try await TherapistModel.query(on: req.db).filter(\.$id ~~ Set(ids)).all()
        let users = try await UserModel.query(on: req.db).filter(\.$id ~~ Set(therapists.map(\.userID))).all()
        return therapists.compactMap { t in users.first { $0.id == t.userID }.map { (t, $0) } }
            .sorted { $0.1.name < $1.1.name }
    }

    /// Adds a therapist of the patient's clinic. Core refuses unverified or unlicensed therapists.
    func addToCareTeam(patientID: UUID, therapistID: UUID) async throws {
        let patient = try await req.patientAccess.authorize(.manageCareTeam, patientID: patientID,
                                                            resource: "patient/\(patientID)/care-team")
        guard let therapist = try await TherapistModel.find(therapistID, on: req.db),
              try await ClinicMembershipModel.query(on: req.db).filter(\.$clinicID == patient.clinicID)
                .filter(\.$userID == therapist.userID).count() > 0
        else { throw DomainError.invalid("therapist-invalid", "Choose a therapist of the patient's clinic.") }
        let standing = try await TherapistService.standing(of: therapist, on: req.db)
        try Licensure.checkMayJoinCareTeam(standing, on: req.today)
        if try await CareTeamMemberModel.query(on: req.db).filter(\.$patientID == patientID)
            .filter(\.$therapistID == therapistID).count() > 0 {
            throw DomainError.conflict("already-on-care-team", "That therapist is already on the care team.")
        }
        let member = CareTeamMemberModel(patientID: patientID, therapistID: therapistID, addedBy: req.currentUser?.userID)
        try await insertingUniquely(or: .conflict("already-on-care-team", "That therapist is already on the care team.")) {
            try await member.create(on: req.db)
        }
    }

    func removeFromCareTeam(patientID: UUID, therapistID: UUID) async throws {
        try await req.patientAccess.authorize(.manageCareTeam, patientID: patientID, resource: "patient/\(patientID)/care-team")
        guard let member = try await CareTeamMemberModel.query(on: req.db).filter(\.$patientID == patientID)
            .filter(\.$therapistID == therapistID).first()
        else { throw DomainError.notFound("care-team-member-not-found", "That therapist is not on the care team.") }
        try await member.delete(on: req.db)
    }

    func caregivers(patientID: UUID) async throws -> [(CaregiverLinkModel, UserModel)] {
        try await req.patientAccess.authorize(.viewRecord, patientID: patientID, resource: "patient/\(patientID)/caregivers")
        return try await caregiverLinks(patientID)
    }

    func caregiverLinks(_ patientID: UUID) async throws -> [(CaregiverLinkModel, UserModel)] {
        let links = try await CaregiverLinkModel.query(on: req.db).filter(\.$patientID == patientID)
            .sort(\.$createdAt, .descending).all()
        guard !links.isEmpty else { return [] }
        let users = try await UserModel.query(on: req.db).filter(\.$id ~~ Set(links.map(\.caregiverUserID))).all()
        return links.compactMap { l in users.first { $0.id == l.caregiverUserID }.map { (l, $0) } }
    }

    /// Links an existing caregiver account, found by email, with scopes and an end date.
    func linkCaregiver(patientID: UUID, caregiverEmail: String, scopes rawScopes: [String], expiresOn: String) async throws -> CaregiverLinkModel {
        try await req.patientAccess.authorize(.manageCaregivers, patientID: patientID, resource: "patient/\(patientID)/caregivers")
        var scopes = Set<CaregiverScope>()
        for raw in rawScopes {
            guard let scope = CaregiverScope(rawValue: raw) else {
                throw DomainError.invalid("scope-invalid", "Unknown permission '\(raw.prefix(40))'; use view, log-practice, book-visits or message.")
            }
            scopes.insert(scope)
        }
        let endDay = try CalendarDay(expiresOn)
        // The link lasts to the end of the chosen day (UTC).
        let components = DateComponents(timeZone: TimeZone(identifier: "UTC"), year: endDay.year, month: endDay.month,
                                        day: endDay.day, hour: 23, minute: 59, second: 59)
        guard let expiresAt = Calendar(identifier: .gregorian).date(from: components) else {
            throw DomainError.invalid("date-invalid", "That date does not exist.")
        }
        try CaregiverGrant.validateNew(scopes: scopes, expiresAt: expiresAt.timeIntervalSince1970, now: req.now.timeIntervalSince1970)
        let email = try AccountRules.normalizedEmail(caregiverEmail)
        guard let caregiver = try await UserModel.query(on: req.db).filter(\.$email == email).first(),
              caregiver.role == Role.caregiver.rawValue
        else {
            throw DomainError.invalid("caregiver-not-found", "No caregiver account uses that email. Ask them to register as a caregiver first.")
        }
        let alreadyLinked = DomainError.conflict("caregiver-already-linked", "That caregiver is already linked; revoke the current link to change it.")
        let open = try await CaregiverLinkModel.query(on: req.db).filter(\.$patientID == patientID)
            .filter(\.$caregiverUserID == caregiver.requireID()).filter(\.$revokedAt == nil).all()
        for link in open {
            guard !link.grant.isActive(now: req.now.timeIntervalSince1970) else { throw alreadyLinked }
            // An open link that has run out is closed at the moment it ended, so the one-open-link
            // index (M0005) leaves room for the new one.
            link.revokedAt = link.expiresAt
            try await link.update(on: req.db)
        }
        let link = CaregiverLinkModel(
            patientID: patientID, caregiverUserID: try caregiver.requireID(),
            scopes: CaregiverScope.allCases.filter(scopes.contains).map(\.rawValue).joined(separator: ","),
            expiresAt: expiresAt, createdBy: req.currentUser?.userID)
        try await insertingUniquely(or: alreadyLinked) { try await link.create(on: req.db) }
        return link
    }

    func revokeCaregiver(patientID: UUID, linkID: UUID) async throws -> CaregiverLinkModel {
        try await req.patientAccess.authorize(.manageCaregivers, patientID: patientID, resource: "patient/\(patientID)/caregivers/\(linkID)")
        guard let link = try await CaregiverLinkModel.query(on: req.db).filter(\.$id == linkID)
            .filter(\.$patientID == patientID).first()
        else { throw DomainError.notFound("caregiver-link-not-found", "No such caregiver link for this patient.") }
        if link.revokedAt == nil {
            link.revokedAt = req.now
            try await link.update(on: req.db)
        }
        return link
    }
}

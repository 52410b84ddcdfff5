import Vapor
import Fluent
import GonioCore

/// The server's single gate to patient data: loads how the caller relates to a patient, asks
/// `AccessPolicy`, writes the audit entry, and either returns the patient or refuses.
struct PatientAccess {
    let req: Request

    /// How `user` relates to `patient`, read from storage.
    func relationship(of user: CurrentUser, to patient: PatientModel) async throws -> PatientRelationship {
        let patientID = try patient.requireID()
        var rel = PatientRelationship()
        switch user.role {
        case .patient:
            rel.isSelf = user.patientID == patientID
        case .therapist:
            if let therapistID = user.therapistID {
                rel.onCareTeam = try await CareTeamMemberModel.query(on: req.db)
                    .filter(\.$patientID == patientID).filter(\.$therapistID == therapistID).count() > 0
            }
        case .clinicAdmin:
            rel.adminOfPatientClinic = try await isAdmin(user, of: patient.clinicID)
        case .caregiver:
            rel.caregiverGrants = try await CaregiverLinkModel.query(on: req.db)
                .filter(\.$patientID == patientID).filter(\.$caregiverUserID == user.userID).all()
                .map(\.grant)
        case .platformAdmin:
            break
        }
        return rel
    }

    func isAdmin(_ user: CurrentUser, of clinicID: UUID) async throws -> Bool {
        guard user.role == .clinicAdmin else { return false }
        return try await ClinicMembershipModel.query(on: req.db)
            .filter(\.$userID == user.userID).filter(\.$clinicID == clinicID)
            .filter(\.$role == Role.clinicAdmin.rawValue).count() > 0
    }

    /// Authorises `action` on one patient and audits the attempt. Refusals answer 404 when the
    /// caller may not even see the record (so existence is not revealed), 403 otherwise.
    @discardableResult
    func authorize(_ action: PatientAction, patientID: UUID, resource: String? = nil) async throws -> PatientModel {
        let user = try req.requireUser()
        let resourceName = resource ?? "patient/\(patientID.uuidString)"
        guard let patient = try await PatientModel.find(patientID, on: req.db) else {
            try await AuditLog(req: req).record(.init(
                action: action.rawValue, patientID: nil, clinicID: nil, resource: resourceName, outcome: .denied,
                reason: "no-such-patient"))
            throw DomainError.notFound("patient-not-found", "No patient with that id is available to you.")
        }
        let rel = try await relationship(of: user, to: patient)
        let now = req.now.timeIntervalSince1970
        let decision = AccessPolicy.decide(user.actor, action, relationship: rel, now: now)
        var reason: String?
        if case .denied(let why) = decision { reason = why }
        try await AuditLog(req: req).record(.init(
            action: action.rawValue, patientID: patientID, clinicID: patient.clinicID, resource: resourceName,
            outcome: decision.auditOutcome, reason: reason))
        guard decision.isAllowed else {
            let mayView = AccessPolicy.decide(user.actor, .viewRecord, relationship: rel, now: now).isAllowed
            if mayView {
                throw DomainError.forbidden("not-permitted", "You may not do this for this patient.")
            }
            throw DomainError.notFound("patient-not-found", "No patient with that id is available to you.")
        }
        return patient
    }

    /// What the signed-in user may do for a patient, to decide which forms a page offers. The
    /// page's data itself is read through `authorize`, which audits.
    struct Capabilities {
        var patientName: String
        var completeForms: Bool
        var writeClinical: Bool
    }

    func capabilities(patientID: UUID) async throws -> Capabilities {
        let user = try req.requireUser()
        guard let patient = try await PatientModel.find(patientID, on: req.db) else {
            return Capabilities(patientName: "", completeForms: false, writeClinical: false)
        }
        let rel = try await relationship(of: user, to: patient)
        let now = req.now.timeIntervalSince1970
        return Capabilities(
            patientName: try await UserModel.find(patient.userID, on: req.db)?.name ?? "",
            completeForms: AccessPolicy.decide(user.actor, .completeForms, relationship: rel, now: now).isAllowed,
            writeClinical: AccessPolicy.decide(user.actor, .writeClinical, relationship: rel, now: now).isAllowed)
    }

    /// The patients `user` may see, each checked with the policy and audited as a read.
    func visiblePatients() async throws -> [PatientModel] {
        let user = try req.requireUser()
        var candidates: [PatientModel]
        switch user.role {
        case .patient:
            candidates = try await PatientModel.query(on: req.db).filter(\.$userID == user.userID).all()
        case .caregiver:
            let ids = try await CaregiverLinkModel.query(on: req.db).filter(\.$caregiverUserID == user.userID).all()
                .map(\.patientID)
            candidates = ids.isEmpty ? [] : try await PatientModel.query(on: req.db).filter(\.$id ~~ Set(ids)).all()
        case .therapist:
            guard let therapistID = user.therapistID else { return [] }
            let ids = try await CareTeamMemberModel.query(on: req.db).filter(\.$therapistID == therapistID).all()
                .map(\.patientID)
            candidates = ids.isEmpty ? [] : try await PatientModel.query(on: req.db).filter(\.$id ~~ Set(ids)).all()
        case .clinicAdmin:
            let clinics = try await ClinicMembershipModel.query(on: req.db)
                .filter(\.$userID == user.userID).filter(\.$role == Role.clinicAdmin.rawValue).all().map(\.clinicID)
            candidates = clinics.isEmpty ? [] : try await PatientModel.query(on: req.db).filter(\.$clinicID ~~ clinics).all()
        case .platformAdmin:
            candidates = []
        }
        var visible: [PatientModel] = []
        var events: [AuditLog.Event] = []
        let now = req.now.timeIntervalSince1970
        for patient in candidates {
            let rel = try await relationship(of: user, to: patient)
            guard AccessPolicy.decide(user.actor, .viewRecord, relationship: rel, now: now).isAllowed else { continue }
            visible.append(patient)
            events.append(.init(action: PatientAction.viewRecord.rawValue, patientID: patient.id, clinicID: patient.clinicID,
                                resource: "patient/\(patient.id!.uuidString)", outcome: .allowed, reason: nil))
        }
        try await AuditLog(req: req).record(events)
        return visible
    }
}

extension CaregiverLinkModel {
    var scopeSet: Set<CaregiverScope> {
        Set(scopes.split(separator: ",").compactMap { CaregiverScope(rawValue: String($0)) })
    }

    var grant: CaregiverGrant {
        CaregiverGrant(scopes: scopeSet, expiresAt: expiresAt.timeIntervalSince1970,
                       revokedAt: revokedAt?.timeIntervalSince1970)
    }
}

extension Request {
    var patientAccess: PatientAccess { PatientAccess(req: self) }
}

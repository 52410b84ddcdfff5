/// Things an actor can do with one patient's data. Raw values are stable: they are written
/// to the audit log.
public enum PatientAction: String, CaseIterable, Codable, Sendable {
    /// Demographics, profile, care team and caregivers.
    case viewRecord = "view-record"
    case editProfile = "edit-profile"
    /// Intake, notes, plans, measures and practice logs.
    case viewClinical = "view-clinical"
    case writeClinical = "write-clinical"
    case logPractice = "log-practice"
    /// Fill in the intake and assigned questionnaires.
    case completeForms = "complete-forms"
    case bookVisit = "book-visit"
    case message
    case manageCareTeam = "manage-care-team"
    case manageCaregivers = "manage-caregivers"
    case viewAudit = "view-audit"
    /// Invoices, payments, balances and insurance coverage.
    case viewBilling = "view-billing"
    /// Recording payments and refunds, issuing invoices, keeping coverage records.
    case manageBilling = "manage-billing"
}

/// The one asking.
public struct Actor: Equatable, Sendable {
    public var userId: String
    public var role: Role
    /// For therapists: whether a clinic has verified their credentials.
    public var isVerifiedTherapist: Bool

    public init(userId: String, role: Role, isVerifiedTherapist: Bool = false) {
        self.userId = userId
        self.role = role
        self.isVerifiedTherapist = isVerifiedTherapist
    }
}

/// How the actor is connected to the patient, as read from storage.
public struct PatientRelationship: Equatable, Sendable {
    /// The actor is the patient.
    public var isSelf: Bool
    /// The actor is a therapist on the patient's care team.
    public var onCareTeam: Bool
    /// The actor is an admin of the clinic the patient belongs to.
    public var adminOfPatientClinic: Bool
    /// Delegations from this patient to the actor (current and past).
    public var caregiverGrants: [CaregiverGrant]

    public init(isSelf: Bool = false, onCareTeam: Bool = false, adminOfPatientClinic: Bool = false,
                caregiverGrants: [CaregiverGrant] = []) {
        self.isSelf = isSelf
        self.onCareTeam = onCareTeam
        self.adminOfPatientClinic = adminOfPatientClinic
        self.caregiverGrants = caregiverGrants
    }

    public static let none = PatientRelationship()
}

public enum AccessDecision: Equatable, Sendable {
    case allowed
    case denied(reason: String)

    public var isAllowed: Bool { self == .allowed }
}

/// The single answer to "may this actor do this action on this patient's data?".
/// Every server route that touches patient data asks it; nothing else decides.
///
/// Grounds: HIPAA 45 CFR 164.312(a)(1) access control and the minimum-necessary standard
/// (45 CFR 164.502(b)); CLINICAL.md §7: "clinician sees only assigned patients; caregiver
/// scoped by Consent".
public enum AccessPolicy {
    /// What each role may do when its relationship to the patient holds.
    static let patientSelf: Set<PatientAction> = [
        .viewRecord, .editProfile, .viewClinical, .logPractice, .completeForms, .bookVisit, .message, .manageCaregivers, .viewBilling,
    ]
    static let careTeamTherapist: Set<PatientAction> = [
        .viewRecord, .viewClinical, .writeClinical, .bookVisit, .message,
    ]
    /// Clinic admins run the front desk: records, scheduling, teams, delegations, billing and
    /// the audit log, but not clinical content (minimum necessary).
    static let clinicAdmin: Set<PatientAction> = [
        .viewRecord, .editProfile, .bookVisit, .manageCareTeam, .manageCaregivers, .viewAudit, .viewBilling, .manageBilling,
    ]

    /// The actions a caregiver scope opens.
    public static func actions(for scope: CaregiverScope) -> Set<PatientAction> {
        switch scope {
        case .view: [.viewRecord, .viewClinical]
        // A caregiver who logs practice or books visits also fills in the forms those need
        // (questionnaires, the intake that precedes the first booking).
        case .logPractice: [.logPractice, .completeForms]
        case .bookVisits: [.bookVisit, .completeForms]
        case .message: [.message]
        }
    }

    public static func decide(
        _ actor: Actor, _ action: PatientAction, relationship: PatientRelationship, now: Double
    ) -> AccessDecision {
        switch actor.role {
        case .patient:
            guard relationship.isSelf else { return .denied(reason: "not-own-record") }
            return patientSelf.contains(action) ? .allowed : .denied(reason: "not-permitted-for-patient")
        case .caregiver:
            let active = relationship.caregiverGrants.filter { $0.isActive(now: now) }
            guard !active.isEmpty else { return .denied(reason: "no-active-delegation") }
            let opened = active.reduce(into: Set<PatientAction>()) { acc, grant in
                for scope in grant.scopes { acc.formUnion(actions(for: scope)) }
            }
            return opened.contains(action) ? .allowed : .denied(reason: "outside-delegated-scopes")
        case .therapist:
            guard actor.isVerifiedTherapist else { return .denied(reason: "therapist-unverified") }
            guard relationship.onCareTeam else { return .denied(reason: "not-on-care-team") }
            return careTeamTherapist.contains(action) ? .allowed : .denied(reason: "not-permitted-for-therapist")
        case .clinicAdmin:
            guard relationship.adminOfPatientClinic else { return .denied(reason: "not-patient-clinic") }
            return clinicAdmin.contains(action) ? .allowed : .denied(reason: "not-permitted-for-clinic-admin")
        case .platformAdmin:
            // Platform admins run the service (clinics), not care: no patient data.
            return .denied(reason: "platform-admin-has-no-patient-access")
        }
    }
}

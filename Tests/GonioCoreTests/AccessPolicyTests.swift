import Testing
@testable import GonioCore

/// The full table of role x action x relationship. The expected table is written out by hand,
/// one row per (role, relationship), listing every action allowed there; every cell not listed
/// must be denied.
@Suite struct AccessPolicyTests {
    static let now = 1_000_000.0
    static let future = now + 86_400
    static let past = now - 1

    enum Link: String, CaseIterable, CustomTestStringConvertible {
        case none, selfRecord, careTeam, clinic, viewGrant, logGrant, bookGrant, messageGrant, allScopes
        case expiredGrant, revokedGrant, futureRevocation, everything
        var testDescription: String { rawValue }

        var relationship: PatientRelationship {
            let all = Set(CaregiverScope.allCases)
            switch self {
            case .none: return .none
            case .selfRecord: return .init(isSelf: true)
            case .careTeam: return .init(onCareTeam: true)
            case .clinic: return .init(adminOfPatientClinic: true)
            case .viewGrant: return .init(caregiverGrants: [.init(scopes: [.view], expiresAt: future)])
            case .logGrant: return .init(caregiverGrants: [.init(scopes: [.logPractice], expiresAt: future)])
            case .bookGrant: return .init(caregiverGrants: [.init(scopes: [.bookVisits], expiresAt: future)])
            case .messageGrant: return .init(caregiverGrants: [.init(scopes: [.message], expiresAt: future)])
            case .allScopes: return .init(caregiverGrants: [
                .init(scopes: [.view], expiresAt: future), .init(scopes: [.logPractice, .bookVisits, .message], expiresAt: future),
            ])
            case .expiredGrant: return .init(caregiverGrants: [.init(scopes: all, expiresAt: now)])
            case .revokedGrant: return .init(caregiverGrants: [.init(scopes: all, expiresAt: future, revokedAt: past)])
            case .futureRevocation: return .init(caregiverGrants: [.init(scopes: [.view], expiresAt: future, revokedAt: future)])
            case .everything: return .init(isSelf: true, onCareTeam: true, adminOfPatientClinic: true,
                                           caregiverGrants: [.init(scopes: all, expiresAt: future)])
            }
        }
    }

    typealias A = PatientAction
    static let patientOwn: Set<A> = [.viewRecord, .editProfile, .viewClinical, .logPractice, .completeForms, .bookVisit, .message, .manageCaregivers, .viewBilling]
    static let therapistTeam: Set<A> = [.viewRecord, .viewClinical, .writeClinical, .bookVisit, .message]
    static let adminClinic: Set<A> = [.viewRecord, .editProfile, .bookVisit, .manageCareTeam, .manageCaregivers, .viewAudit, .viewBilling, .manageBilling]
    static let caregiverAll: Set<A> = [.viewRecord, .viewClinical, .logPractice, .completeForms, .bookVisit, .message]

    /// (role, verified therapist?, link) -> allowed actions. Absent rows allow nothing.
    static func expected(_ role: Role, verified: Bool, _ link: Link) -> Set<A> {
        switch (role, link) {
        case (.patient, .selfRecord), (.patient, .everything): return patientOwn
        case (.caregiver, .viewGrant), (.caregiver, .futureRevocation): return [.viewRecord, .viewClinical]
        case (.caregiver, .logGrant): return [.logPractice, .completeForms]
        case (.caregiver, .bookGrant): return [.bookVisit, .completeForms]
        case (.caregiver, .messageGrant): return [.message]
        case (.caregiver, .allScopes), (.caregiver, .everything): return caregiverAll
        case (.therapist, .careTeam), (.therapist, .everything): return verified ? therapistTeam : []
        case (.clinicAdmin, .clinic), (.clinicAdmin, .everything): return adminClinic
        default: return []
        }
    }

    @Test(arguments: Role.allCases, Link.allCases)
    func everyCell(role: Role, link: Link) {
        for verified in [true, false] {
            let actor = Actor(userId: "u1", role: role, isVerifiedTherapist: verified)
            let allowed = Self.expected(role, verified: verified, link)
            for action in PatientAction.allCases {
                let decision = AccessPolicy.decide(actor, action, relationship: link.relationship, now: Self.now)
                #expect(decision.isAllowed == allowed.contains(action),
                        "\(role) verified=\(verified) \(link) \(action) -> \(decision)")
            }
        }
    }

    @Test func platformAdminNeverReachesPatientData() {
        let actor = Actor(userId: "p", role: .platformAdmin)
        for action in PatientAction.allCases {
            #expect(AccessPolicy.decide(actor, action, relationship: Link.everything.relationship, now: Self.now)
                    == .denied(reason: "platform-admin-has-no-patient-access"))
        }
    }

    @Test func deniedDecisionsSayWhy() {
        let therapist = Actor(userId: "t", role: .therapist, isVerifiedTherapist: false)
        #expect(AccessPolicy.decide(therapist, .viewRecord, relationship: .init(onCareTeam: true), now: Self.now)
                == .denied(reason: "therapist-unverified"))
        let verified = Actor(userId: "t", role: .therapist, isVerifiedTherapist: true)
        #expect(AccessPolicy.decide(verified, .viewRecord, relationship: .none, now: Self.now)
                == .denied(reason: "not-on-care-team"))
        let caregiver = Actor(userId: "c", role: .caregiver)
        #expect(AccessPolicy.decide(caregiver, .message, relationship: Link.viewGrant.relationship, now: Self.now)
                == .denied(reason: "outside-delegated-scopes"))
        #expect(AccessPolicy.decide(caregiver, .viewRecord, relationship: Link.expiredGrant.relationship, now: Self.now)
                == .denied(reason: "no-active-delegation"))
        #expect(AccessDecision.denied(reason: "x").auditOutcome == .denied)
        #expect(AccessDecision.allowed.auditOutcome == .allowed)
    }

    @Test func grantExpiresAtItsEndInstant() {
        let grant = CaregiverGrant(scopes: [.view], expiresAt: 100)
        #expect(grant.isActive(now: 99.9))
        #expect(!grant.isActive(now: 100))
        let revoked = CaregiverGrant(scopes: [.view], expiresAt: 100, revokedAt: 50)
        #expect(revoked.isActive(now: 49))
        #expect(!revoked.isActive(now: 50))
    }

    @Test func newGrantValidation() throws {
        #expect(throws: DomainError.self) { try CaregiverGrant.validateNew(scopes: [], expiresAt: 200, now: 100) }
        #expect(throws: DomainError.self) { try CaregiverGrant.validateNew(scopes: [.view], expiresAt: 100, now: 100) }
        #expect(throws: DomainError.self) {
            try CaregiverGrant.validateNew(scopes: [.view], expiresAt: 100 + CaregiverGrant.maximumLifetime + 1, now: 100)
        }
        try CaregiverGrant.validateNew(scopes: [.view], expiresAt: 100 + CaregiverGrant.maximumLifetime, now: 100)
    }
}

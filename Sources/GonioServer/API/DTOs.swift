import Vapor
import GonioCore

/// Shapes sent over the JSON API. Fluent models never leave the server; these do.
struct UserSummaryDTO: Content {
    var id: UUID
    var role: String
    var name: String
}

struct TokenResponse: Content {
    var token: String
    var expiresAt: Date
    var user: UserSummaryDTO
}

struct MeDTO: Content {
    var id: UUID
    var email: String
    var name: String
    var role: String
    var patientId: UUID?
    var therapistId: UUID?
    var therapistVerification: String?
    var clinicIds: [UUID]
    var sessionExpiresAt: Date
}

struct ClinicDTO: Content {
    var id: UUID
    var name: String
    var kind: String

    init(_ m: ClinicModel) {
        id = m.id!
        name = m.name
        kind = m.kind
    }
}

struct PatientDTO: Content {
    var id: UUID
    var userId: UUID
    var name: String
    var email: String
    var clinicId: UUID
    var dateOfBirth: String?
    var location: String?
    var createdAt: Date?

    init(_ p: PatientModel, user: UserModel) {
        id = p.id!
        userId = p.userID
        name = user.name
        email = user.email
        clinicId = p.clinicID
        dateOfBirth = p.dateOfBirth
        location = p.location
        createdAt = p.createdAt
    }
}

struct LicenseDTO: Content {
    var number: String
    var type: String
    var jurisdiction: String
    var jurisdictionName: String
    var expiresOn: String
    var isHomeState: Bool
    var active: Bool
}

struct PrivilegeDTO: Content {
    var jurisdiction: String
    var jurisdictionName: String
    var expiresOn: String
    var active: Bool
}

struct TherapistDTO: Content {
    var id: UUID
    var userId: UUID
    var name: String
    var email: String
    var verification: String
    var decisionReason: String?
    var decidedAt: Date?
    var licenses: [LicenseDTO]
    var compactPrivileges: [PrivilegeDTO]

    init(_ t: TherapistModel, user: UserModel, standing: TherapistStanding, today: CalendarDay, compact: CompactMembership) {
        id = t.id!
        userId = t.userID
        name = user.name
        email = user.email
        verification = t.verification
        decisionReason = t.decisionReason
        decidedAt = t.decidedAt
        licenses = standing.licenses.map {
            LicenseDTO(number: $0.number, type: $0.type.rawValue, jurisdiction: $0.jurisdiction.code,
                       jurisdictionName: $0.jurisdiction.displayName, expiresOn: $0.expiresOn.description,
                       isHomeState: $0.isHomeState, active: $0.isActive(on: today))
        }
        compactPrivileges = standing.privileges.map { p in
            let active: Bool
            if case .compactPrivilege = Licensure.authority(
                TherapistStanding(verification: .verified, licenses: standing.licenses.filter(\.isHomeState), privileges: [p]),
                in: p.jurisdiction, on: today, compact: compact) { active = true } else { active = false }
            return PrivilegeDTO(jurisdiction: p.jurisdiction.code, jurisdictionName: p.jurisdiction.displayName,
                                expiresOn: p.expiresOn.description, active: active)
        }
    }
}

struct CareTeamMemberDTO: Content {
    var therapistId: UUID
    var name: String
    var verification: String
}

struct CaregiverLinkDTO: Content {
    var id: UUID
    var caregiverUserId: UUID
    var name: String
    var email: String
    var scopes: [String]
    var expiresAt: Date
    var revokedAt: Date?
    var active: Bool

    init(_ link: CaregiverLinkModel, user: UserModel, now: Date) {
        id = link.id!
        caregiverUserId = link.caregiverUserID
        name = user.name
        email = user.email
        scopes = CaregiverScope.allCases.filter(link.scopeSet.contains).map(\.rawValue)
        expiresAt = link.expiresAt
        revokedAt = link.revokedAt
        active = link.grant.isActive(now: now.timeIntervalSince1970)
    }
}

struct AuditEntryDTO: Content {
    var id: UUID
    var at: Date
    var actorUserId: UUID?
    var actorRole: String
    var action: String
    var patientId: UUID?
    var resource: String
    var clientAddress: String
    var outcome: String
    var reason: String?
    var requestId: String?

    init(_ m: AuditEntryModel) {
        id = m.id!
        at = m.at
        actorUserId = m.actorUserID
        actorRole = m.actorRole
        action = m.action
        patientId = m.patientID
        resource = m.resource
        clientAddress = m.clientAddress
        outcome = m.outcome
        reason = m.reason
        requestId = m.requestID
    }
}

struct ErrorBody: Content {
    struct Detail: Content {
        var code: String
        var message: String
    }
    var error: Detail
}

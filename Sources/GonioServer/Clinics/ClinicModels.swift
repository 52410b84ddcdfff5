import Fluent
import Foundation
import GonioCore

final class ClinicModel: Model, @unchecked Sendable {
    static let schema = "clinics"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Enum(key: "kind") var kind: ClinicKind
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(id: UUID? = nil, name: String, kind: ClinicKind) {
        self.id = id
        self.name = name
        self.kind = kind
    }
}

/// A therapist or admin belonging to a clinic.
final class ClinicMembershipModel: Model, @unchecked Sendable {
    static let schema = "clinic_memberships"
    @ID(key: .id) var id: UUID?
    @Parent(key: "clinic_id") var clinic: ClinicModel
    @Parent(key: "user_id") var user: UserModel
    @Enum(key: "role") var role: Role
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(clinicID: UUID, userID: UUID, role: Role) {
        self.$clinic.id = clinicID
        self.$user.id = userID
        self.role = role
    }
}

final class TherapistModel: Model, @unchecked Sendable {
    static let schema = "therapists"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    @Enum(key: "verification") var verification: VerificationStatus
    @OptionalField(key: "decision_reason") var decisionReason: String?
    @OptionalParent(key: "decided_by") var decidedBy: UserModel?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    /// National Provider Identifier, for claims (M0023).
    @OptionalField(key: "npi") var npi: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$therapist) var licenses: [LicenseModel]
    @Children(for: \.$therapist) var privileges: [CompactPrivilegeModel]

    init() {}
    init(id: UUID? = nil, userID: UUID, verification: VerificationStatus) {
        self.id = id
        self.$user.id = userID
        self.verification = verification
    }
}

final class LicenseModel: Model, @unchecked Sendable {
    static let schema = "licenses"
    @ID(key: .id) var id: UUID?
    @Parent(key: "therapist_id") var therapist: TherapistModel
    @Field(key: "number") var number: String
    @Enum(key: "type") var type: LicenseType
    @Field(key: "jurisdiction") var jurisdiction: String
    @Field(key: "expires_on") var expiresOn: String
    @Field(key: "is_home_state") var isHomeState: Bool

    init() {}
    init(therapistID: UUID, license l: License) {
        self.$therapist.id = therapistID
        self.number = l.number
        self.type = l.type
        self.jurisdiction = l.jurisdiction.code
        self.expiresOn = l.expiresOn.description
        self.isHomeState = l.isHomeState
    }

    /// The Core value; nil for a row that no longer parses (kept, but not counted as a licence).
    var license: License? {
        guard let place = try? Jurisdiction(jurisdiction), let expires = try? CalendarDay(expiresOn) else { return nil }
        return License(number: number, type: type, jurisdiction: place, expiresOn: expires, isHomeState: isHomeState)
    }
}

final class CompactPrivilegeModel: Model, @unchecked Sendable {
    static let schema = "compact_privileges"
    @ID(key: .id) var id: UUID?
    @Parent(key: "therapist_id") var therapist: TherapistModel
    @Field(key: "jurisdiction") var jurisdiction: String
    @Field(key: "expires_on") var expiresOn: String

    init() {}
    init(therapistID: UUID, privilege p: CompactPrivilege) {
        self.$therapist.id = therapistID
        self.jurisdiction = p.jurisdiction.code
        self.expiresOn = p.expiresOn.description
    }

    var privilege: CompactPrivilege? {
        guard let place = try? Jurisdiction(jurisdiction), let expires = try? CalendarDay(expiresOn) else { return nil }
        return CompactPrivilege(jurisdiction: place, expiresOn: expires)
    }
}

extension TherapistModel {
    /// The therapist's standing for licensure rules; `licenses` and `privileges` must be loaded
    /// (`.with(\.$licenses).with(\.$privileges)`).
    var standing: TherapistStanding {
        TherapistStanding(verification: verification, licenses: licenses.compactMap(\.license),
                          privileges: privileges.compactMap(\.privilege))
    }
}

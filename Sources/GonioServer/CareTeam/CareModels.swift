import Fluent
import Foundation
import GonioCore

/// A therapist on a patient's care team.
final class CareTeamMemberModel: Model, @unchecked Sendable {
    static let schema = "care_team_members"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Parent(key: "therapist_id") var therapist: TherapistModel
    @OptionalParent(key: "added_by") var addedBy: UserModel?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(patientID: UUID, therapistID: UUID, addedBy: UUID?) {
        self.$patient.id = patientID
        self.$therapist.id = therapistID
        self.$addedBy.id = addedBy
    }
}

/// What a caregiver may do, stored as one comma-separated column (`view,log-practice`).
struct CaregiverScopes: Codable, Sendable, Equatable {
    var set: Set<CaregiverScope>

    init(_ set: Set<CaregiverScope>) { self.set = set }

    /// In the order of `CaregiverScope.allCases`.
    var ordered: [CaregiverScope] { CaregiverScope.allCases.filter(set.contains) }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        set = Set(text.split(separator: ",").compactMap { CaregiverScope(rawValue: String($0)) })
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(ordered.map(\.rawValue).joined(separator: ","))
    }
}

/// A patient's delegation to a caregiver: scoped, expiring, revocable.
final class CaregiverLinkModel: Model, @unchecked Sendable {
    static let schema = "caregiver_links"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Parent(key: "caregiver_user_id") var caregiver: UserModel
    @Field(key: "scopes") var scopes: CaregiverScopes
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @OptionalParent(key: "created_by") var createdBy: UserModel?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(patientID: UUID, caregiverUserID: UUID, scopes: Set<CaregiverScope>, expiresAt: Date, createdBy: UUID?) {
        self.$patient.id = patientID
        self.$caregiver.id = caregiverUserID
        self.scopes = CaregiverScopes(scopes)
        self.expiresAt = expiresAt
        self.$createdBy.id = createdBy
    }

    var grant: CaregiverGrant {
        CaregiverGrant(scopes: scopes.set, expiresAt: expiresAt.timeIntervalSince1970, revokedAt: revokedAt?.timeIntervalSince1970)
    }
}

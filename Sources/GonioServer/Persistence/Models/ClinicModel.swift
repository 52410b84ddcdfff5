import Fluent
import Foundation

final class ClinicModel: Model, @unchecked Sendable {
    static let schema = "clinics"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(id: UUID? = nil, name: String, kind: String) {
        self.id = id
        self.name = name
        self.kind = kind
    }
}

/// A therapist or admin belonging to a clinic.
final class ClinicMembershipModel: Model, @unchecked Sendable {
    static let schema = "clinic_memberships"
    @ID(key: .id) var id: UUID?
    @Field(key: "clinic_id") var clinicID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "role") var role: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(clinicID: UUID, userID: UUID, role: String) {
        self.clinicID = clinicID
        self.userID = userID
        self.role = role
    }
}

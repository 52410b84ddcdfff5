import Fluent
import Foundation

final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"
    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "role") var role: String
    @Field(key: "password_hash") var passwordHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "password_changed_at", on: .none) var passwordChangedAt: Date?

    init() {}
    init(id: UUID? = nil, email: String, name: String, role: String, passwordHash: String) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
    }
}

final class PatientModel: Model, @unchecked Sendable {
    static let schema = "patients"
    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "clinic_id") var clinicID: UUID
    @OptionalField(key: "date_of_birth") var dateOfBirth: String?
    @OptionalField(key: "location") var location: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(id: UUID? = nil, userID: UUID, clinicID: UUID, dateOfBirth: String?, location: String?) {
        self.id = id
        self.userID = userID
        self.clinicID = clinicID
        self.dateOfBirth = dateOfBirth
        self.location = location
    }
}

final class TherapistModel: Model, @unchecked Sendable {
    static let schema = "therapists"
    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "verification") var verification: String
    @OptionalField(key: "decision_reason") var decisionReason: String?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(id: UUID? = nil, userID: UUID, verification: String) {
        self.id = id
        self.userID = userID
        self.verification = verification
    }
}

final class LicenseModel: Model, @unchecked Sendable {
    static let schema = "licenses"
    @ID(key: .id) var id: UUID?
    @Field(key: "therapist_id") var therapistID: UUID
    @Field(key: "number") var number: String
    @Field(key: "type") var type: String
    @Field(key: "jurisdiction") var jurisdiction: String
    @Field(key: "expires_on") var expiresOn: String
    @Field(key: "is_home_state") var isHomeState: Bool

    init() {}
    init(therapistID: UUID, number: String, type: String, jurisdiction: String, expiresOn: String, isHomeState: Bool) {
        self.therapistID = therapistID
        self.number = number
        self.type = type
        self.jurisdiction = jurisdiction
        self.expiresOn = expiresOn
        self.isHomeState = isHomeState
    }
}

final class CompactPrivilegeModel: Model, @unchecked Sendable {
    static let schema = "compact_privileges"
    @ID(key: .id) var id: UUID?
    @Field(key: "therapist_id") var therapistID: UUID
    @Field(key: "jurisdiction") var jurisdiction: String
    @Field(key: "expires_on") var expiresOn: String

    init() {}
    init(therapistID: UUID, jurisdiction: String, expiresOn: String) {
        self.therapistID = therapistID
        self.jurisdiction = jurisdiction
        self.expiresOn = expiresOn
    }
}

import Fluent
import GonioCore
import Foundation

/// A patient's record: who they are (their user), the clinic that cares for them, and the
/// facts licensure and scheduling need. Read and written only through `PatientGate`.
final class PatientModel: Model, @unchecked Sendable {
    static let schema = "patients"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    @Parent(key: "clinic_id") var clinic: ClinicModel
    /// `YYYY-MM-DD`.
    @OptionalField(key: "date_of_birth") var dateOfBirth: String?
    /// A jurisdiction code (`US-CA`).
    @OptionalField(key: "location") var location: String?
    /// An IANA time zone (`America/Chicago`): practice days are the patient's own days. Unset
    /// means the usual zone of `location`.
    @OptionalField(key: "time_zone") var timeZone: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(id: UUID? = nil, userID: UUID, clinicID: UUID, dateOfBirth: String?, location: String?, timeZone: String? = nil) {
        self.id = id
        self.$user.id = userID
        self.$clinic.id = clinicID
        self.dateOfBirth = dateOfBirth
        self.location = location
        self.timeZone = timeZone
    }
}

extension PatientModel {
    /// The zone the patient chose, or the usual one for where they live.
    var zone: PatientTimeZone { timeZone.flatMap { try? PatientTimeZone($0) } ?? .usual(for: location) }
}

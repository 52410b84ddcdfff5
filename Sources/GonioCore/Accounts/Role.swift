/// Who a user is to Gonio. Raw values are stable: they are stored and sent over the API.
public enum Role: String, CaseIterable, Codable, Sendable {
    case patient
    case caregiver
    case therapist
    case clinicAdmin = "clinic-admin"
    case platformAdmin = "platform-admin"

    /// Roles a person may choose when registering; the others are granted.
    /// Therapists register as applicants and stay unverified until a clinic admin verifies them.
    public static let selfRegistrable: [Role] = [.patient, .caregiver, .therapist]

    public var displayName: String {
        switch self {
        case .patient: "Patient"
        case .caregiver: "Caregiver"
        case .therapist: "Therapist"
        case .clinicAdmin: "Clinic admin"
        case .platformAdmin: "Platform admin"
        }
    }
}

/// The kinds of organisation a clinic can be.
public enum ClinicKind: String, CaseIterable, Codable, Sendable {
    case hospitalDepartment = "hospital-department"
    case privatePractice = "private-practice"
    case telehealthProvider = "telehealth-provider"

    public var displayName: String {
        switch self {
        case .hospitalDepartment: "Hospital department"
        case .privatePractice: "Private practice"
        case .telehealthProvider: "Telehealth provider"
        }
    }
}

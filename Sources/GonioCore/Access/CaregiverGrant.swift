/// What a patient lets a caregiver do for them.
public enum CaregiverScope: String, CaseIterable, Codable, Sendable, Comparable {
    case view
    case logPractice = "log-practice"
    case bookVisits = "book-visits"
    case message

    public var displayName: String {
        switch self {
        case .view: "See records and plan"
        case .logPractice: "Log practice on their behalf"
        case .bookVisits: "Book visits"
        case .message: "Message the care team"
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A delegation from a patient to a caregiver: scoped, revocable and expiring.
/// Times are seconds since a common epoch, chosen by the caller.
public struct CaregiverGrant: Equatable, Sendable {
    public var scopes: Set<CaregiverScope>
    public var expiresAt: Double
    public var revokedAt: Double?

    /// Longest a delegation may run before the patient renews it.
    public static let maximumLifetime: Double = 2 * 366 * 24 * 60 * 60

    public init(scopes: Set<CaregiverScope>, expiresAt: Double, revokedAt: Double? = nil) {
        self.scopes = scopes
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    public func isActive(now: Double) -> Bool {
        if let revokedAt, revokedAt <= now { return false }
        return now < expiresAt
    }

    /// Checks a new delegation: at least one scope, an expiry in the future and no more than
    /// two years away.
    public static func validateNew(scopes: Set<CaregiverScope>, expiresAt: Double, now: Double) throws(DomainError) {
        guard !scopes.isEmpty else {
            throw .invalid("scopes-missing", "Choose at least one thing the caregiver may do.")
        }
        guard expiresAt > now else {
            throw .invalid("expiry-in-past", "Choose an end date in the future.")
        }
        guard expiresAt - now <= maximumLifetime else {
            throw .invalid("expiry-too-far", "A caregiver link can last two years at most; renew it when it ends.")
        }
    }
}

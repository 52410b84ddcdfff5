/// Errors raised by domain rules. They say what went wrong in the clinic's words and carry
/// no transport detail; the server maps each kind to a status in one place.
public struct DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// The input breaks a rule (bad value, missing field, weak password).
        case invalid
        /// The thing asked for does not exist, or the caller may not know that it exists.
        case notFound
        /// The caller is known but may not do this.
        case forbidden
        /// The request conflicts with the current state (duplicate, already decided).
        case conflict
        /// The caller is not signed in or the credentials are wrong.
        case unauthenticated
        /// Too many attempts; try again later.
        case rateLimited
        /// A service Gonio depends on (the payment provider) did not answer; try again later.
        case unavailable
    }

    public var kind: Kind
    /// A stable machine-readable code, e.g. `password-too-short`.
    public var code: String
    /// A sentence a person can act on. Never contains patient data.
    public var message: String
    /// For `rateLimited`: seconds until trying again may succeed.
    public var retryAfter: Int?

    public init(_ kind: Kind, code: String, _ message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func invalid(_ code: String, _ message: String) -> DomainError { .init(.invalid, code: code, message) }
    public static func forbidden(_ code: String, _ message: String) -> DomainError { .init(.forbidden, code: code, message) }
    public static func conflict(_ code: String, _ message: String) -> DomainError { .init(.conflict, code: code, message) }
    public static func notFound(_ code: String = "not-found", _ message: String = "Not found.") -> DomainError {
        .init(.notFound, code: code, message)
    }
}

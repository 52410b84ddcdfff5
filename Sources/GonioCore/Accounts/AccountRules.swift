/// Rules for the data a person gives when they create or change an account.
public enum AccountRules {
    /// Minimum length, following NIST SP 800-63B §5.1.1.2 (at least 8; we ask for 10).
    public static let minimumPasswordLength = 10
    /// NIST SP 800-63B asks verifiers to accept at least 64 characters; we accept up to 256.
    public static let maximumPasswordLength = 256

    /// Checks a new password against length and the list of common passwords (NIST SP 800-63B
    /// §5.1.1.2: compare against "passwords obtained from previous breach corpuses" and
    /// "dictionary words"). Comparison ignores case so "Password123" is caught too.
    public static func validatePassword(_ password: String, email: String? = nil) throws(DomainError) {
        let length = password.count
        if length < minimumPasswordLength {
            throw .invalid("password-too-short", "Choose a password of at least \(minimumPasswordLength) characters.")
        }
        if length > maximumPasswordLength {
            throw .invalid("password-too-long", "Choose a password of at most \(maximumPasswordLength) characters.")
        }
        let folded = password.lowercased()
        if CommonPasswords.list.contains(folded) {
            throw .invalid("password-common", "That password is too common. Choose one that is harder to guess.")
        }
        if Set(folded).count < 3 {
            throw .invalid("password-common", "That password repeats too few characters. Choose one that is harder to guess.")
        }
        if let email, let local = email.lowercased().split(separator: "@").first,
           folded == email.lowercased() || folded == String(local) {
            throw .invalid("password-is-email", "Your password must not be your email address.")
        }
    }

    /// Normalises an email address for storage and look-up: trimmed and lower-cased.
    /// Rejects anything that is not plausibly an address (one `@`, a dot in the domain, no spaces).
    public static func normalizedEmail(_ raw: String) throws(DomainError) -> String {
        let email = raw.trimmingWhitespace().lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" }),
              !InputRules.hasControlCharacter(email, allowingLineBreaks: false)
        else {
            throw .invalid("email-invalid", "Enter an email address like name@example.com.")
        }
        return email
    }

    /// A display name: trimmed, 1 to 120 characters, no control characters. `field` names it in
    /// messages ("clinic name"); `code` prefixes the error codes (`clinic-name-missing`).
    public static func validatedName(_ raw: String, field: String = "name", code: String = "name") throws(DomainError) -> String {
        let name = raw.trimmingWhitespace()
        guard !name.isEmpty else { throw .invalid("\(code)-missing", "Enter a \(field).") }
        guard name.count <= 120 else { throw .invalid("\(code)-too-long", "Keep the \(field) to 120 characters or fewer.") }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid("\(code)-invalid", "The \(field) contains characters that are not allowed.")
        }
        return name
    }
}

extension String {
    /// Leading and trailing white space removed, without Foundation.
    package func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}

import Vapor

/// Random tokens and their keyed hashes.
enum Secrets {
    /// 256 random bits, URL-safe base64 without padding.
    static func newToken() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// HMAC-SHA256 with the server secret, hex. Used to store session tokens.
    static func keyedHash(_ value: String, secret: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: SymmetricKey(data: secret))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Constant-time comparison of two strings.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Password hashing. bcrypt (cost 12) over a SHA-256 pre-hash, so passwords longer than
/// bcrypt's 72-byte limit are not silently truncated (NIST SP 800-63B asks us to accept 64+).
enum PasswordHasher {
    static let cost = 12

    private static func prehash(_ password: String) -> String {
        Data(SHA256.hash(data: Array(password.utf8))).base64EncodedString()
    }

    static func hash(_ password: String, cost: Int) throws -> String {
        try Bcrypt.hash(prehash(password), cost: cost)
    }

    static func verify(_ password: String, against hash: String) -> Bool {
        (try? Bcrypt.verify(prehash(password), created: hash)) ?? false
    }

    /// Spends the time a real check would, so unknown emails cannot be told apart by timing.
    static func burnTime() {
        _ = verify("not a password", against: dummyHash)
    }

    private static let dummyHash = (try? Bcrypt.hash("gonio-timing-equaliser", cost: cost)) ?? ""
}

/// When a signed-in session ends. HIPAA 45 CFR 164.312(a)(2)(iii) "automatic logoff"
/// (CLINICAL.md §7): a session ends after a period without activity and, regardless of
/// activity, after an absolute lifetime.
public struct SessionPolicy: Sendable, Equatable {
    /// Seconds without a request after which the session ends.
    public var idleTimeout: Double
    /// Seconds after sign-in after which the session ends however active it is.
    public var absoluteTimeout: Double

    public static let standard = SessionPolicy(idleTimeout: 30 * 60, absoluteTimeout: 12 * 60 * 60)

    public init(idleTimeout: Double, absoluteTimeout: Double) {
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
    }

    public enum State: Equatable, Sendable {
        case active
        case revoked
        case idleExpired
        case absoluteExpired
    }

    /// Times are seconds since a common epoch (the caller's clock), so Core needs no clock.
    public func state(createdAt: Double, lastSeenAt: Double, revoked: Bool, now: Double) -> State {
        if revoked { return .revoked }
        if now >= createdAt + absoluteTimeout { return .absoluteExpired }
        if now >= lastSeenAt + idleTimeout { return .idleExpired }
        return .active
    }

    /// The moment the session ends unless it is used again (or at once at the absolute limit).
    public func expiry(createdAt: Double, lastSeenAt: Double) -> Double {
        min(createdAt + absoluteTimeout, lastSeenAt + idleTimeout)
    }
}

/// Limits on failed sign-ins (OWASP ASVS V2.2.1 anti-automation; OWASP Authentication Cheat
/// Sheet, "Account Lockout": lock-outs let anyone lock a victim out, so slow down instead).
///
/// - One account from one address: after `maxPairFailures` failures in the window that pair
///   is refused until enough failures leave it. Other addresses (the owner's own) are not.
/// - One address across accounts: after `maxAddressFailures` failures the address is refused
///   (credential stuffing tries many accounts from one place).
/// - One account from anywhere: after `freeAccountFailures` failures each further attempt must
///   wait a delay that doubles with every failure, up to `maxAccountDelay` seconds; an address
///   the account signed in from successfully before is not slowed, so a guessing attack from
///   elsewhere does not keep the owner out.
public struct LoginThrottle: Sendable, Equatable {
    public var maxPairFailures: Int
    public var maxAddressFailures: Int
    public var freeAccountFailures: Int
    public var maxAccountDelay: Double
    /// Length of the sliding window in seconds.
    public var window: Double
    /// How long a successful sign-in makes its address known to the account.
    public var knownAddressMemory: Double

    public static let standard = LoginThrottle(
        maxPairFailures: 5, maxAddressFailures: 20, freeAccountFailures: 5, maxAccountDelay: 30,
        window: 15 * 60, knownAddressMemory: 30 * 24 * 60 * 60)

    public init(maxPairFailures: Int, maxAddressFailures: Int, freeAccountFailures: Int, maxAccountDelay: Double,
                window: Double, knownAddressMemory: Double) {
        self.maxPairFailures = maxPairFailures
        self.maxAddressFailures = maxAddressFailures
        self.freeAccountFailures = freeAccountFailures
        self.maxAccountDelay = maxAccountDelay
        self.window = window
        self.knownAddressMemory = knownAddressMemory
    }

    /// Earlier failed attempts, as seconds since a common epoch chosen by the caller.
    public struct History: Sendable, Equatable {
        /// This account from this address.
        public var pair: [Double]
        /// This address, any account.
        public var address: [Double]
        /// This account, any address.
        public var account: [Double]
        /// This address signed in to this account successfully within `knownAddressMemory`.
        public var knownAddress: Bool

        public init(pair: [Double] = [], address: [Double] = [], account: [Double] = [], knownAddress: Bool = false) {
            self.pair = pair
            self.address = address
            self.account = account
            self.knownAddress = knownAddress
        }
    }

    public enum Verdict: Equatable, Sendable {
        case allowed
        /// Refused; try again after `retryAfter` seconds (at least 1).
        case refused(retryAfter: Double)

        public var isAllowed: Bool { self == .allowed }
    }

    /// Whether a new attempt may check its password now. An address the account signed in from
    /// before is neither slowed for the account nor refused for failures of other accounts from
    /// the same address (a shared network), only for its own failures.
    public func verdict(_ history: History, now: Double) -> Verdict {
        let wait = max(unblockDelay(history.pair, limit: maxPairFailures, now: now),
                       history.knownAddress ? 0 : unblockDelay(history.address, limit: maxAddressFailures, now: now),
                       history.knownAddress ? 0 : accountDelay(history.account, now: now))
        return wait > 0 ? .refused(retryAfter: wait) : .allowed
    }

    /// The address a failure counts against: an IPv4 address, or the /64 network of an IPv6
    /// one, since a single IPv6 client usually holds a whole /64 (RFC 6177) and could otherwise
    /// step to a fresh address for each guess.
    public static func addressKey(_ address: String) -> String {
        guard let ip = IPAddress(address), !ip.isIPv4 else { return address }
        let prefix = Array(ip.bytes[0..<8]) + Array(repeating: 0, count: 8)
        return (IPAddress(bytes: prefix)?.description ?? address) + "/64"
    }

    /// The wait the account's recent failures impose after the latest of them: 1 s after the
    /// first failure past the free ones, doubling, capped.
    public func accountDelay(_ times: [Double], now: Double) -> Double {
        let recent = inWindow(times, now: now)
        guard recent.count >= freeAccountFailures, let last = recent.last else { return 0 }
        let exponent = min(recent.count - freeAccountFailures, 30)
        let delay = min(maxAccountDelay, Double(1 << exponent))
        let remaining = last + delay - now
        return remaining > 0 ? max(1, remaining.rounded(.up)) : 0
    }

    /// A list stops refusing when enough of its recent failures have left the window that
    /// fewer than `limit` remain.
    private func unblockDelay(_ times: [Double], limit: Int, now: Double) -> Double {
        let recent = inWindow(times, now: now)
        guard recent.count >= limit else { return 0 }
        let leaving = recent[recent.count - limit]
        return max(1, (leaving + window - now).rounded(.up))
    }

    /// Failures within the window. One stamped a little after `now` still counts: another
    /// server's clock, or a request that took its time a moment before this one.
    private func inWindow(_ times: [Double], now: Double) -> [Double] {
        times.filter { now - $0 < window }.sorted()
    }
}

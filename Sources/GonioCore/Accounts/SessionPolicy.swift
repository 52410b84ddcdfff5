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

/// Limits on failed sign-ins (OWASP ASVS V2.2.1: anti-automation on authentication).
public struct LoginThrottle: Sendable, Equatable {
    /// Failures allowed inside the window; the next attempt is refused.
    public var maxFailures: Int
    /// Length of the sliding window in seconds.
    public var window: Double

    public static let standard = LoginThrottle(maxFailures: 5, window: 15 * 60)

    public init(maxFailures: Int, window: Double) {
        self.maxFailures = maxFailures
        self.window = window
    }

    /// Whether a new attempt must be refused, given the times of earlier failed attempts for the
    /// same account and from the same address. Counts are separate: either one over the limit blocks.
    public func isBlocked(accountFailures: [Double], addressFailures: [Double], now: Double) -> Bool {
        recent(accountFailures, now: now) >= maxFailures || recent(addressFailures, now: now) >= maxFailures
    }

    /// Seconds until an attempt would be allowed again, for a Retry-After header (0 if not blocked).
    public func retryAfter(accountFailures: [Double], addressFailures: [Double], now: Double) -> Double {
        max(unblockDelay(accountFailures, now: now), unblockDelay(addressFailures, now: now))
    }

    /// The list stops blocking when enough of its recent failures have left the window that
    /// fewer than `maxFailures` remain.
    private func unblockDelay(_ times: [Double], now: Double) -> Double {
        let inWindow = times.filter { now - $0 < window && $0 <= now }.sorted()
        guard inWindow.count >= maxFailures else { return 0 }
        let leaving = inWindow[inWindow.count - maxFailures]
        return max(1, (leaving + window - now).rounded(.up))
    }

    private func recent(_ times: [Double], now: Double) -> Int {
        times.count(where: { now - $0 < window && $0 <= now })
    }
}

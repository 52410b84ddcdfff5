import Testing
@testable import GonioCore

@Suite struct AccountRulesTests {
    @Test(arguments: [
        ("short", "password-too-short"),
        ("nine-char", "password-too-short"),
        ("password123", "password-common"),
        ("PassWord123", "password-common"),
        ("1234567890", "password-common"),
        ("qwertyuiop", "password-common"),
        ("aaaaaaaaaaaa", "password-common"),
        ("abababababab", "password-common"),
        (String(repeating: "x1y", count: 86), "password-too-long"),
    ])
    func rejectsWeakPasswords(password: String, code: String) {
        let error = #expect(throws: DomainError.self) { try AccountRules.validatePassword(password) }
        #expect(error?.code == code)
    }

    @Test(arguments: ["gonio-demo-2026", "correct horse battery", "ten chars!", String(repeating: "ab1", count: 22), "päss wörd ✓ 2026"])
    func acceptsReasonablePasswords(password: String) throws {
        try AccountRules.validatePassword(password)
    }

    @Test func acceptsSixtyFourAndTwoHundredFiftySixCharacters() throws {
        try AccountRules.validatePassword(String(repeating: "abcd", count: 16))
        try AccountRules.validatePassword(String(repeating: "abcd", count: 64))
    }

    @Test func refusesPasswordThatIsTheEmail() {
        #expect(throws: DomainError.self) { try AccountRules.validatePassword("jane.doe@example.com", email: "Jane.Doe@example.com") }
        #expect(throws: DomainError.self) { try AccountRules.validatePassword("jane.doe.smith", email: "jane.doe.smith@example.com") }
    }

    @Test(arguments: [(" Jane@Example.COM ", "jane@example.com"), ("a@b.co", "a@b.co")])
    func normalisesEmails(raw: String, normalised: String) throws {
        #expect(try AccountRules.normalizedEmail(raw) == normalised)
    }

    @Test(arguments: ["", "plain", "a@b", "@b.com", "a@.com", "a@b.", "a b@c.com", "a@b@c.com", "<a@b.com>"])
    func rejectsBadEmails(raw: String) {
        #expect(throws: DomainError.self) { try AccountRules.normalizedEmail(raw) }
    }

    @Test func namesAreTrimmedAndBounded() throws {
        #expect(try AccountRules.validatedName("  Ana Ruiz ") == "Ana Ruiz")
        #expect(throws: DomainError.self) { try AccountRules.validatedName("   ") }
        #expect(throws: DomainError.self) { try AccountRules.validatedName(String(repeating: "a", count: 121)) }
        #expect(throws: DomainError.self) { try AccountRules.validatedName("a\u{0007}b") }
    }
}

@Suite struct SessionPolicyTests {
    let policy = SessionPolicy(idleTimeout: 30 * 60, absoluteTimeout: 12 * 3600)

    @Test func activeWithinBothLimits() {
        #expect(policy.state(createdAt: 0, lastSeenAt: 3600, revoked: false, now: 3600 + 29 * 60) == .active)
    }

    @Test func idleTimeoutAfterThirtyMinutesQuiet() {
        #expect(policy.state(createdAt: 0, lastSeenAt: 3600, revoked: false, now: 3600 + 30 * 60) == .idleExpired)
    }

    @Test func absoluteTimeoutEvenWhenActive() {
        #expect(policy.state(createdAt: 0, lastSeenAt: 12 * 3600 - 1, revoked: false, now: 12 * 3600) == .absoluteExpired)
    }

    @Test func revokedWins() {
        #expect(policy.state(createdAt: 0, lastSeenAt: 0, revoked: true, now: 1) == .revoked)
    }

    @Test func expiryIsTheEarlierLimit() {
        #expect(policy.expiry(createdAt: 0, lastSeenAt: 100) == 100 + 1800)
        #expect(policy.expiry(createdAt: 0, lastSeenAt: 12 * 3600 - 60) == 12 * 3600)
    }
}

@Suite struct LoginThrottleTests {
    let throttle = LoginThrottle.standard

    @Test func fiveFailuresBlockTheSixthAttempt() {
        let four = [10.0, 20, 30, 40]
        #expect(!throttle.isBlocked(accountFailures: four, addressFailures: [], now: 50))
        #expect(throttle.isBlocked(accountFailures: four + [45], addressFailures: [], now: 50))
        #expect(throttle.isBlocked(accountFailures: [], addressFailures: four + [45], now: 50))
    }

    @Test func failuresOutsideTheWindowDoNotCount() {
        let old = [0.0, 1, 2, 3, 4]
        #expect(throttle.isBlocked(accountFailures: old, addressFailures: [], now: 899))
        #expect(!throttle.isBlocked(accountFailures: old, addressFailures: [], now: 904))
    }

    @Test func retryAfterIsWhenEnoughFailuresLeaveTheWindow() {
        let failures = [0.0, 100, 200, 300, 400, 500]
        // Six in the window: blocked until the second (t=100) leaves at t=1000.
        #expect(throttle.retryAfter(accountFailures: failures, addressFailures: [], now: 600) == 400)
        #expect(throttle.retryAfter(accountFailures: [1, 2], addressFailures: [], now: 600) == 0)
    }
}

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
    typealias History = LoginThrottle.History

    @Test func fiveFailuresForOneAccountFromOneAddressRefuseTheSixth() {
        let four = [10.0, 20, 30, 40]
        #expect(throttle.verdict(History(pair: four, address: four, account: four, knownAddress: true), now: 50) == .allowed)
        let five = four + [45]
        #expect(throttle.verdict(History(pair: five, address: five, account: five, knownAddress: true), now: 50) == .refused(retryAfter: 860))
    }

    @Test func theOwnersAddressIsNotLockedByFailuresFromElsewhere() {
        // Fifty failures from other addresses: the owner's known address signs in at once.
        let elsewhere = (0..<50).map { Double($0) }
        #expect(throttle.verdict(History(pair: [], address: [], account: elsewhere, knownAddress: true), now: 60) == .allowed)
        // An address the account has not used is slowed, not locked for the window.
        // An address the account has not used is slowed (30 s at most after the latest
        // failure, at t=49), not locked for the whole window.
        #expect(throttle.verdict(History(account: elsewhere), now: 50) == .refused(retryAfter: 29))
        #expect(throttle.verdict(History(account: elsewhere), now: 80) == .allowed)
    }

    @Test(arguments: [(5, 1.0), (6, 2.0), (7, 4.0), (8, 8.0), (9, 16.0), (10, 30.0), (40, 30.0)])
    func accountDelaysDoubleUpToTheCap(failures: Int, delay: Double) {
        let times = (0..<failures).map { Double($0) * 0.001 }
        let last = times.last!
        #expect(throttle.accountDelay(times, now: last) == delay)
        #expect(throttle.accountDelay(times, now: last + delay) == 0)
    }

    @Test func fourAccountFailuresAreFree() {
        #expect(throttle.accountDelay([1, 2, 3, 4], now: 4) == 0)
    }

    @Test func twentyFailuresFromOneAddressAcrossAccountsRefuseIt() {
        let nineteen = (0..<19).map { Double($0) }
        #expect(throttle.verdict(History(address: nineteen), now: 100) == .allowed)
        #expect(throttle.verdict(History(address: nineteen + [19]), now: 100) == .refused(retryAfter: 800))
    }

    @Test func aKnownAddressIsNotRefusedForOtherAccountsFailures() {
        let twenty = (0..<20).map { Double($0) }
        #expect(throttle.verdict(History(address: twenty, knownAddress: true), now: 100) == .allowed)
        #expect(!throttle.verdict(History(address: twenty, knownAddress: false), now: 100).isAllowed)
        #expect(!throttle.verdict(History(pair: Array(twenty.prefix(5)), address: twenty, knownAddress: true), now: 100).isAllowed,
                "its own failures still count")
    }

    @Test func ipv6FailuresCountPerSlash64() {
        #expect(LoginThrottle.addressKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
        #expect(LoginThrottle.addressKey("2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64")
        #expect(LoginThrottle.addressKey("2001:db8:1:3::1") == "2001:db8:1:3::/64")
        #expect(LoginThrottle.addressKey("198.51.100.7") == "198.51.100.7")
        #expect(LoginThrottle.addressKey("::ffff:198.51.100.7") == "::ffff:198.51.100.7")
        #expect(LoginThrottle.addressKey("unknown") == "unknown")
    }

    @Test func failuresStampedAMomentLaterStillCount() {
        let five = [100.0, 100.5, 101, 101.5, 102]
        #expect(!throttle.verdict(History(pair: five, knownAddress: true), now: 99.9).isAllowed)
    }

    @Test func failuresOutsideTheWindowDoNotCount() {
        let old = [0.0, 1, 2, 3, 4]
        #expect(!throttle.verdict(History(pair: old, knownAddress: true), now: 899).isAllowed)
        #expect(throttle.verdict(History(pair: old, knownAddress: true), now: 904).isAllowed)
        #expect(throttle.accountDelay(old, now: 905) == 0)
    }

    @Test func retryAfterIsWhenEnoughFailuresLeaveTheWindow() {
        let failures = [0.0, 100, 200, 300, 400, 500]
        // Six in the window: refused until the second (t=100) leaves at t=1000.
        #expect(throttle.verdict(History(pair: failures, knownAddress: true), now: 600) == .refused(retryAfter: 400))
    }
}

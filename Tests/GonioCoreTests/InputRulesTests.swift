import Testing
@testable import GonioCore

@Suite struct InputRulesTests {
    @Test(arguments: ["\u{0}", "a\u{1}b", "x\u{7f}", "\u{85}", "\u{1b}[31m", "tab\there", "line\nbreak", "cr\r"])
    func controlCharactersAreFoundInSingleLineText(text: String) {
        #expect(InputRules.hasControlCharacter(text, allowingLineBreaks: false))
    }

    @Test func freeTextMayKeepTabsAndLineBreaksButNotNUL() {
        #expect(!InputRules.hasControlCharacter("Pain when\tclimbing\r\nstairs", allowingLineBreaks: true))
        #expect(InputRules.hasControlCharacter("Pain\u{0}", allowingLineBreaks: true))
        #expect(!InputRules.hasControlCharacter("José Núñez, 李雷 ✓", allowingLineBreaks: false))
    }

    @Test(arguments: ["/dashboard", "/patients/3F2504E0-4F89-11D3-9A0C-0305E82C3301/intake", "/measures?notice=x&y=%2F"])
    func localPathsAreAccepted(path: String) {
        #expect(InputRules.localRedirectPath(path) == path)
    }

    @Test(arguments: [
        "", "dashboard", "//evil.example", "/\\evil.example", "\\\\evil", "/\t/evil.example", "/\r\nSet-Cookie: x=y",
        "/\nx", "/a b", "https://evil.example/", "/caf\u{e9}", "/\u{0}", String(repeating: "/a", count: 200),
    ])
    func everythingElseIsRefused(path: String) {
        #expect(InputRules.localRedirectPath(path) == nil)
    }

    @Test func requestIDsAreKeptOnlyWhenShortAndPlain() {
        #expect(InputRules.acceptableRequestID("3F2504E0-4F89-11D3-9A0C-0305E82C3301") != nil)
        #expect(InputRules.acceptableRequestID("lb:1234.abc_def") != nil)
        #expect(InputRules.acceptableRequestID(String(repeating: "a", count: 64)) != nil)
        for bad in ["", String(repeating: "a", count: 65), "a b", "x\r\ny", "<script>", "é"] {
            #expect(InputRules.acceptableRequestID(bad) == nil, "\(bad)")
        }
        #expect(InputRules.acceptableRequestID(String(repeating: "x", count: 30_000)) == nil)
    }

    @Test func emailsWithControlCharactersAreRefused() {
        #expect(throws: DomainError.self) { try AccountRules.normalizedEmail("patient\u{0}@example.com") }
        #expect(throws: DomainError.self) { try AccountRules.normalizedEmail("patient@exam\u{7f}ple.com") }
    }
}

@Suite struct PageRequestTests {
    @Test func defaultsAndOffsets() throws {
        let first = try ListPage()
        #expect(first.page == 1 && first.per == 25 && first.offset == 0)
        let third = try ListPage(page: 3, per: 10)
        #expect(third.offset == 20)
        #expect(third.pageCount(total: 0) == 1)
        #expect(third.pageCount(total: 10) == 1)
        #expect(third.pageCount(total: 11) == 2)
        #expect(third.pageCount(total: 10_000) == 1_000)
    }

    @Test(arguments: [(0, 25), (-1, 25), (10_001, 25), (1, 0), (1, 101), (1, -5)])
    func outOfRangeValuesAreRefused(page: Int, per: Int) {
        #expect(throws: DomainError.self) { try ListPage(page: page, per: per) }
    }

    @Test(arguments: ["x", "1.5", "9999999999999999999999", " 2"])
    func nonNumbersAreRefused(text: String) {
        #expect(throws: DomainError.self) { try ListPage(pageText: text, perText: nil) }
        #expect(throws: DomainError.self) { try ListPage(pageText: nil, perText: text) }
    }

    @Test func emptyTextMeansTheDefault() throws {
        #expect(try ListPage(pageText: "", perText: nil) == ListPage())
        #expect(try ListPage(pageText: "2", perText: "50") == ListPage(page: 2, per: 50))
    }

    @Test func nameSearchEscapesWildcards() throws {
        #expect(try NameSearch("  ") == nil)
        #expect(try NameSearch(nil) == nil)
        #expect(try NameSearch(" Maria ")?.likePattern == "%maria%")
        #expect(try NameSearch("100%_x\\")?.likePattern == "%100\\%\\_x\\\\%")
        #expect(throws: DomainError.self) { try NameSearch("a\u{0}b") }
        #expect(throws: DomainError.self) { try NameSearch(String(repeating: "a", count: 101)) }
    }
}

@Suite struct ClientAddressTests {
    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1"), ("::ffff:127.0.0.1", "127.0.0.1"), ("::1", "::1"), ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("fe80::1%eth0", "fe80::1"), ("::", "::"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("::ffff:0a00:0001", "10.0.0.1"), ("2001:db8::192.0.2.1", "2001:db8::c000:201"),
    ])
    func addressesParseAndPrintCanonically(text: String, canonical: String) throws {
        #expect(try #require(IPAddress(text)).description == canonical)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "1::2::3", ":::", "12345::", "g::1",
                      "1:2:3:4:5:6:7:8:9", "unknown", "1.2.3.4/8", " 1.2.3.4"])
    func nonAddressesAreRefused(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func rangesMatchTheirPrefix() throws {
        let ten = try #require(IPRange("10.0.0.0/8"))
        #expect(ten.contains(try #require(IPAddress("10.255.1.2"))))
        #expect(!ten.contains(try #require(IPAddress("11.0.0.1"))))
        #expect(!ten.contains(try #require(IPAddress("::a00:1"))), "an IPv6 address is not in an IPv4 range")
        let ula = try #require(IPRange("fd00::/8"))
        #expect(ula.contains(try #require(IPAddress("fd12:3456::1"))))
        #expect(!ula.contains(try #require(IPAddress("fe80::1"))))
        let one = try #require(IPRange("192.168.1.7"))
        #expect(one.contains(try #require(IPAddress("::ffff:192.168.1.7"))))
        #expect(!one.contains(try #require(IPAddress("192.168.1.8"))))
        let odd = try #require(IPRange("192.168.1.0/25"))
        #expect(odd.contains(try #require(IPAddress("192.168.1.127"))))
        #expect(!odd.contains(try #require(IPAddress("192.168.1.128"))))
        #expect(IPRange("10.0.0.0/33") == nil)
        #expect(IPRange("::/129") == nil)
        #expect(IPRange("10.0.0.0/") == nil)
        #expect(IPRange("0.0.0.0/0")?.contains(try #require(IPAddress("8.8.8.8"))) == true)
    }

    @Test func configurationListsAreParsedOrRefused() throws {
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8, 127.0.0.1 ,::1,")
        #expect(proxies.ranges.map(\.description) == ["10.0.0.0/8", "127.0.0.1", "::1"])
        #expect(throws: DomainError.self) { try TrustedProxies(parsing: "10.0.0.0/8, proxy.internal") }
    }

    static let proxies = try! TrustedProxies(parsing: "10.0.0.0/8,127.0.0.1")

    @Test(arguments: [
        // No proxy trusted: the socket peer, whatever the header says.
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9", false),
        // Behind our proxy: the hop it appended.
        ("10.0.0.2", ["198.51.100.7"], "198.51.100.7", true),
        // The client writes a forged leftmost entry; the proxy appends the real one.
        ("10.0.0.2", ["1.1.1.1, 198.51.100.7"], "198.51.100.7", true),
        // Two trusted proxies in a row.
        ("127.0.0.1", ["6.6.6.6, 198.51.100.7, 10.1.1.1"], "198.51.100.7", true),
        // Several headers are one list in order.
        ("10.0.0.2", ["6.6.6.6", "198.51.100.7"], "198.51.100.7", true),
        // Every hop trusted: the leftmost.
        ("10.0.0.2", ["10.9.9.9, 10.8.8.8"], "10.9.9.9", true),
        // No header from our proxy: the proxy itself.
        ("10.0.0.2", [], "10.0.0.2", true),
        // Garbage written by a hop: stop at the trusted proxy that reported it.
        ("10.0.0.2", ["nonsense"], "10.0.0.2", true),
        ("10.0.0.2", ["198.51.100.7:5678"], "198.51.100.7", true),
        ("10.0.0.2", ["[2001:db8::7]:443"], "2001:db8::7", true),
        ("::ffff:10.0.0.2", ["2001:db8::7"], "2001:db8::7", true),
    ])
    func theClientIsTheRightmostUntrustedHop(peer: String, forwarded: [String], client: String, behindProxy: Bool) {
        let proxies = behindProxy ? Self.proxies : .none
        #expect(proxies.clientAddress(peer: peer, forwardedFor: forwarded) == client)
    }

    @Test func anUnparseablePeerIsReportedAsIs() {
        #expect(Self.proxies.clientAddress(peer: nil, forwardedFor: ["1.2.3.4"]) == "unknown")
    }
}

@Suite struct PatientOperationTests {
    static let now = 1_000.0
    static func grant(_ scopes: Set<CaregiverScope>) -> PatientRelationship {
        PatientRelationship(caregiverGrants: [CaregiverGrant(scopes: scopes, expiresAt: now + 1)])
    }

    @Test func everyOperationNamesAtLeastOneAction() {
        for op in PatientOperation.allCases {
            #expect(!op.permits.isEmpty, "\(op)")
            #expect(op.rawValue.contains("."), "audit names are feature.verb: \(op.rawValue)")
        }
        #expect(Set(PatientOperation.allCases.map(\.rawValue)).count == PatientOperation.allCases.count)
    }

    /// A caregiver who may only log practice may fill in the intake and questionnaires (and so
    /// read what they fill in), but not read notes or the record.
    @Test func formFillersReadWhatTheyFillIn() {
        let actor = Actor(userId: "c", role: .caregiver)
        let rel = Self.grant([.logPractice])
        for op in [PatientOperation.intakeRead, .intakeSave, .intakeSubmit, .measureList, .measureComplete] {
            #expect(AccessPolicy.decide(actor, op, relationship: rel, now: Self.now).isAllowed, "\(op)")
        }
        for op in [PatientOperation.patientRead, .noteList, .noteRead, .intakeDecide, .measureAssign, .intakeStatusList] {
            #expect(!AccessPolicy.decide(actor, op, relationship: rel, now: Self.now).isAllowed, "\(op)")
        }
        #expect(AccessPolicy.granted(actor, relationship: rel, now: Self.now) == [.logPractice, .completeForms])
    }

    @Test func anOperationIsAllowedExactlyWhenOneOfItsActionsIs() {
        let actors = Role.allCases.map { Actor(userId: "a", role: $0, isVerifiedTherapist: true) }
        let relationships: [PatientRelationship] = [
            .none, .init(isSelf: true), .init(onCareTeam: true), .init(adminOfPatientClinic: true),
            Self.grant([.view]), Self.grant([.logPractice]), Self.grant([.bookVisits]), Self.grant([.message]),
        ]
        for actor in actors {
            for rel in relationships {
                let granted = AccessPolicy.granted(actor, relationship: rel, now: Self.now)
                for op in PatientOperation.allCases {
                    let expected = !op.permits.isDisjoint(with: granted)
                    #expect(AccessPolicy.decide(actor, op, relationship: rel, now: Self.now).isAllowed == expected, "\(actor.role) \(op)")
                }
            }
        }
    }

    @Test func refusalsCarryThePolicyReason() {
        let decision = AccessPolicy.decide(Actor(userId: "p", role: .patient), PatientOperation.noteSign, relationship: .init(isSelf: true), now: 0)
        #expect(decision == .denied(reason: "not-permitted-for-patient"))
        let outsider = AccessPolicy.decide(Actor(userId: "p", role: .patient), PatientOperation.patientRead, relationship: .none, now: 0)
        #expect(outsider == .denied(reason: "not-own-record"))
    }
}

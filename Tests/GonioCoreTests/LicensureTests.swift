import Testing
@testable import GonioCore

@Suite struct JurisdictionTests {
    @Test(arguments: [("US-CA", "US-CA"), ("ca", "US-CA"), (" us-or ", "US-OR"), ("GB-ENG", "GB-ENG"), ("ca-on", "CA-ON"), ("DC", "US-DC")])
    func parses(raw: String, code: String) throws {
        #expect(try Jurisdiction(raw).code == code)
    }

    @Test(arguments: ["", "California", "US-XX", "USA-CA", "U1-CA", "GB-ENGL", "GB_ENG", "XX"])
    func rejects(raw: String) {
        #expect(throws: DomainError.self) { try Jurisdiction(raw) }
    }

    @Test func displayNames() throws {
        #expect(try Jurisdiction("US-WA").displayName == "Washington")
        #expect(try Jurisdiction("GB-ENG").displayName == "GB-ENG")
    }
}

@Suite struct CalendarDayTests {
    @Test(arguments: ["2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-01-01", "2026-1-1", "tomorrow", "1899-12-31"])
    func rejects(text: String) {
        #expect(throws: DomainError.self) { try CalendarDay(text) }
    }

    @Test func parsesOrdersAndPrints() throws {
        let leap = try CalendarDay("2028-02-29")
        #expect(leap.description == "2028-02-29")
        #expect(try CalendarDay("2000-02-29") < CalendarDay("2000-03-01"))
        #expect(throws: DomainError.self) { try CalendarDay("1900-02-29") }
    }
}

@Suite struct LicensureTests {
    static func day(_ s: String) -> CalendarDay { try! CalendarDay(s) }
    static func place(_ s: String) -> Jurisdiction { try! Jurisdiction(s) }

    /// The demo therapist: CA licence, OR home-state licence (compact member), privileges in WA and AZ.
    static let demo = TherapistStanding(
        verification: .verified,
        licenses: [
            License(number: "PT-123", type: .pt, jurisdiction: place("CA"), expiresOn: day("2028-01-31"), isHomeState: false),
            License(number: "OR-5", type: .pt, jurisdiction: place("OR"), expiresOn: day("2027-06-30"), isHomeState: true),
        ],
        privileges: [
            CompactPrivilege(jurisdiction: place("WA"), expiresOn: day("2027-06-30")),
            CompactPrivilege(jurisdiction: place("AZ"), expiresOn: day("2027-12-31")),
        ]
    )

    @Test(arguments: [
        ("CA", "2026-11-29", "license"), ("OR", "2026-11-29", "license"), ("WA", "2026-11-29", "privilege"),
        ("AZ", "2026-11-29", "privilege"), ("TX", "2026-11-29", "none"), ("NY", "2026-11-29", "none"),
        ("CA", "2028-01-31", "license"), ("CA", "2028-02-01", "none"),
        // The AZ privilege runs to Dec 2027 but the home licence ends in Jun 2027: it falls with it.
        ("AZ", "2027-07-01", "none"), ("WA", "2027-06-30", "privilege"), ("WA", "2027-07-01", "none"),
    ])
    func authorityFollowsPatientLocation(location: String, on: String, kind: String) {
        let found = Licensure.authority(Self.demo, in: Self.place(location), on: Self.day(on))
        switch found {
        case .license: #expect(kind == "license")
        case .compactPrivilege: #expect(kind == "privilege")
        case nil: #expect(kind == "none")
        }
    }

    @Test func privilegeNeedsMemberStates() {
        let nonMember = CompactMembership(asOf: Self.day("2026-01-01"), members: [Self.place("WA")])
        // OR (home) is not a member in this membership: WA privilege no longer counts.
        #expect(Licensure.authority(Self.demo, in: Self.place("WA"), on: Self.day("2026-11-29"), compact: nonMember) == nil)
    }

    @Test func careTeamNeedsVerificationAndLiveLicence() throws {
        try Licensure.checkMayJoinCareTeam(Self.demo, on: Self.day("2026-11-29"))
        var pending = Self.demo
        pending.verification = .pending
        #expect(throws: DomainError.forbidden("therapist-unverified", "The therapist's credentials have not been verified yet.")) {
            try Licensure.checkMayJoinCareTeam(pending, on: Self.day("2026-11-29"))
        }
        var rejected = Self.demo
        rejected.verification = .rejected
        #expect(throws: DomainError.self) { try Licensure.checkMayJoinCareTeam(rejected, on: Self.day("2026-11-29")) }
        let error = #expect(throws: DomainError.self) { try Licensure.checkMayJoinCareTeam(Self.demo, on: Self.day("2028-02-01")) }
        #expect(error?.code == "license-expired")
    }

    @Test func hostingNeedsAuthorityWherePatientIs() throws {
        try Licensure.checkMayHostVisit(Self.demo, patientLocation: Self.place("WA"), on: Self.day("2026-11-29"))
        let error = #expect(throws: DomainError.self) {
            try Licensure.checkMayHostVisit(Self.demo, patientLocation: Self.place("NY"), on: Self.day("2026-11-29"))
        }
        #expect(error?.code == "not-licensed-in-location")
        var pending = Self.demo
        pending.verification = .pending
        #expect(throws: DomainError.self) {
            try Licensure.checkMayHostVisit(pending, patientLocation: Self.place("CA"), on: Self.day("2026-11-29"))
        }
    }

    @Test func validatesSubmittedCredentials() throws {
        try Licensure.validate(licenses: Self.demo.licenses, privileges: Self.demo.privileges)
        let ca = Self.demo.licenses[0], or = Self.demo.licenses[1]
        func code(_ l: [License], _ p: [CompactPrivilege]) -> String? {
            (#expect(throws: DomainError.self) { try Licensure.validate(licenses: l, privileges: p) })?.code
        }
        #expect(code([], []) == "license-missing")
        var secondHome = ca
        secondHome.isHomeState = true
        #expect(code([secondHome, or], []) == "home-state-duplicate")
        #expect(code([ca, ca], []) == "license-duplicate")
        #expect(code([ca], Self.demo.privileges) == "compact-needs-home-license")
        var caHome = ca
        caHome.isHomeState = true
        #expect(code([caHome], Self.demo.privileges) == "home-state-not-compact")
        #expect(code([ca, or], [CompactPrivilege(jurisdiction: Self.place("NY"), expiresOn: Self.day("2027-01-01"))]) == "privilege-not-compact")
        var waLicense = ca
        waLicense.jurisdiction = Self.place("WA")
        #expect(code([waLicense, or], Self.demo.privileges) == "privilege-duplicates-license")
    }

    @Test(arguments: ["PT 12345", "ab-12.3"])
    func licenceNumbers(raw: String) throws {
        #expect(try License.validatedNumber(raw) == raw.uppercased())
    }

    @Test(arguments: ["", "x", "PT#1", String(repeating: "1", count: 33)])
    func badLicenceNumbers(raw: String) {
        #expect(throws: DomainError.self) { try License.validatedNumber(raw) }
    }
}

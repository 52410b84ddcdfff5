/// Physical therapist (PT) or physical therapist assistant (PTA) licence.
public enum LicenseType: String, CaseIterable, Codable, Sendable {
    case pt = "PT"
    case pta = "PTA"
}

/// A state (or country-region) licence to practise.
public struct License: Codable, Equatable, Sendable {
    public var number: String
    public var type: LicenseType
    public var jurisdiction: Jurisdiction
    /// Last day the licence is valid.
    public var expiresOn: CalendarDay
    /// The licence from the therapist's primary state of residence, on which PT Compact
    /// privileges rest (CLINICAL.md §4).
    public var isHomeState: Bool

    public init(number: String, type: LicenseType, jurisdiction: Jurisdiction, expiresOn: CalendarDay, isHomeState: Bool) {
        self.number = number
        self.type = type
        self.jurisdiction = jurisdiction
        self.expiresOn = expiresOn
        self.isHomeState = isHomeState
    }

    public func isActive(on day: CalendarDay) -> Bool { day <= expiresOn }

    /// Licence numbers are short codes printed by boards: letters, digits, dashes, dots, spaces.
    public static func validatedNumber(_ raw: String) throws(DomainError) -> String {
        let number = raw.trimmingWhitespace().uppercased()
        guard (2...32).contains(number.count),
              number.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == " ") })
        else { throw .invalid("license-number-invalid", "Give the licence number as printed by the board (2 to 32 letters, digits or dashes).") }
        return number
    }
}

/// A PT Compact privilege to practise in a remote member state (CLINICAL.md §4: "not a
/// multistate license: one privilege per remote state").
public struct CompactPrivilege: Codable, Equatable, Sendable {
    public var jurisdiction: Jurisdiction
    public var expiresOn: CalendarDay

    public init(jurisdiction: Jurisdiction, expiresOn: CalendarDay) {
        self.jurisdiction = jurisdiction
        self.expiresOn = expiresOn
    }
}

/// The states taking part in the PT Licensure Compact, as data with an as-of date.
/// CLINICAL.md §4 [C for the snapshot, uncertain for today]: the current list of states actively
/// issuing privileges was not obtained; the default is the list of states that had enacted the
/// compact by 2019 plus DC (issuing since 6 Nov 2023). Operators override it from ptcompact.org
/// with GONIO_PT_COMPACT_STATES.
public struct CompactMembership: Sendable, Equatable {
    public var asOf: CalendarDay
    public var members: Set<Jurisdiction>

    public init(asOf: CalendarDay, members: Set<Jurisdiction>) {
        self.asOf = asOf
        self.members = members
    }

    public static let snapshot: CompactMembership = {
        let codes = ["AZ", "AR", "CO", "IA", "KY", "LA", "MS", "MO", "MT", "NE", "NH", "NJ", "NC", "ND",
                     "OK", "OR", "SC", "TN", "TX", "UT", "VA", "WA", "WV", "DC"]
        // The codes above are all valid US states, so these initialisers cannot fail.
        return CompactMembership(
            asOf: try! CalendarDay(year: 2023, month: 11, day: 6),
            members: Set(codes.map { try! Jurisdiction($0) })
        )
    }()

    public func isMember(_ jurisdiction: Jurisdiction) -> Bool { members.contains(jurisdiction) }
}

/// Where a therapist stands with the clinic that verifies them.
public enum VerificationStatus: String, Codable, Sendable, CaseIterable {
    case pending
    case verified
    case rejected
}

/// Everything licensure rules need to know about a therapist.
public struct TherapistStanding: Sendable, Equatable {
    public var verification: VerificationStatus
    public var licenses: [License]
    public var privileges: [CompactPrivilege]

    public init(verification: VerificationStatus, licenses: [License], privileges: [CompactPrivilege] = []) {
        self.verification = verification
        self.licenses = licenses
        self.privileges = privileges
    }
}

/// What lets a therapist practise in a place on a day.
public enum PracticeAuthority: Equatable, Sendable {
    case license(License)
    case compactPrivilege(CompactPrivilege, home: License)
}

public enum Licensure {
    /// "The practice of physical therapy occurs in the member state where the patient/client is
    /// located at the time of the patient/client encounter" (PT Compact model statute, e.g.
    /// 26 V.S.A. §2133(4); CLINICAL.md §4). So the therapist needs an active licence in that
    /// jurisdiction, or an active compact privilege there. A privilege counts only while the
    /// home-state licence is active and both states are compact members ("privilege expires
    /// with home-state license").
    public static func authority(
        _ standing: TherapistStanding, in location: Jurisdiction, on day: CalendarDay,
        compact: CompactMembership = .snapshot
    ) -> PracticeAuthority? {
        if let license = standing.licenses.first(where: { $0.jurisdiction == location && $0.isActive(on: day) }) {
            return .license(license)
        }
        guard compact.isMember(location),
              let home = standing.licenses.first(where: { $0.isHomeState && $0.isActive(on: day) }),
              compact.isMember(home.jurisdiction),
              let privilege = standing.privileges.first(where: {
                  $0.jurisdiction == location && day <= $0.expiresOn
              })
        else { return nil }
        return .compactPrivilege(privilege, home: home)
    }

    /// A therapist may join a patient's care team only when a clinic has verified them and at
    /// least one of their licences is in force (issue 2).
    public static func checkMayJoinCareTeam(_ standing: TherapistStanding, on day: CalendarDay) throws(DomainError) {
        try checkVerifiedAndLicensed(standing, on: day)
    }

    /// A therapist may host a visit only when verified and authorised where the patient is.
    public static func checkMayHostVisit(
        _ standing: TherapistStanding, patientLocation: Jurisdiction, on day: CalendarDay,
        compact: CompactMembership = .snapshot
    ) throws(DomainError) {
        try checkVerifiedAndLicensed(standing, on: day)
        guard authority(standing, in: patientLocation, on: day, compact: compact) != nil else {
            throw .forbidden("not-licensed-in-location",
                             "The therapist holds no active licence or compact privilege in \(patientLocation.displayName), where the patient will be.")
        }
    }

    private static func checkVerifiedAndLicensed(_ standing: TherapistStanding, on day: CalendarDay) throws(DomainError) {
        switch standing.verification {
        case .pending: throw .forbidden("therapist-unverified", "The therapist's credentials have not been verified yet.")
        case .rejected: throw .forbidden("therapist-rejected", "The therapist's credentials were not accepted.")
        case .verified: break
        }
        guard standing.licenses.contains(where: { $0.isActive(on: day) }) else {
            throw .forbidden("license-expired", "All of the therapist's licences have expired.")
        }
    }

    /// Checks a set of credentials as a therapist submits them: at most one home-state licence,
    /// a home-state licence before any compact privilege, no privilege in a state where they
    /// hold a licence, privileges only in member states.
    /// `today`, when given, refuses licences and privileges that have already expired.
    public static func validate(
        licenses: [License], privileges: [CompactPrivilege], compact: CompactMembership = .snapshot,
        today: CalendarDay? = nil
    ) throws(DomainError) {
        guard !licenses.isEmpty else { throw .invalid("license-missing", "Add at least one licence.") }
        if let today {
            if let old = licenses.first(where: { !$0.isActive(on: today) }) {
                throw .invalid("license-already-expired", "The \(old.jurisdiction.displayName) licence expired on \(old.expiresOn); add a current one.")
            }
            if let old = privileges.first(where: { $0.expiresOn < today }) {
                throw .invalid("privilege-already-expired", "The \(old.jurisdiction.displayName) privilege expired on \(old.expiresOn).")
            }
        }
        let homes = licenses.filter(\.isHomeState)
        if homes.count > 1 { throw .invalid("home-state-duplicate", "Only one licence can be from your home state.") }
        if Set(licenses.map(\.jurisdiction)).count != licenses.count {
            throw .invalid("license-duplicate", "Add one licence per jurisdiction.")
        }
        guard !privileges.isEmpty else { return }
        guard let home = homes.first else {
            throw .invalid("compact-needs-home-license", "Compact privileges rest on a home-state licence: mark your home-state licence.")
        }
        guard compact.isMember(home.jurisdiction) else {
            throw .invalid("home-state-not-compact", "\(home.jurisdiction.displayName) is not a PT Compact member state, so it cannot carry compact privileges.")
        }
        for privilege in privileges {
            guard compact.isMember(privilege.jurisdiction) else {
                throw .invalid("privilege-not-compact", "\(privilege.jurisdiction.displayName) is not a PT Compact member state.")
            }
            if licenses.contains(where: { $0.jurisdiction == privilege.jurisdiction }) {
                throw .invalid("privilege-duplicates-license", "You hold a licence in \(privilege.jurisdiction.displayName); a privilege there is not needed.")
            }
        }
    }
}

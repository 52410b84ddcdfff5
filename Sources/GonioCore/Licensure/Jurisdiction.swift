/// Where a licence is valid or a patient is: a US state (`US-CA`) or a country region in
/// ISO 3166-2 form (`GB-ENG`, `CA-ON`). Stored and sent as that code.
public struct Jurisdiction: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public let code: String

    /// US states, DC and the inhabited territories, by USPS code.
    public static let usStates: [String: String] = [
        "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
        "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
        "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
        "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
        "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
        "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
        "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
        "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
        "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
        "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
        "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
        "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
        "MP": "Northern Mariana Islands",
    ]

    /// Accepts `US-CA`, `us-ca`, or a bare US state code `CA` (read as a US state).
    public init(_ raw: String) throws(DomainError) {
        let code = raw.trimmingWhitespace().uppercased()
        if code.count == 2, Self.usStates[code] != nil {
            self.code = "US-" + code
            return
        }
        let parts = code.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
              parts[0].count == 2, parts[0].allSatisfy({ $0.isASCII && $0.isLetter }),
              (1...3).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else {
            throw .invalid("jurisdiction-invalid", "Give the jurisdiction as a US state (US-CA) or an ISO 3166-2 region (GB-ENG).")
        }
        if parts[0] == "US", Self.usStates[String(parts[1])] == nil {
            throw .invalid("jurisdiction-invalid", "\(code) is not a US state or territory.")
        }
        self.code = code
    }

    public var isUS: Bool { code.hasPrefix("US-") }
    public var description: String { code }
    public var displayName: String {
        if isUS, let name = Self.usStates[String(code.dropFirst(3))] { return name }
        return code
    }
    public static func < (a: Self, b: Self) -> Bool { a.code < b.code }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        self = try Jurisdiction(raw)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(code)
    }
}

/// A calendar date without a time zone (licence expiry dates are printed that way on the
/// licence). Parsed from and written as `YYYY-MM-DD`.
public struct CalendarDay: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) throws(DomainError) {
        guard (1900...9999).contains(year), (1...12).contains(month),
              (1...Self.daysIn(month: month, year: year)).contains(day)
        else { throw .invalid("date-invalid", "That date does not exist.") }
        self.year = year
        self.month = month
        self.day = day
    }

    public init(_ text: String) throws(DomainError) {
        let parts = text.trimmingWhitespace().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { throw .invalid("date-invalid", "Give dates as YYYY-MM-DD.") }
        try self.init(year: y, month: m, day: d)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public var description: String {
        func pad(_ n: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(n).count)) + String(n) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (a: Self, b: Self) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public init(from decoder: any Decoder) throws {
        self = try CalendarDay(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

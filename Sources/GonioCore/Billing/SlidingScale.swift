/// HHS poverty guidelines, as dated data with their source: the guideline for a household of
/// 1 to 8 people, and the amount added for each further person. Whole dollars.
///
/// 2026: ASPE, "HHS Poverty Guidelines for 2026" (aspe.hhs.gov), published in the Federal
/// Register 91 FR 1797 (15 January 2026), effective 13 January 2026.
/// 2025 (48 contiguous states and DC only): $15,650 and $5,500 a person, as reproduced by
/// several programmes' summaries of the 2025 notice; Alaska and Hawaii for 2025 are not held.
public enum PovertyGuidelines {
    public enum Region: String, Codable, CaseIterable, Sendable {
        case contiguous, alaska, hawaii
    }

    public struct Table: Sendable {
        public var year: Int
        public var region: Region
        public var upToEight: [Int]
        public var eachAdditional: Int
        public var source: String
    }

    public static let tables: [Table] = [
        Table(year: 2025, region: .contiguous, upToEight: [15_650, 21_150, 26_650, 32_150, 37_650, 43_150, 48_650, 54_150], eachAdditional: 5_500,
              source: "HHS poverty guidelines 2025 (48 contiguous states and DC)"),
        Table(year: 2026, region: .contiguous, upToEight: [15_960, 21_640, 27_320, 33_000, 38_680, 44_360, 50_040, 55_720], eachAdditional: 5_680,
              source: "HHS poverty guidelines 2026, 91 FR 1797 (48 contiguous states and DC)"),
        Table(year: 2026, region: .alaska, upToEight: [19_950, 27_050, 34_150, 41_250, 48_350, 55_450, 62_550, 69_650], eachAdditional: 7_100,
              source: "HHS poverty guidelines 2026, 91 FR 1797 (Alaska)"),
        Table(year: 2026, region: .hawaii, upToEight: [18_360, 24_890, 31_420, 37_950, 44_480, 51_010, 57_540, 64_070], eachAdditional: 6_530,
              source: "HHS poverty guidelines 2026, 91 FR 1797 (Hawaii)"),
    ]

    /// The guideline table for a year and region: the year's own, never a guess from another.
    public static func table(year: Int, region: Region) throws(DomainError) -> Table {
        guard let t = tables.first(where: { $0.year == year && $0.region == region }) else {
            let held = tables.filter { $0.region == region }.map { String($0.year) }.joined(separator: ", ")
            throw .invalid("guidelines-missing", "Gonio does not hold the \(year) HHS poverty guidelines for \(region.rawValue) (it holds \(held.isEmpty ? "none" : held)).")
        }
        return t
    }

    /// The guideline in dollars for a household size.
    public static func guideline(year: Int, region: Region, householdSize: Int) throws(DomainError) -> Int {
        guard (1...30).contains(householdSize) else { throw .invalid("household-invalid", "Household size is 1 to 30 people.") }
        let t = try table(year: year, region: region)
        return householdSize <= 8 ? t.upToEight[householdSize - 1] : t.upToEight[7] + (householdSize - 8) * t.eachAdditional
    }

    /// Which region a US state's code falls in.
    public static func region(forState code: String) -> Region {
        switch code { case "US-AK": .alaska; case "US-HI": .hawaii; default: .contiguous }
    }
}

/// A clinic's sliding-scale schedule: discounts by household income as a percentage of the
/// poverty guideline. A household at or below a bracket's limit gets its discount (the first
/// bracket that fits); above every limit, none.
public struct SlidingScale: Codable, Equatable, Sendable {
    public struct Bracket: Codable, Equatable, Sendable {
        /// Income up to this percentage of the guideline (e.g. 100, 150, 200).
        public var upToPercent: Int
        /// Discount on what the patient is charged, 1 to 100 percent.
        public var discountPercent: Int

        public init(upToPercent: Int, discountPercent: Int) {
            self.upToPercent = upToPercent
            self.discountPercent = discountPercent
        }
    }

    public var brackets: [Bracket]

    public init(brackets: [Bracket]) {
        self.brackets = brackets
    }

    /// Brackets rise in income and fall (or stay) in discount, within 1–1000% and 1–100%.
    public func validated() throws(DomainError) -> SlidingScale {
        guard (1...10).contains(brackets.count) else { throw .invalid("scale-invalid", "A sliding scale has 1 to 10 brackets.") }
        let sorted = brackets.sorted { $0.upToPercent < $1.upToPercent }
        for (i, b) in sorted.enumerated() {
            guard (1...1000).contains(b.upToPercent) else { throw .invalid("scale-invalid", "Bracket \(i + 1): income limit is 1 to 1000% of the guideline.") }
            guard (1...100).contains(b.discountPercent) else { throw .invalid("scale-invalid", "Bracket \(i + 1): the discount is 1 to 100%.") }
            if i > 0 {
                guard b.upToPercent > sorted[i - 1].upToPercent else { throw .invalid("scale-invalid", "Two brackets have the same income limit.") }
                guard b.discountPercent <= sorted[i - 1].discountPercent else {
                    throw .invalid("scale-invalid", "A higher income cannot get a larger discount (bracket up to \(b.upToPercent)%).")
                }
            }
        }
        return SlidingScale(brackets: sorted)
    }

    public struct Decision: Equatable, Sendable {
        /// Household income as a percentage of the guideline, rounded down.
        public var percentOfGuideline: Int
        public var guideline: Int
        public var discountPercent: Int
        public var bracket: Bracket?
    }

    /// The discount a household qualifies for. Income in whole dollars a year.
    public func decide(income: Int, householdSize: Int, year: Int, region: PovertyGuidelines.Region) throws(DomainError) -> Decision {
        guard (0...100_000_000).contains(income) else { throw .invalid("income-invalid", "Household income is 0 to 100,000,000 dollars a year.") }
        let guideline = try PovertyGuidelines.guideline(year: year, region: region, householdSize: householdSize)
        // Compared exactly: income × 100 against limit × guideline, no rounding at the edge.
        let bracket = brackets.sorted { $0.upToPercent < $1.upToPercent }.first { income * 100 <= $0.upToPercent * guideline }
        return Decision(percentOfGuideline: income * 100 / guideline, guideline: guideline, discountPercent: bracket?.discountPercent ?? 0, bracket: bracket)
    }
}

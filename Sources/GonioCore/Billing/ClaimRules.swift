/// Who pays, and how a visit's services are written on the claim (CLINICAL.md §3.2).
public enum PayerKind: String, Codable, CaseIterable, Sendable {
    case medicare, commercial, medicaid, selfPay = "self-pay"

    /// Medicare and most Medicaid plans follow the 8-minute rule; commercial payers may round
    /// per code (a payer setting in the clinic's coverage record overrides).
    public var defaultUnitMethod: TimedUnits.Method { self == .commercial ? .perCode : .medicare }
}

/// Place of service codes (CMS POS code set).
public enum PlaceOfService: String, Codable, Sendable {
    /// Telehealth, the patient not at home.
    case telehealthElsewhere = "02"
    /// Telehealth in the patient's home (paid at the non-facility rate since 2024).
    case telehealthHome = "10"
    case office = "11"
}

/// Medicare's therapy threshold (KX modifier) for physical therapy and speech-language
/// pathology combined, by year, in cents. 2024 $2,330 and 2025 $2,410 (CY PFS final rules, as
/// recalled); 2026 $2,480 from one secondary source (CLINICAL.md §3.2, §8.7: verify in the CY2026
/// PFS). A year not held has no threshold: the claim says so rather than guess.
public enum TherapyThreshold {
    public static let byYear: [Int: Int64] = [2024: 233_000, 2025: 241_000, 2026: 248_000]

    public static func threshold(year: Int) -> Money? { byYear[year].map { Money(minor: $0) } }
}

/// The claim-line rules for one visit's services.
public enum ClaimRules {
    /// Medicare's telehealth list for physical therapists (CLINICAL.md §3.2, APTA 2020): 97140
    /// manual therapy is not on it.
    public static let medicareTelehealthCodes: Set<CPTCode> = [.evalLow, .evalModerate, .evalHigh, .reEvaluation, .therapeuticExercise,
                                                               .neuromuscular, .gait, .therapeuticActivities, .selfCare]

    /// Medicare's PT telehealth flexibilities run through 31 December 2027 (Consolidated
    /// Appropriations Act, 2026; CLINICAL.md §3.2). Data, not a constant: extend it here when the
    /// law changes.
    public static let medicareTelehealthThrough = try! CalendarDay("2027-12-31")

    public struct VisitFacts: Sendable {
        public var payer: PayerKind
        public var date: CalendarDay
        /// Synchronous audio and video.
        public var video: Bool
        /// Audio only.
        public var audioOnly: Bool
        /// For telehealth: the patient was at home.
        public var patientAtHome: Bool
        /// Furnished in whole or part by a physical therapist assistant.
        public var byAssistant: Bool
        /// Whether the payer wants modifier 95 on telehealth (institutional Medicare claims and
        /// many commercial payers; a coverage setting).
        public var payerWants95: Bool
        /// Medicare: the year's allowed amounts so far, before this visit (for KX).
        public var allowedSoFar: Money?
        /// This visit's allowed amount.
        public var allowedThisVisit: Money?
        /// Prior authorisation: visits authorised and used before this one, and its dates.
        public var authorisedVisits: Int?
        public var visitsUsed: Int?
        public var authorisedThrough: CalendarDay?

        public init(payer: PayerKind, date: CalendarDay, video: Bool = false, audioOnly: Bool = false, patientAtHome: Bool = true,
                    byAssistant: Bool = false, payerWants95: Bool = false, allowedSoFar: Money? = nil, allowedThisVisit: Money? = nil,
                    authorisedVisits: Int? = nil, visitsUsed: Int? = nil, authorisedThrough: CalendarDay? = nil) {
            self.payer = payer
            self.date = date
            self.video = video
            self.audioOnly = audioOnly
            self.patientAtHome = patientAtHome
            self.byAssistant = byAssistant
            self.payerWants95 = payerWants95
            self.allowedSoFar = allowedSoFar
            self.allowedThisVisit = allowedThisVisit
            self.authorisedVisits = authorisedVisits
            self.visitsUsed = visitsUsed
            self.authorisedThrough = authorisedThrough
        }

        public var isTelehealth: Bool { video || audioOnly }
    }

    public struct Line: Equatable, Sendable {
        public var code: CPTCode
        public var units: Int
        public var minutes: Int?
        public var modifiers: [String]
    }

    public struct Coded: Equatable, Sendable {
        public var placeOfService: PlaceOfService
        public var lines: [Line]
        /// What the clinic should look at before sending it, in words.
        public var warnings: [String]
    }

    /// Codes a visit: the timed services' units by the payer's method, the untimed (one unit),
    /// modifiers (GP always under a PT plan of care; 95 or 93 for telehealth where wanted; CQ
    /// for assistant services; KX once the year's Medicare allowed amounts pass the threshold),
    /// place of service, and warnings (97140 on Medicare telehealth; Medicare telehealth after
    /// its flexibilities end; a visit beyond its authorisation; no KX threshold for the year).
    public static func code(untimed: [CPTCode], minutes: [CPTCode: Int], facts: VisitFacts,
                            method: TimedUnits.Method? = nil) throws(DomainError) -> Coded {
        guard untimed.count <= 1, untimed.allSatisfy({ !$0.isTimed }) else {
            throw .invalid("codes-invalid", "A visit has at most one evaluation or re-evaluation code.")
        }
        let timed = minutes.isEmpty ? TimedUnits.Result(totalUnits: 0, units: [:])
            : try TimedUnits.units(minutes, method: method ?? facts.payer.defaultUnitMethod)
        var modifiers = ["GP"]
        if facts.isTelehealth, facts.payerWants95 || facts.audioOnly { modifiers.append(facts.audioOnly ? "93" : "95") }
        if facts.byAssistant { modifiers.append("CQ") }
        var warnings: [String] = []
        if facts.payer == .medicare {
            if let threshold = TherapyThreshold.threshold(year: facts.date.year) {
                let after = (facts.allowedSoFar ?? .zero()) + (facts.allowedThisVisit ?? .zero())
                if after > threshold { modifiers.append("KX") }
            } else {
                warnings.append("Gonio does not hold Medicare's therapy threshold for \(facts.date.year): check whether KX is needed.")
            }
            if facts.isTelehealth {
                if minutes.keys.contains(.manualTherapy) {
                    warnings.append("97140 manual therapy is not on Medicare's telehealth list: it cannot be billed for a telehealth visit.")
                }
                if facts.date > medicareTelehealthThrough {
                    warnings.append("Medicare's physical therapy telehealth flexibilities are held to run through \(medicareTelehealthThrough); check they still apply.")
                }
            }
        }
        if let authorised = facts.authorisedVisits, let used = facts.visitsUsed, used >= authorised {
            warnings.append("This visit is beyond the \(authorised) visits authorised: ask the payer for more before billing.")
        }
        if let through = facts.authorisedThrough, facts.date > through {
            warnings.append("The authorisation ended on \(through): this visit is outside it.")
        }
        if timed.totalUnits == 0, untimed.isEmpty {
            warnings.append("No billable service: under 8 timed minutes and no evaluation.")
        }
        let pos: PlaceOfService = facts.isTelehealth ? (facts.patientAtHome ? .telehealthHome : .telehealthElsewhere) : .office
        var lines = untimed.map { Line(code: $0, units: 1, minutes: nil, modifiers: modifiers) }
        lines += timed.units.keys.sorted { $0.rawValue < $1.rawValue }.compactMap { code in
            let units = timed.units[code] ?? 0
            return units > 0 ? Line(code: code, units: units, minutes: minutes[code], modifiers: modifiers) : nil
        }
        return Coded(placeOfService: pos, lines: lines, warnings: warnings)
    }
}

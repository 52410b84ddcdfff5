/// A standard questionnaire or performance test, defined as data: items, options, scoring
/// rule, score range and direction, interpretation bands and the minimal clinically important
/// difference (MCID). Scoring follows CLINICAL.md §1; each definition cites its source.
///
/// Item wording: the published instruments are copyrighted (ODI via MAPI, QuickDASH by IWH,
/// KOOS/HOOS JR by HSS "do not alter"), so items carry our own short topic labels; a clinic
/// that licenses the verbatim text supplies it for display. Scoring needs only the values.
public struct OutcomeMeasure: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case questionnaire, performance }
    public enum Direction: String, Sendable, Codable {
        case higherIsBetter = "higher-is-better"
        case higherIsWorse = "higher-is-worse"
    }

    public struct Option: Sendable, Equatable, Codable {
        public var value: Int
        public var label: String
    }

    public struct Item: Sendable, Equatable, Codable {
        public var id: String
        public var text: String
        public var options: [Option]
    }

    /// How answers become a score.
    public enum Rule: Sendable, Equatable {
        /// sum / (max × answered) × 100, scorable with at least `minAnswered` items (ODI, NDI).
        case percentOfAnswered(maxPerItem: Int, minAnswered: Int)
        /// Plain sum; every item required (LEFS, PHQ-2, Berg).
        case sumAll
        /// Raw sum of all items looked up in a published conversion table (KOOS JR, HOOS JR).
        case lookup([Double])
        /// ((sum / n) − 1) × 25 with at least `minAnswered` of the items (QuickDASH).
        case quickDASH(minAnswered: Int)
        /// Mean of the rated items, at least one (PSFS).
        case meanOfAnswered
        /// A single measured value (NPRS, Timed Up and Go, 30-second chair stand).
        case single
    }

    /// An interpretation band: scores from `lower` up to (not including) the next band's lower.
    public struct Band: Sendable, Equatable {
        public var lower: Double
        public var label: String
    }

    /// A change that counts as meaningful: `points` on the score's own scale and/or `percent`
    /// of the baseline; either is enough.
    public struct MeaningfulChange: Sendable, Equatable {
        public var points: Double?
        public var percent: Double?
        public var source: String

        /// e.g. "10 points or 30 % (Ostelo et al., Spine 2008;33:90)".
        public var summary: String {
            [points.map { "\(MeasureScoring.format($0)) points" }, percent.map { "\(MeasureScoring.format($0)) %" }]
                .compactMap { $0 }.joined(separator: " or ") + " (\(source))"
        }
    }

    public var code: String
    public var name: String
    public var kind: Kind
    public var items: [Item]
    public var rule: Rule
    public var scoreRange: ClosedRange<Double>
    public var direction: Direction
    public var bands: [Band]
    /// Shown when there are no bands (e.g. "100 = perfect knee health").
    public var scaleNote: String
    public var meaningfulChange: MeaningfulChange?
    public var source: String

    /// The band a score falls in, or the scale note when the instrument has no bands.
    public func interpretation(of score: Double) -> String {
        guard let band = bands.last(where: { score >= $0.lower }) else { return scaleNote }
        return band.label
    }
}

/// A scored administration.
public struct MeasureScore: Sendable, Equatable, Codable {
    public var measure: String
    /// Unrounded (CLINICAL.md §1: store unrounded, round for display).
    public var score: Double
    public var interpretation: String
    public var answered: Int
    public var scoreRange: [Double]
    public var direction: OutcomeMeasure.Direction
}

/// Change between a first and a later administration.
public struct MeasureChange: Sendable, Equatable, Codable {
    /// later − first, on the measure's scale.
    public var difference: Double
    /// Positive when the patient got better, whatever the measure's direction.
    public var improvement: Double
    public var meaningful: Bool
}

public enum MeasureScoring {
    /// Scores one administration. `answers` holds one value per item in item order; nil is
    /// unanswered. Refuses with a clear error when values are out of range or too many items
    /// are missing for the instrument's rule.
    public static func score(_ m: OutcomeMeasure, answers: [Int?]) throws(DomainError) -> MeasureScore {
        try score(m, values: answers.map { $0.map(Double.init) })
    }

    /// As `score(_:answers:)`, for measures whose single value may be fractional (TUG seconds).
    public static func score(_ m: OutcomeMeasure, values: [Double?]) throws(DomainError) -> MeasureScore {
        let expected = m.items.count
        switch m.rule {
        case .meanOfAnswered:
            guard (1...expected).contains(values.count) else {
                throw .invalid("answer-count", "\(m.name) takes 1 to \(expected) activity ratings; got \(values.count).")
            }
        default:
            guard values.count == expected else {
                throw .invalid("answer-count", "\(m.name) has \(expected) item(s); got \(values.count) answer(s).")
            }
        }
        for (index, value) in values.enumerated() {
            guard let value else { continue }
            let item = m.items[min(index, m.items.count - 1)]
            let allowed = item.options.map { Double($0.value) }
            if m.kind == .questionnaire, value != value.rounded() {
                throw .invalid("answer-not-whole", "Questionnaire answers are whole numbers; item \(index + 1) is \(format(value)).")
            }
            if m.rule == .single, m.kind == .performance {
                guard value.isFinite, m.scoreRange.contains(value) else {
                    throw .invalid("answer-out-of-range", "\(item.text) must be between \(format(m.scoreRange.lowerBound)) and \(format(m.scoreRange.upperBound)).")
                }
            } else if !allowed.contains(value) {
                throw .invalid("answer-out-of-range",
                               "Item \(index + 1) (\(item.text)) must be one of \(allowed.map(format).joined(separator: ", ")); got \(format(value)).")
            }
        }
        let answered = values.compactMap { $0 }
        let n = answered.count
        let sum = answered.reduce(0, +)
        func requireAll() throws(DomainError) {
            guard n == expected else {
                throw .invalid("too-many-missing", "\(m.name) needs all \(expected) items answered; \(expected - n) missing.")
            }
        }
        let score: Double
        switch m.rule {
        case .percentOfAnswered(let maxPerItem, let minAnswered):
            guard n >= minAnswered else {
                throw .invalid("too-many-missing", "\(m.name) can be scored with at most \(expected - minAnswered) item(s) missing; \(expected - n) missing.")
            }
            // Multiply before dividing so whole results stay exact (14 × 100 / 50 = 28, not 28.000…04).
            score = sum * 100 / Double(maxPerItem * n)
        case .sumAll:
            try requireAll()
            score = sum
        case .lookup(let table):
            try requireAll()
            score = table[Int(sum)]
        case .quickDASH(let minAnswered):
            guard n >= minAnswered else {
                throw .invalid("too-many-missing", "\(m.name) can be scored with at most \(expected - minAnswered) item missing; \(expected - n) missing.")
            }
            // ((sum / n) − 1) × 25 rearranged as (sum − n) × 25 / n, exact for whole results.
            score = (sum - Double(n)) * 25 / Double(n)
        case .meanOfAnswered:
            guard n >= 1 else { throw .invalid("too-many-missing", "Rate at least one activity.") }
            score = sum / Double(n)
        case .single:
            try requireAll()
            score = sum
        }
        return MeasureScore(measure: m.code, score: score, interpretation: m.interpretation(of: score), answered: n,
                            scoreRange: [m.scoreRange.lowerBound, m.scoreRange.upperBound], direction: m.direction)
    }

    /// Change from the first administration to a later one, and whether it passes the MCID
    /// (by points, or by percent of the baseline where the source gives one).
    public static func change(_ m: OutcomeMeasure, first: Double, latest: Double) -> MeasureChange {
        let difference = latest - first
        let improvement = m.direction == .higherIsBetter ? difference : -difference
        var meaningful = false
        if let mc = m.meaningfulChange {
            if let points = mc.points, improvement >= points - 1e-9 { meaningful = true }
            if let percent = mc.percent, first != 0, improvement / abs(first) * 100 >= percent - 1e-9 { meaningful = true }
        }
        return MeasureChange(difference: difference, improvement: improvement, meaningful: meaningful)
    }

    /// A number as people write it: whole numbers without ".0". Huge or non-finite values
    /// (any a client can send) are written as they are, never converted to Int.
    static func format(_ v: Double) -> String {
        v.isFinite && abs(v) < 1e15 && v == v.rounded() ? String(Int(v)) : String(v)
    }
}

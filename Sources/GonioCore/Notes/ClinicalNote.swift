/// Visit documentation as structured SOAP notes (issue 3): the initial evaluation, follow-ups,
/// re-evaluations and the discharge summary. Signed notes are immutable; corrections are addenda.
public enum NoteKind: String, Codable, Sendable, CaseIterable {
    case initialEvaluation = "initial-evaluation"
    case followUp = "follow-up"
    case reEvaluation = "re-evaluation"
    case discharge

    /// The note a visit of this type calls for (`VisitType.standard` ids); other types are follow-ups.
    public static func forVisit(type: String) -> NoteKind {
        switch type {
        case "initial-evaluation": .initialEvaluation
        case "re-evaluation": .reEvaluation
        case "discharge": .discharge
        default: .followUp
        }
    }

    public var displayName: String {
        switch self {
        case .initialEvaluation: "Initial evaluation"
        case .followUp: "Follow-up note"
        case .reEvaluation: "Re-evaluation"
        case .discharge: "Discharge summary"
        }
    }
}

/// A note is a draft its author may change until it is signed; a signed note never changes.
public enum NoteStatus: String, Codable, Sendable, CaseIterable {
    case draft
    case signed
}

/// A range-of-motion measurement with the normal range shown beside it.
public struct ROMMeasurement: Codable, Sendable, Equatable {
    public enum Side: String, Codable, Sendable { case left, right, notApplicable = "n/a" }
    public var joint: String
    public var motion: String
    public var side: Side
    public var degrees: Double

    public init(joint: String, motion: String, side: Side, degrees: Double) {
        self.joint = joint
        self.motion = motion
        self.side = side
        self.degrees = degrees
    }
}

/// Manual muscle test grade, 0–5 with the customary plus/minus steps.
public struct StrengthMeasurement: Codable, Sendable, Equatable {
    public static let grades = ["0", "1", "2-", "2", "2+", "3-", "3", "3+", "4-", "4", "4+", "5"]
    public var muscleGroup: String
    public var side: ROMMeasurement.Side
    public var grade: String

    public init(muscleGroup: String, side: ROMMeasurement.Side, grade: String) {
        self.muscleGroup = muscleGroup
        self.side = side
        self.grade = grade
    }
}

public struct SpecialTest: Codable, Sendable, Equatable {
    public enum Result: String, Codable, Sendable { case positive, negative, inconclusive }
    public var name: String
    public var side: ROMMeasurement.Side
    public var result: Result

    public init(name: String, side: ROMMeasurement.Side, result: Result) {
        self.name = name
        self.side = side
        self.result = result
    }
}

public struct Goal: Codable, Sendable, Equatable {
    public enum Term: String, Codable, Sendable { case short, long }
    public enum Status: String, Codable, Sendable { case notMet = "not-met", partiallyMet = "partially-met", met }
    public var id: String
    public var text: String
    public var term: Term
    public var targetDate: CalendarDay
    public var status: Status

    public init(id: String, text: String, term: Term, targetDate: CalendarDay, status: Status) {
        self.id = id
        self.text = text
        self.term = term
        self.targetDate = targetDate
        self.status = status
    }
}

/// CPT 97161–97163 components (CLINICAL.md §3.1).
public enum Presentation: String, Codable, Sendable { case stable, evolving, unstable }

public enum EvaluationComplexity: String, Codable, Sendable, CaseIterable, Comparable {
    case low, moderate, high

    public var cptCode: String {
        switch self {
        case .low: "97161"
        case .moderate: "97162"
        case .high: "97163"
        }
    }

    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

    /// The highest level the documentation supports: each component supports a level (history:
    /// 0 personal factors/comorbidities low, 1–2 moderate, ≥3 high; examination: 1–2 elements
    /// low, 3 moderate, ≥4 high; presentation: stable low, evolving moderate, unstable high), and
    /// the level is the lowest supported by all components ("pick the lowest level supported by
    /// all components", CLINICAL.md §3.1 [S: Clinicient]). Nil when no body element was examined.
    public static func supported(personalFactors: Int, elementsExamined: Int, presentation: Presentation) -> EvaluationComplexity? {
        guard elementsExamined >= 1, personalFactors >= 0 else { return nil }
        let history: EvaluationComplexity = personalFactors == 0 ? .low : (personalFactors <= 2 ? .moderate : .high)
        let exam: EvaluationComplexity = elementsExamined <= 2 ? .low : (elementsExamined == 3 ? .moderate : .high)
        let clinical: EvaluationComplexity = switch presentation {
        case .stable: .low
        case .evolving: .moderate
        case .unstable: .high
        }
        return min(history, exam, clinical)
    }
}

public struct SOAPNote: Codable, Sendable, Equatable {
    public struct Objective: Codable, Sendable, Equatable {
        public var rom: [ROMMeasurement] = []
        public var strength: [StrengthMeasurement] = []
        public var specialTests: [SpecialTest] = []
        /// Codes of the outcome measures administered at this visit.
        public var measures: [String] = []
        public var findings: String?
        public init() {}
    }

    public struct Assessment: Codable, Sendable, Equatable {
        public var diagnosis: String?
        public var impairments: [String] = []
        public var complexity: EvaluationComplexity?
        public var personalFactors: Int?
        public var elementsExamined: Int?
        public var presentation: Presentation?
        public var reasoning: String?
        public init() {}
    }

    public struct Plan: Codable, Sendable, Equatable {
        public var frequencyPerWeek: Int?
        public var durationWeeks: Int?
        public var goals: [Goal] = []
        public var interventions: String?
        public init() {}
    }

    public var subjective: String?
    public var objective: Objective
    public var assessment: Assessment
    public var plan: Plan

    public init() {
        objective = Objective()
        assessment = Assessment()
        plan = Plan()
    }
}

// Lenient decoding: a draft may leave out any section or list.
extension SOAPNote.Objective {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rom = try c.decodeIfPresent([ROMMeasurement].self, forKey: .rom) ?? []
        strength = try c.decodeIfPresent([StrengthMeasurement].self, forKey: .strength) ?? []
        specialTests = try c.decodeIfPresent([SpecialTest].self, forKey: .specialTests) ?? []
        measures = try c.decodeIfPresent([String].self, forKey: .measures) ?? []
        findings = try c.decodeIfPresent(String.self, forKey: .findings)
    }
}

extension SOAPNote.Assessment {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        diagnosis = try c.decodeIfPresent(String.self, forKey: .diagnosis)
        impairments = try c.decodeIfPresent([String].self, forKey: .impairments) ?? []
        complexity = try c.decodeIfPresent(EvaluationComplexity.self, forKey: .complexity)
        personalFactors = try c.decodeIfPresent(Int.self, forKey: .personalFactors)
        elementsExamined = try c.decodeIfPresent(Int.self, forKey: .elementsExamined)
        presentation = try c.decodeIfPresent(Presentation.self, forKey: .presentation)
        reasoning = try c.decodeIfPresent(String.self, forKey: .reasoning)
    }
}

extension SOAPNote.Plan {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        frequencyPerWeek = try c.decodeIfPresent(Int.self, forKey: .frequencyPerWeek)
        durationWeeks = try c.decodeIfPresent(Int.self, forKey: .durationWeeks)
        goals = try c.decodeIfPresent([Goal].self, forKey: .goals) ?? []
        interventions = try c.decodeIfPresent(String.self, forKey: .interventions)
    }
}

extension SOAPNote {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        subjective = try c.decodeIfPresent(String.self, forKey: .subjective)
        objective = try c.decodeIfPresent(Objective.self, forKey: .objective) ?? Objective()
        assessment = try c.decodeIfPresent(Assessment.self, forKey: .assessment) ?? Assessment()
        plan = try c.decodeIfPresent(Plan.self, forKey: .plan) ?? Plan()
    }
}

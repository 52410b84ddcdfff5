/// An exercise of the library: what it trains, how to do it safely, its default dose, and the
/// key poses its animated demonstration moves between. The format is described for authors in
/// `Resources/Exercises/README.md`; `ExerciseLibrary` checks every rule stated there.
public struct Exercise: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var summary: String
    public var regions: [ExerciseRegion]
    public var category: ExerciseCategory
    public var equipment: [Equipment]
    public var position: ExercisePosition
    public var difficulty: Int
    public var instructions: [String]
    public var cues: [String]
    public var mistakes: [String]
    /// Safety notes and contraindications.
    public var safety: [String]
    public var dose: Dose
    public var easier: [String]
    public var harder: [String]
    public var tags: [String]
    /// The camera-tracking rule, when the exercise has one.
    public var motionSpec: String?
    public var props: [Prop]
    public var keyPoses: [KeyPose]
    /// Published programmes the exercise follows.
    public var sources: [String]

    public init(id: String, name: String, summary: String, regions: [ExerciseRegion], category: ExerciseCategory,
                equipment: [Equipment], position: ExercisePosition, difficulty: Int, instructions: [String], cues: [String],
                mistakes: [String], safety: [String], dose: Dose, easier: [String] = [], harder: [String] = [],
                tags: [String] = [], motionSpec: String? = nil, props: [Prop] = [], keyPoses: [KeyPose], sources: [String] = []) {
        self.id = id
        self.name = name
        self.summary = summary
        self.regions = regions
        self.category = category
        self.equipment = equipment
        self.position = position
        self.difficulty = difficulty
        self.instructions = instructions
        self.cues = cues
        self.mistakes = mistakes
        self.safety = safety
        self.dose = dose
        self.easier = easier
        self.harder = harder
        self.tags = tags
        self.motionSpec = motionSpec
        self.props = props
        self.keyPoses = keyPoses
        self.sources = sources
    }

    enum CodingKeys: String, CodingKey {
        case id, name, summary, regions, category, equipment, position, difficulty, instructions, cues, mistakes, safety, dose
        case easier, harder, tags, motionSpec, props, keyPoses, sources
    }

    /// Optional lists may be left out of a file.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        summary = try c.decode(String.self, forKey: .summary)
        regions = try c.decode([ExerciseRegion].self, forKey: .regions)
        category = try c.decode(ExerciseCategory.self, forKey: .category)
        equipment = try c.decode([Equipment].self, forKey: .equipment)
        position = try c.decode(ExercisePosition.self, forKey: .position)
        difficulty = try c.decode(Int.self, forKey: .difficulty)
        instructions = try c.decode([String].self, forKey: .instructions)
        cues = try c.decode([String].self, forKey: .cues)
        mistakes = try c.decode([String].self, forKey: .mistakes)
        safety = try c.decode([String].self, forKey: .safety)
        dose = try c.decode(Dose.self, forKey: .dose)
        easier = try c.decodeIfPresent([String].self, forKey: .easier) ?? []
        harder = try c.decodeIfPresent([String].self, forKey: .harder) ?? []
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        motionSpec = try c.decodeIfPresent(String.self, forKey: .motionSpec)
        props = try c.decodeIfPresent([Prop].self, forKey: .props) ?? []
        keyPoses = try c.decode([KeyPose].self, forKey: .keyPoses)
        sources = try c.decodeIfPresent([String].self, forKey: .sources) ?? []
    }
}

public enum ExerciseRegion: String, Codable, Sendable, CaseIterable, Comparable {
    case neck, shoulder
    case elbowWristHand = "elbow-wrist-hand"
    case thoracic, lumbar, hip, knee
    case ankleFoot = "ankle-foot"
    case core
    case wholeBody = "whole-body"

    public var displayName: String {
        switch self {
        case .neck: "Neck"
        case .shoulder: "Shoulder"
        case .elbowWristHand: "Elbow, wrist and hand"
        case .thoracic: "Upper back"
        case .lumbar: "Lower back"
        case .hip: "Hip"
        case .knee: "Knee"
        case .ankleFoot: "Ankle and foot"
        case .core: "Core"
        case .wholeBody: "Whole body"
        }
    }

    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

public enum ExerciseCategory: String, Codable, Sendable, CaseIterable {
    case strength
    /// Stretching and range of motion.
    case mobility
    case balance
    /// Coordination, amplitude, dual-task work.
    case neuromotor
    case endurance
    case functional
    /// Breathing and relaxation.
    case breathing
    case pediatricPlay = "pediatric-play"

    public var displayName: String {
        switch self {
        case .strength: "Strength"
        case .mobility: "Stretching and mobility"
        case .balance: "Balance"
        case .neuromotor: "Coordination"
        case .endurance: "Endurance"
        case .functional: "Everyday tasks"
        case .breathing: "Breathing and relaxation"
        case .pediatricPlay: "Play for children"
        }
    }
}

public enum Equipment: String, Codable, Sendable, CaseIterable {
    case none, band, chair, wall, step, weights, ball, towel, mat, table, stick, pillow, cup, toy, bed, rail

    public var displayName: String {
        switch self {
        case .none: "No equipment"
        case .band: "Resistance band"
        case .weights: "Light weights"
        case .stick: "Stick or broom handle"
        case .rail: "Stair rail"
        default: rawValue.prefix(1).uppercased() + rawValue.dropFirst()
        }
    }
}

public enum ExercisePosition: String, Codable, Sendable, CaseIterable {
    case standing, sitting, lying, kneeling

    public var displayName: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
}

/// What the demonstration draws beside the figure.
public enum Prop: String, Codable, Sendable, CaseIterable {
    case chair, wall, step, band, ball, weights, mat, table, towel, stick, rail
}

/// A dose: how much, how often.
public struct Dose: Codable, Sendable, Equatable {
    /// Which side a set works.
    public enum Side: String, Codable, Sendable, CaseIterable {
        /// One side, then the other.
        case each
        /// Both sides together.
        case both
        case alternate
        /// No side (breathing, walking).
        case none
        /// One side only, as a therapist prescribes it for a patient.
        case left, right

        public var displayName: String {
            switch self {
            case .each: "Each side"
            case .both: "Both sides together"
            case .alternate: "Alternating sides"
            case .none: "No side"
            case .left: "Left side only"
            case .right: "Right side only"
            }
        }
    }

    public var sets: Int
    /// 0 when the exercise is a hold.
    public var reps: Int
    public var holdSeconds: Int
    public var restSeconds: Int
    public var perDay: Int
    public var daysPerWeek: Int
    public var side: Side
    /// Seconds down, pause, up (`"3-1-3"`).
    public var tempo: String?
    /// The resistance: `"1 kg"`, `"red band"`.
    public var load: String?

    public init(sets: Int, reps: Int, holdSeconds: Int = 0, restSeconds: Int = 30, perDay: Int = 1, daysPerWeek: Int = 7,
                side: Side = .both, tempo: String? = nil, load: String? = nil) {
        self.sets = sets
        self.reps = reps
        self.holdSeconds = holdSeconds
        self.restSeconds = restSeconds
        self.perDay = perDay
        self.daysPerWeek = daysPerWeek
        self.side = side
        self.tempo = tempo
        self.load = load
    }

    /// The ranges a dose keeps to, in the library, in protocols and in plans.
    public static let limits: KeyValuePairs<String, ClosedRange<Int>> = [
        "sets": 1...10, "reps": 0...50, "holdSeconds": 0...300, "restSeconds": 0...300, "perDay": 1...6, "daysPerWeek": 1...7,
    ]

    var numbers: [String: Int] {
        ["sets": sets, "reps": reps, "holdSeconds": holdSeconds, "restSeconds": restSeconds, "perDay": perDay, "daysPerWeek": daysPerWeek]
    }

    /// What is wrong with this dose, in words a therapist can act on; empty when it is fine.
    public var problems: [String] {
        let numbers = self.numbers
        var found = Self.limits.filter { !$0.value.contains(numbers[$0.key] ?? 0) }
            .map { (name: $0.key, range: $0.value) }
            .map { "\($0.name) must be \($0.range.lowerBound) to \($0.range.upperBound)" }
        if reps == 0 && holdSeconds == 0 { found.append("the dose needs repetitions or a hold") }
        for (name, text) in [("tempo", tempo), ("load", load)] {
            if let text, text.trimmingWhitespace().isEmpty || text.count > 40 || text.contains(where: \.isNewline) {
                found.append("\(name) must be 1 to 40 characters on one line")
            }
        }
        return found
    }

    /// "3 sets of 10", "2 sets, hold 30 s", "1 set of 10, hold 5 s each".
    public var summary: String {
        let sets = self.sets == 1 ? "1 set" : "\(self.sets) sets"
        var text = reps > 0 ? "\(sets) of \(reps)" : sets
        if holdSeconds > 0 { text += reps > 0 ? ", hold \(Self.duration(holdSeconds)) each" : ", hold \(Self.duration(holdSeconds))" }
        switch side {
        case .each: text += ", each side"
        case .alternate: text += ", alternating sides"
        case .left: text += ", left side"
        case .right: text += ", right side"
        case .both, .none: break
        }
        if let load { text += ", \(load)" }
        return text
    }

    /// "30 s", "5 min", "1 min 30 s".
    public static func duration(_ seconds: Int) -> String {
        guard seconds >= 60 else { return "\(seconds) s" }
        let (m, s) = seconds.quotientAndRemainder(dividingBy: 60)
        return s == 0 ? "\(m) min" : "\(m) min \(s) s"
    }

    /// How often: "Every day", "3 days a week", "Twice a day, every day".
    public var frequency: String {
        let days = daysPerWeek == 7 ? "every day" : daysPerWeek == 1 ? "1 day a week" : "\(daysPerWeek) days a week"
        switch perDay {
        case 1: return days.prefix(1).uppercased() + days.dropFirst()
        case 2: return "Twice a day, \(days)"
        default: return "\(perDay) times a day, \(days)"
        }
    }
}

/// Changes to a dose, as a protocol or a therapist writes them: what is given replaces the
/// exercise's default, what is left out keeps it.
public struct DoseChange: Codable, Sendable, Equatable {
    public var sets: Int?
    public var reps: Int?
    public var holdSeconds: Int?
    public var restSeconds: Int?
    public var perDay: Int?
    public var daysPerWeek: Int?
    public var side: Dose.Side?
    public var tempo: String?
    public var load: String?

    public init(sets: Int? = nil, reps: Int? = nil, holdSeconds: Int? = nil, restSeconds: Int? = nil, perDay: Int? = nil,
                daysPerWeek: Int? = nil, side: Dose.Side? = nil, tempo: String? = nil, load: String? = nil) {
        self.sets = sets
        self.reps = reps
        self.holdSeconds = holdSeconds
        self.restSeconds = restSeconds
        self.perDay = perDay
        self.daysPerWeek = daysPerWeek
        self.side = side
        self.tempo = tempo
        self.load = load
    }

    public func applied(to dose: Dose) -> Dose {
        Dose(sets: sets ?? dose.sets, reps: reps ?? dose.reps, holdSeconds: holdSeconds ?? dose.holdSeconds,
             restSeconds: restSeconds ?? dose.restSeconds, perDay: perDay ?? dose.perDay, daysPerWeek: daysPerWeek ?? dose.daysPerWeek,
             side: side ?? dose.side, tempo: tempo ?? dose.tempo, load: load ?? dose.load)
    }
}

/// One key pose of the demonstration figure: a base posture, a view, and anatomical joint
/// angles in degrees that change the base (see `Resources/Exercises/README.md`).
public struct KeyPose: Codable, Sendable, Equatable {
    public enum Base: String, Codable, Sendable, CaseIterable {
        case standing, sitting
        case longSitting = "long-sitting"
        case supine, prone
        case sideLying = "side-lying"
        case kneeling
        case halfKneeling = "half-kneeling"
        case quadruped
    }

    public enum View: String, Codable, Sendable, CaseIterable { case side, front }

    public enum Joint: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
        case trunk, neck
        case shoulderLeft = "shoulder-l", shoulderRight = "shoulder-r"
        case elbowLeft = "elbow-l", elbowRight = "elbow-r"
        case hipLeft = "hip-l", hipRight = "hip-r"
        case kneeLeft = "knee-l", kneeRight = "knee-r"
        case ankleLeft = "ankle-l", ankleRight = "ankle-r"
    }

    public static let angleRange: ClosedRange<Double> = -90...180

    public var label: String
    public var base: Base
    public var view: View
    public var angles: [Joint: Double]

    public init(label: String, base: Base, view: View = .side, angles: [Joint: Double] = [:]) {
        self.label = label
        self.base = base
        self.view = view
        self.angles = angles
    }
}

/// A clinic's changes to an exercise: what is given replaces the starting exercise's value (a
/// library exercise being copied, the clinic's exercise being edited, or a blank one).
public struct ExerciseDraft: Codable, Sendable, Equatable {
    public var name: String?
    public var summary: String?
    public var regions: [ExerciseRegion]?
    public var category: ExerciseCategory?
    public var equipment: [Equipment]?
    public var position: ExercisePosition?
    public var difficulty: Int?
    public var instructions: [String]?
    public var cues: [String]?
    public var mistakes: [String]?
    public var safety: [String]?
    public var dose: DoseChange?
    public var easier: [String]?
    public var harder: [String]?
    public var tags: [String]?

    public init(name: String? = nil, summary: String? = nil, regions: [ExerciseRegion]? = nil, category: ExerciseCategory? = nil,
                equipment: [Equipment]? = nil, position: ExercisePosition? = nil, difficulty: Int? = nil, instructions: [String]? = nil,
                cues: [String]? = nil, mistakes: [String]? = nil, safety: [String]? = nil, dose: DoseChange? = nil,
                easier: [String]? = nil, harder: [String]? = nil, tags: [String]? = nil) {
        self.name = name
        self.summary = summary
        self.regions = regions
        self.category = category
        self.equipment = equipment
        self.position = position
        self.difficulty = difficulty
        self.instructions = instructions
        self.cues = cues
        self.mistakes = mistakes
        self.safety = safety
        self.dose = dose
        self.easier = easier
        self.harder = harder
        self.tags = tags
    }

    /// Where a new exercise starts when it copies nothing: every list empty, so the rules say
    /// what is missing.
    public static func blank(id: String) -> Exercise {
        Exercise(id: id, name: "", summary: "", regions: [], category: .strength, equipment: [.none], position: .standing,
                 difficulty: 1, instructions: [], cues: [], mistakes: [], safety: [], dose: Dose(sets: 1, reps: 10), keyPoses: [])
    }

    /// `base` with this draft's changes, under `id`; lines are trimmed and blank ones dropped.
    public func applied(to base: Exercise, id: String) -> Exercise {
        func lines(_ list: [String]?, _ old: [String]) -> [String] {
            list.map { $0.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty } } ?? old
        }
        var e = base
        e.id = id
        e.name = name?.trimmingWhitespace() ?? base.name
        e.summary = summary?.trimmingWhitespace() ?? base.summary
        e.regions = regions ?? base.regions
        e.category = category ?? base.category
        e.equipment = equipment ?? base.equipment
        e.position = position ?? base.position
        e.difficulty = difficulty ?? base.difficulty
        e.instructions = lines(instructions, base.instructions)
        e.cues = lines(cues, base.cues)
        e.mistakes = lines(mistakes, base.mistakes)
        e.safety = lines(safety, base.safety)
        e.dose = (dose ?? DoseChange()).applied(to: base.dose)
        e.easier = easier ?? base.easier
        e.harder = harder ?? base.harder
        e.tags = tags ?? base.tags
        return e
    }
}

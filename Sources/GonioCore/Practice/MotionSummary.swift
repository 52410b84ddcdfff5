import GonioMotion

/// What motion tracking measured during one exercise (camera or worn sensor), kept with the
/// practice log so the therapist and progress see counted repetitions, range and form.
public struct MotionSummary: Codable, Equatable, Sendable {
    public enum Source: String, Codable, Sendable {
        case camera, sensor
    }

    /// The tracked exercise's id (`gonio motion exercises`).
    public var spec: String
    public var source: Source
    public var repsCounted: Int
    public var partialReps: Int
    /// The repetitions' range of motion, in degrees: the smallest start and the mean peak.
    public var romMin: Double?
    public var romMax: Double?
    /// 0-100, the mean of the repetitions' form scores.
    public var formScore: Int?
    /// Each repetition's form score in order, when the player sends them (at most 200).
    public var formScores: [Int]?

    public init(spec: String, source: Source, repsCounted: Int, partialReps: Int = 0, romMin: Double? = nil, romMax: Double? = nil,
                formScore: Int? = nil, formScores: [Int]? = nil) {
        self.spec = spec
        self.source = source
        self.repsCounted = repsCounted
        self.partialReps = partialReps
        self.romMin = romMin
        self.romMax = romMax
        self.formScore = formScore
        self.formScores = formScores
    }

    public func validated() throws(DomainError) -> MotionSummary {
        guard MotionSpecs.spec(spec) != nil || spec == "generic" else {
            throw .invalid("motion-spec-unknown", "motion.spec is a tracked exercise id (GET /api/v1/motion/exercises) or generic.")
        }
        guard (0...1000).contains(repsCounted), (0...1000).contains(partialReps) else {
            throw .invalid("motion-invalid", "Counted and partial repetitions are 0 to 1000.")
        }
        for angle in [romMin, romMax].compactMap({ $0 }) where !(angle.isFinite && (-180...360).contains(angle)) {
            throw .invalid("motion-invalid", "Range of motion is in degrees, -180 to 360.")
        }
        if let romMin, let romMax, romMin > romMax { throw .invalid("motion-invalid", "romMin is at most romMax.") }
        if let formScore, !(0...100).contains(formScore) { throw .invalid("motion-invalid", "The form score is 0 to 100.") }
        if let formScores {
            guard formScores.count <= 200, formScores.allSatisfy({ (0...100).contains($0) }) else {
                throw .invalid("motion-invalid", "Give at most 200 form scores, each 0 to 100.")
            }
        }
        return self
    }

    /// Form fell off during the set (`InSession.formDeclined`, the defaults): the player
    /// suggests a rest; the log keeps it for the therapist.
    public var formDeclined: Bool {
        formScores.map { InSession.formDeclined($0) } ?? false
    }
}

extension PracticeReport {
    /// Fewer repetitions counted than prescribed, with hard effort (Borg CR10 7 or more):
    /// a sign the dose is too much for now, kept for the progression rules and the therapist.
    /// Uncertain: the effort threshold is ours, not a published rule.
    public func fellShort(prescribedReps: Int, sets: Int) -> Bool {
        guard let motion, prescribedReps > 0, let effort, effort >= 7 else { return false }
        return motion.repsCounted < prescribedReps * max(1, sets)
    }
}

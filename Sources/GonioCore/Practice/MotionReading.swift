/// What a virtual goniometer measured in a video visit (`Goniometer` in GonioMotion): the
/// movement, the counts, the range held on each side and the same in words for the note. Kept
/// with the visit, so range of motion can be followed from visit to visit.
public struct MotionReading: Codable, Equatable, Sendable {
    public struct Range: Codable, Equatable, Sendable {
        public var min: Double
        public var max: Double

        public init(min: Double, max: Double) {
            self.min = min
            self.max = max
        }
    }

    /// The tracked exercise's id and name (`gonio motion exercises`).
    public var exercise: String
    public var exerciseName: String
    /// The measure in a clinician's words ("knee flexion").
    public var measure: String
    public var reps: Int
    public var partialReps: Int
    /// The mean form score of the counted repetitions, 0-100.
    public var formScore: Int?
    public var left: Range?
    public var right: Range?
    public var text: String

    public init(exercise: String, exerciseName: String, measure: String, reps: Int, partialReps: Int, formScore: Int?,
                left: Range?, right: Range?, text: String) {
        self.exercise = exercise
        self.exerciseName = exerciseName
        self.measure = measure
        self.reps = reps
        self.partialReps = partialReps
        self.formScore = formScore
        self.left = left
        self.right = right
        self.text = text
    }

    /// Whether anything was measured: a reading of nothing is not worth keeping.
    public var isEmpty: Bool { reps == 0 && partialReps == 0 && left == nil && right == nil }
}

/// How one exercise is tracked, as data a clinician can read: what is measured, where rest is,
/// how far a repetition must go, and the form checks with the cue each gives.
public struct MotionSpec: Sendable {
    public enum Limbs: String, Sendable {
        /// Both sides move together (a squat): their mean is measured.
        case both
        /// One side moves (a leg raise): the moving side is found, or given.
        case oneSide = "one-side"
        /// The sides take turns (lunges, trunk tilts to either side): each turn is a repetition.
        case alternating
    }

    public enum Kind: String, Sendable {
        case repetitions
        /// A position held (single-leg stance): time in position and sway.
        case hold
    }

    /// A rule checked on each repetition.
    public struct Check: Sendable {
        public enum When: String, Sendable {
            /// At the repetition's peak.
            case peak
            /// Over the whole repetition (its largest value).
            case throughout
            /// Over the whole repetition (its smallest value).
            case lowest
            /// The range the primary measure covered.
            case range
        }

        public var id: String
        public var measure: Measure
        /// The primary measure's side, or the other side.
        public var otherSide: Bool
        public var when: When
        public var atLeast: Float?
        public var atMost: Float?
        /// What the person hears when the rule is broken: plain words, no jargon.
        public var cue: String
        /// Points off the repetition's form score (100 = perfect).
        public var penalty: Int

        public init(_ id: String, _ measure: Measure, otherSide: Bool = false, _ when: When, atLeast: Float? = nil, atMost: Float? = nil,
                    cue: String, penalty: Int = 20) {
            self.id = id
            self.measure = measure
            self.otherSide = otherSide
            self.when = when
            self.atLeast = atLeast
            self.atMost = atMost
            self.cue = cue
            self.penalty = penalty
        }
    }

    public var id: String
    public var name: String
    public var measure: Measure
    public var kind: Kind
    public var limbs: Limbs
    /// Rest is the high end of the measure (sitting, in a seated knee extension), not the low end.
    public var restHigh: Bool
    /// Rest is wherever the recording starts (a sit-to-stand may begin seated or standing).
    public var restFromStart: Bool
    /// The least range, in degrees, that can be a full repetition.
    public var minRange: Float
    public var minDuration: Double
    public var checks: [Check]

    public init(id: String, name: String, measure: Measure, kind: Kind = .repetitions, limbs: Limbs, restHigh: Bool = false,
                restFromStart: Bool = false, minRange: Float, minDuration: Double = 0.6, checks: [Check] = []) {
        self.restFromStart = restFromStart
        self.id = id
        self.name = name
        self.measure = measure
        self.kind = kind
        self.limbs = limbs
        self.restHigh = restHigh
        self.minRange = minRange
        self.minDuration = minDuration
        self.checks = checks
    }
}

/// The tracked exercises. Thresholds are conservative clinical round numbers (typical active
/// ranges, e.g. AAOS/Norkin & White normal values: shoulder flexion and abduction 180°, knee
/// flexion 135°, hip flexion 120°); they decide cues, not counting, which adapts to the person.
/// They have not been reviewed by a licensed physical therapist (see the issue note).
public enum MotionSpecs {
    static let stayUpright = "Keep your body upright"
    static let chestUp = "Keep your chest up"

    public static let all: [MotionSpec] = [
        MotionSpec(id: "deep-squat", name: "Deep squat", measure: .kneeFlexion, limbs: .both, minRange: 35, checks: [
            .init("depth", .kneeFlexion, .peak, atLeast: 90, cue: "Bend your knees a little deeper if it is comfortable"),
            .init("trunk", .trunkLean, .peak, atMost: 45, cue: chestUp),
        ]),
        MotionSpec(id: "mini-squat", name: "Mini squat", measure: .kneeFlexion, limbs: .both, minRange: 15, checks: [
            .init("depth", .kneeFlexion, .peak, atMost: 70, cue: "A mini squat is a small bend: stop halfway down"),
            .init("trunk", .trunkLean, .peak, atMost: 35, cue: chestUp),
        ]),
        MotionSpec(id: "sit-to-stand", name: "Sit to stand", measure: .kneeFlexion, limbs: .both, restFromStart: true, minRange: 35, checks: [
            .init("stand-up", .kneeFlexion, .lowest, atMost: 25, cue: "Stand up tall, with your knees straight"),
            .init("sit-down", .kneeFlexion, .throughout, atLeast: 70, cue: "Sit all the way down between stands"),
        ]),
        MotionSpec(id: "hurdle-step", name: "Hurdle step", measure: .hipFlexion, limbs: .oneSide, minRange: 30, checks: [
            .init("knee-height", .hipFlexion, .peak, atLeast: 60, cue: "Lift your knee higher"),
            .init("trunk", .trunkLean, .throughout, atMost: 20, cue: "Stand tall while you step"),
        ]),
        MotionSpec(id: "inline-lunge", name: "Inline lunge", measure: .kneeFlexion, limbs: .oneSide, minRange: 30, checks: [
            .init("depth", .kneeFlexion, .peak, atLeast: 70, cue: "Lower your back knee a little further"),
            .init("trunk", .trunkLean, .throughout, atMost: 25, cue: stayUpright),
        ]),
        MotionSpec(id: "side-lunge", name: "Side lunge", measure: .kneeFlexion, limbs: .oneSide, minRange: 25, checks: [
            .init("depth", .kneeFlexion, .peak, atLeast: 60, cue: "Bend your knee a little more as you step out"),
            .init("trunk", .trunkLean, .throughout, atMost: 40, cue: chestUp),
        ]),
        MotionSpec(id: "standing-straight-leg-raise", name: "Standing straight leg raise", measure: .hipFlexion, limbs: .oneSide, minRange: 20, checks: [
            .init("height", .hipFlexion, .peak, atLeast: 35, cue: "Lift your leg a little higher"),
            .init("straight-knee", .kneeFlexion, .throughout, atMost: 25, cue: "Keep your knee straight"),
            .init("trunk", .trunkLean, .throughout, atMost: 15, cue: stayUpright),
        ]),
        MotionSpec(id: "standing-hip-abduction", name: "Standing hip abduction", measure: .hipAbduction, limbs: .oneSide, minRange: 12, checks: [
            .init("height", .hipAbduction, .peak, atLeast: 20, cue: "Lift your leg a little further out to the side"),
            .init("lean", .trunkTilt, .throughout, atMost: 12, cue: "Keep your body upright: don't lean away from the leg"),
        ]),
        MotionSpec(id: "standing-knee-flexion", name: "Standing knee flexion", measure: .kneeFlexion, limbs: .oneSide, minRange: 30, checks: [
            .init("bend", .kneeFlexion, .peak, atLeast: 80, cue: "Bring your heel further towards your bottom"),
            .init("thigh", .hipFlexion, .throughout, atMost: 30, cue: "Keep your thigh in line with your body"),
        ]),
        MotionSpec(id: "seated-knee-extension", name: "Seated knee extension", measure: .kneeFlexion, limbs: .oneSide, restHigh: true, minRange: 30, checks: [
            .init("straighten", .kneeFlexion, .lowest, atMost: 15, cue: "Straighten your knee fully"),
        ]),
        MotionSpec(id: "heel-raise", name: "Heel raise", measure: .ankleAngle, limbs: .both, minRange: 8, minDuration: 0.5, checks: [
            .init("height", .ankleAngle, .range, atLeast: 15, cue: "Rise higher onto your toes"),
            .init("knees", .kneeFlexion, .throughout, atMost: 25, cue: "Keep your knees straight"),
        ]),
        MotionSpec(id: "shoulder-abduction", name: "Shoulder abduction", measure: .shoulderElevation, limbs: .oneSide, minRange: 40, checks: [
            .init("height", .shoulderElevation, .peak, atLeast: 150, cue: "Raise your arm higher if it is comfortable"),
            .init("elbow", .elbowFlexion, .throughout, atMost: 30, cue: "Keep your elbow straight"),
            .init("lean", .trunkTilt, .throughout, atMost: 15, cue: stayUpright),
        ]),
        MotionSpec(id: "shoulder-flexion", name: "Shoulder flexion", measure: .shoulderElevation, limbs: .oneSide, minRange: 40, checks: [
            .init("height", .shoulderElevation, .peak, atLeast: 150, cue: "Raise your arm higher in front of you if it is comfortable"),
            .init("elbow", .elbowFlexion, .throughout, atMost: 30, cue: "Keep your elbow straight"),
            .init("back", .trunkLean, .throughout, atMost: 15, cue: "Don't arch your back"),
        ]),
        MotionSpec(id: "shoulder-extension", name: "Shoulder extension", measure: .shoulderElevation, limbs: .oneSide, minRange: 20, checks: [
            .init("reach", .shoulderElevation, .peak, atLeast: 40, cue: "Take your arm a little further back"),
            .init("elbow", .elbowFlexion, .throughout, atMost: 30, cue: "Keep your elbow straight"),
            .init("lean", .trunkLean, .throughout, atMost: 15, cue: "Don't lean forward"),
        ]),
        MotionSpec(id: "shoulder-scaption", name: "Shoulder scaption", measure: .shoulderElevation, limbs: .oneSide, minRange: 40, checks: [
            .init("height", .shoulderElevation, .peak, atLeast: 120, cue: "Raise your arm a little higher"),
            .init("elbow", .elbowFlexion, .throughout, atMost: 30, cue: "Keep your elbow straight"),
            .init("lean", .trunkTilt, .throughout, atMost: 15, cue: stayUpright),
        ]),
        MotionSpec(id: "shoulder-rotation", name: "Shoulder rotation (internal and external)", measure: .shoulderRotation, limbs: .oneSide, minRange: 30, checks: [
            .init("range", .shoulderRotation, .range, atLeast: 60, cue: "Turn your forearm a little further"),
            .init("elbow-bent", .elbowFlexion, .lowest, atLeast: 55, cue: "Keep your elbow bent at a right angle"),
        ]),
        MotionSpec(id: "arm-raise", name: "Arm raise", measure: .shoulderElevation, limbs: .oneSide, minRange: 35, checks: [
            .init("height", .shoulderElevation, .peak, atLeast: 120, cue: "Raise your arm a little higher"),
            .init("lean", .trunkTilt, .throughout, atMost: 15, cue: stayUpright),
        ]),
        MotionSpec(id: "elbow-flexion", name: "Elbow flexion", measure: .elbowFlexion, limbs: .oneSide, minRange: 40, minDuration: 0.4, checks: [
            .init("bend", .elbowFlexion, .peak, atLeast: 120, cue: "Bend your elbow further"),
            .init("upper-arm", .shoulderElevation, .throughout, atMost: 35, cue: "Keep your elbow by your side"),
        ]),
        MotionSpec(id: "lateral-trunk-tilt", name: "Lateral trunk tilt", measure: .trunkTilt, limbs: .alternating, minRange: 8, checks: [
            .init("reach", .trunkTilt, .range, atLeast: 15, cue: "Lean a little further to the side"),
            .init("no-twist", .trunkLean, .throughout, atMost: 40, cue: "Lean straight to the side, not forward"),
        ]),
        MotionSpec(id: "trunk-rotation", name: "Trunk rotation", measure: .trunkRotation, limbs: .alternating, minRange: 12, checks: [
            .init("reach", .trunkRotation, .range, atLeast: 30, cue: "Turn a little further"),
            .init("upright", .trunkLean, .throughout, atMost: 20, cue: stayUpright),
        ]),
        MotionSpec(id: "single-leg-stance", name: "Single-leg stance", measure: .trunkTilt, kind: .hold, limbs: .oneSide, minRange: 0, minDuration: 2),
    ]

    public static func spec(_ id: String) -> MotionSpec? { all.first { $0.id == id } }
}

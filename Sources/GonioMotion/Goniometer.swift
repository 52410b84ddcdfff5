/// A virtual goniometer: the range a joint reached during a measurement, as a clinician reads
/// one off a goniometer, at end range and held, not from a single jumpy frame.
///
/// Each side's angle (from `LiveTracker.sideAngles()`) is smoothed (One Euro), and a value counts
/// once the angle has stayed within `tolerance` of it for `hold` seconds. Moving faster than `tolerance / hold`
/// (15°/s by default) holds nothing, so the readings come from the turning points of a movement,
/// where it slows, and from positions held on purpose. A lost joint (NaN) starts the hold again.
///
/// Uncertain: 3° and 0.2 s are our round numbers, within the 4–5° that manual goniometry
/// agrees with itself between testers (Gajdosik & Bohannon, Phys Ther 1987;67:1867); not reviewed
/// by a licensed PT.
public struct Goniometer: Sendable {
    public struct Range: Sendable, Equatable {
        public var min: Float
        public var max: Float
    }

    public var tolerance: Float
    public var hold: Double
    /// The range held on each side so far (nil: nothing held yet).
    public private(set) var left: Range?
    public private(set) var right: Range?
    /// Each side's smoothed angle in the last frame (NaN: not seen).
    public private(set) var now: (left: Float, right: Float) = (.nan, .nan)
    private var anchors: (left: Anchor?, right: Anchor?) = (nil, nil)
    private var filters = (left: OneEuroFilter(), right: OneEuroFilter())

    struct Anchor: Sendable, Equatable {
        var value: Float
        var since: Double
    }

    public init(tolerance: Float = 3, hold: Double = 0.2) {
        self.tolerance = tolerance
        self.hold = hold
    }

    /// The angles of one frame (NaN where the side was not seen), at `t` seconds.
    public mutating func push(left l: Float, right r: Float, at t: Double) {
        now = (l.isFinite ? filters.left.filter(l, at: t) : .nan, r.isFinite ? filters.right.filter(r, at: t) : .nan)
        Self.step(&anchors.left, &left, now.left, t, tolerance, hold)
        Self.step(&anchors.right, &right, now.right, t, tolerance, hold)
    }

    public func range(_ side: Side) -> Range? { side == .left ? left : right }

    private static func step(_ anchor: inout Anchor?, _ range: inout Range?, _ value: Float, _ t: Double, _ tolerance: Float, _ hold: Double) {
        guard value.isFinite else { anchor = nil; return }
        guard let a = anchor, abs(value - a.value) <= tolerance else { anchor = Anchor(value: value, since: t); return }
        guard t - a.since >= hold else { return }
        // Held: the reading is where the joint is now (settled, within tolerance of the hold's start).
        let reading = value
        if var r = range {
            r.min = Swift.min(r.min, reading)
            r.max = Swift.max(r.max, reading)
            range = r
        } else {
            range = Range(min: reading, max: reading)
        }
    }

    /// The reading in plain words for a visit note: "Sit to stand: 8 repetitions (1 partial).
    /// Knee flexion, right 4°–96°, left 5°–92°. Form 86/100." Sides not seen are left out; a
    /// measure of the whole trunk reads from the left track (the tracker keeps it there, and
    /// gives both tracks the same signed angle when the trunk turns both ways).
    public func summary(spec: MotionSpec, reps: Int, partialReps: Int, formScore: Int?) -> String {
        var parts = ["\(spec.name): \(reps) repetition\(reps == 1 ? "" : "s")" + (partialReps > 0 ? " (\(partialReps) partial)." : ".")]
        func degrees(_ r: Range) -> String { "\(Int(r.min.rounded()))°–\(Int(r.max.rounded()))°" }
        let label = spec.measure.label.prefix(1).uppercased() + spec.measure.label.dropFirst()
        if spec.measure.sided {
            let sides = [(Side.right, right), (.left, left)].compactMap { s, r in r.map { "\(s.rawValue) \(degrees($0))" } }
            parts.append(sides.isEmpty ? "\(label) not measured (the joints were not seen long enough)." : "\(label), \(sides.joined(separator: ", ")).")
        } else if let r = left ?? right {
            // A measure that turns both ways (trunk tilt, rotation) is signed: one way negative.
            parts.append(spec.limbs == .alternating && r.min < 0 && r.max > 0
                         ? "\(label) up to \(Int((-r.min).rounded()))° one way and \(Int(r.max.rounded()))° the other."
                         : "\(label) \(degrees(r)).")
        } else {
            parts.append("\(label) not measured (the body was not seen long enough).")
        }
        if let formScore { parts.append("Form \(formScore)/100.") }
        return parts.joined(separator: " ")
    }
}

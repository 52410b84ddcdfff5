/// A virtual goniometer: the range a joint reached during a measurement, as a clinician reads
/// one off a goniometer, at end range and held, not from a single jumpy frame.
///
/// Each side's angle (from `LiveTracker.sideAngles()`) is smoothed (One Euro). A reading is taken
/// whenever the last `hold` seconds of it stayed within a band of `2 × tolerance`: the middle of
/// that band. Moving steadily faster than `2 × tolerance / hold` (30°/s by default) gives no
/// reading, so they come from the turning points of a movement, where it slows, and from
/// positions held on purpose. A lost joint (NaN) starts the hold again.
///
/// Uncertain: ±3° over 0.2 s are our round numbers, near the 4–5° that manual goniometry
/// agrees with itself between testers (Gajdosik & Bohannon, Phys Ther 1987;67:1867); not reviewed
/// by a licensed PT.
public struct Goniometer: Sendable {
    public struct Range: Sendable, Equatable {
        public var min: Float
        public var max: Float
    }

    public let tolerance: Float
    public let hold: Double
    /// The range held on each side so far (nil: nothing held yet).
    public var left: Range? { sides[0].range }
    public var right: Range? { sides[1].range }
    /// Each side's smoothed angle in the last frame (NaN: not seen).
    public private(set) var now: (left: Float, right: Float) = (.nan, .nan)
    private var sides = [Track(), Track()]

    /// One side: its recent smoothed angles in a ring allocated once.
    struct Track: Sendable {
        static let capacity = 128
        var filter = OneEuroFilter()
        var times = [Double](repeating: 0, count: capacity)
        var values = [Float](repeating: 0, count: capacity)
        var head = 0
        var count = 0
        /// Since when the joint has been seen without a break.
        var since = Double.infinity
        var range: Range?

        mutating func push(_ raw: Float, at t: Double, tolerance: Float, hold: Double) -> Float {
            guard raw.isFinite else {
                count = 0
                since = .infinity
                return .nan
            }
            let v = filter.filter(raw, at: t)
            if count == 0 { since = t }
            head = (head + 1) % Self.capacity
            times[head] = t
            values[head] = v
            count = Swift.min(count + 1, Self.capacity)
            guard t - since >= hold else { return v }
            var low = v, high = v
            var k = head, n = 0
            while n < count, times[k] >= t - hold {
                low = Swift.min(low, values[k])
                high = Swift.max(high, values[k])
                k = (k + Self.capacity - 1) % Self.capacity
                n += 1
            }
            guard high - low <= 2 * tolerance else { return v }
            let reading = (low + high) / 2
            range = range.map { Range(min: Swift.min($0.min, reading), max: Swift.max($0.max, reading)) } ?? Range(min: reading, max: reading)
            return v
        }
    }

    public init(tolerance: Float = 3, hold: Double = 0.2) {
        self.tolerance = tolerance
        self.hold = hold
    }

    /// The angles of one frame (NaN where the side was not seen), at `t` seconds.
    public mutating func push(left l: Float, right r: Float, at t: Double) {
        now = (sides[0].push(l, at: t, tolerance: tolerance, hold: hold), sides[1].push(r, at: t, tolerance: tolerance, hold: hold))
    }

    public func range(_ side: Side) -> Range? { side == .left ? left : right }

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

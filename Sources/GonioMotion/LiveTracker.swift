/// Counting as the frames arrive (the player's camera, a video visit): one frame in, the
/// count, the angle and any cue out, with no memory allocated per frame once it has started.
///
/// It follows the same rules as the offline analysis, learning the person's range as they go:
/// until the first repetition it expects twice the spec's minimum range; then the usual range
/// follows the repetitions done.
public struct LiveTracker: Sendable {
    public let spec: MotionSpec
    /// One track per side (or one for both sides together).
    private var tracks: [TrackState]
    /// The current frame, overwritten in place.
    private var frame: PoseSequence
    private var sides: [Side?]

    /// Repetitions counted. Sides taking turns add up; two sides moving at the same time (both
    /// knees in a lunge) are one repetition.
    public private(set) var reps = 0
    public private(set) var partialReps = 0
    /// When each side's last repetition ended, to tell turns from simultaneous movements.
    private var lastEnds: (left: Double, right: Double) = (-.infinity, -.infinity)
    /// The primary measure (degrees) on each side after filtering, NaN when not seen.
    public private(set) var angles: (left: Float, right: Float) = (.nan, .nan)
    public private(set) var lastRepetition: LiveRepetition?
    public private(set) var framesAnalysed = 0
    public private(set) var framesRejected = 0

    public struct LiveRepetition: Sendable, Equatable {
        public var number: Int
        public var side: Side?
        public var start: Double
        public var end: Double
        public var romMin: Float
        public var romMax: Float
        public var formScore: Int
        /// Indexes into `spec.checks` of the checks this repetition broke.
        public var broken: [Int]
        public var counted: Bool
    }

    struct TrackState: Sendable {
        var side: Side?
        var sign: Float
        var filter = OneEuroFilter()
        var usual: Float
        var valley = Float.infinity
        var valleyTime = 0.0
        var active = false
        var peak = -Float.infinity
        var peakTime = 0.0
        var base: Float = 0
        var startTime = 0.0
        var lo = Float.infinity
        var hi = -Float.infinity
        /// Per check: the lowest and highest value during the current repetition, and the value at its peak.
        var checkLow: [Float]
        var checkHigh: [Float]
        var checkAtPeak: [Float]
        var reps = 0
        var partials = 0
    }

    public init(spec: MotionSpec, side: Side? = nil, space: PoseSpace = .image, is3D: Bool = false, yUp: Bool = false) {
        self.spec = spec
        frame = PoseSequence(space: space, is3D: is3D, yUp: yUp)
        _ = frame.appendFrame(at: 0)
        switch spec.limbs {
        case .both: sides = [nil]
        case .alternating where !spec.measure.sided: sides = [.left, .right]
        default: sides = side.map { [$0] } ?? [.left, .right]
        }
        let n = spec.checks.count
        tracks = sides.map { side in
            let sign: Float = spec.limbs == .alternating && !spec.measure.sided ? (side == .right ? -1 : 1) : (spec.restHigh ? -1 : 1)
            return TrackState(side: side, sign: sign, usual: max(spec.minRange * 2, 20),
                              checkLow: .init(repeating: .infinity, count: n), checkHigh: .init(repeating: -.infinity, count: n),
                              checkAtPeak: .init(repeating: .nan, count: n))
        }
    }

    /// Feeds one frame of `skeleton` points: `x, y, z, confidence` for each of the skeleton's
    /// points, in its order (4 floats per point). Returns whether a repetition ended on it.
    @discardableResult
    public mutating func push(_ values: UnsafeBufferPointer<Float>, skeleton: Skeleton, at t: Double) -> Bool {
        frame.times[0] = t
        for j in 0..<Joint.count { frame.confidence[j] = 0 }
        let n = min(skeleton.joints.count, values.count / 4)
        for k in 0..<n {
            guard let joint = skeleton.joints[k] else { continue }
            frame.points[joint.rawValue * 3] = values[k * 4]
            frame.points[joint.rawValue * 3 + 1] = values[k * 4 + 1]
            frame.points[joint.rawValue * 3 + 2] = values[k * 4 + 2]
            frame.confidence[joint.rawValue] = values[k * 4 + 3]
        }
        return analyseFrame(at: t)
    }

    private func measure(_ m: Measure, _ side: Side?) -> Float {
        if side == nil && m.sided {
            let l = Measures.value(m, side: .left, frame: 0, in: frame), r = Measures.value(m, side: .right, frame: 0, in: frame)
            if let l, let r { return (l + r) / 2 }
            return l ?? r ?? .nan
        }
        guard let v = Measures.value(m, side: side ?? .left, frame: 0, in: frame) else { return .nan }
        return m.sided ? v : (side == nil || spec.limbs != .alternating ? abs(v) : v)
    }

    private mutating func analyseFrame(at t: Double) -> Bool {
        var ended = false
        var seen = false
        for k in tracks.indices {
            let side = tracks[k].side
            var v = measure(spec.measure, side)
            if v.isNaN {
                if side == .left { angles.left = .nan } else if side == .right { angles.right = .nan }
                continue
            }
            seen = true
            v = tracks[k].filter.filter(v, at: t)
            if side == .right { angles.right = v } else { angles.left = v }
            let o = spec.limbs == .alternating && !spec.measure.sided ? max(v * tracks[k].sign, 0) : v * tracks[k].sign
            // Taken out while it steps (its arrays move, they are not copied), then put back.
            var track = tracks[k]
            tracks[k].checkLow = []
            tracks[k].checkHigh = []
            tracks[k].checkAtPeak = []
            if step(&track, o, raw: v, at: t) { ended = true }
            tracks[k] = track
        }
        if seen { framesAnalysed += 1 } else { framesRejected += 1 }
        return ended
    }

    private mutating func step(_ s: inout TrackState, _ v: Float, raw: Float, at t: Double) -> Bool {
        let scale = max(s.usual, spec.minRange)
        if !s.active {
            if v < s.valley { s.valley = v; s.valleyTime = t }
            if s.valley.isFinite, v - s.valley >= 0.3 * scale {
                s.active = true
                s.base = s.valley
                s.startTime = s.valleyTime
                s.peak = v
                s.peakTime = t
                s.lo = .infinity
                s.hi = -.infinity
                for c in spec.checks.indices { s.checkLow[c] = .infinity; s.checkHigh[c] = -.infinity; s.checkAtPeak[c] = .nan }
            }
            return false
        }
        s.lo = min(s.lo, abs(raw))
        s.hi = max(s.hi, abs(raw))
        let newPeak = v > s.peak
        if newPeak { s.peak = v; s.peakTime = t }
        for c in spec.checks.indices {
            let check = spec.checks[c]
            var x = check.measure == spec.measure ? raw : measure(check.measure, check.otherSide ? s.side?.other : s.side)
            if !check.measure.sided { x = abs(x) }
            guard !x.isNaN else { continue }
            s.checkLow[c] = min(s.checkLow[c], x)
            s.checkHigh[c] = max(s.checkHigh[c], x)
            if newPeak { s.checkAtPeak[c] = x }
        }
        guard v <= s.base + 0.4 * (s.peak - s.base) else { return false }
        // Back down: judge the repetition.
        s.active = false
        s.valley = v
        s.valleyTime = t
        let range = s.peak - s.base
        let duration = t - s.startTime
        let full = range >= max(0.55 * s.usual, spec.minRange) && duration >= spec.minDuration
        let partial = !full && range >= max(0.35 * s.usual, 0.5 * spec.minRange) && duration >= spec.minDuration * 0.5
        guard full || partial else { return false }
        var score = 100
        var broken: [Int] = []
        for (c, check) in spec.checks.enumerated() {
            let value: Float
            switch check.when {
            case .peak: value = s.checkAtPeak[c]
            case .throughout: value = s.checkHigh[c]
            case .lowest: value = s.checkLow[c]
            case .range: value = s.checkHigh[c] - s.checkLow[c]
            }
            guard value.isFinite else { continue }
            if let least = check.atLeast, value < least { score -= check.penalty; broken.append(c) }
            else if let most = check.atMost, value > most { score -= check.penalty; broken.append(c) }
        }
        // The other side's repetition ended after this one began: the same movement, seen twice.
        let otherEnd = s.side == .left ? lastEnds.right : s.side == .right ? lastEnds.left : -.infinity
        let simultaneous = spec.measure.sided && otherEnd >= s.startTime
        if s.side == .left { lastEnds.left = t } else if s.side == .right { lastEnds.right = t }
        if full {
            s.reps += 1
            s.usual = max(spec.minRange, 0.7 * s.usual + 0.3 * range)
            if !simultaneous { reps += 1 }
        } else {
            s.partials += 1
            if !simultaneous { partialReps += 1 }
        }
        if simultaneous, let last = lastRepetition, last.romMax - last.romMin >= s.hi - s.lo { return true }
        lastRepetition = LiveRepetition(number: full ? reps : partialReps, side: s.side, start: s.startTime, end: t,
                                        romMin: s.lo, romMax: s.hi, formScore: max(0, score), broken: broken, counted: full)
        return true
    }
}

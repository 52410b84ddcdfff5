/// Counting as the frames arrive (the player's camera, a video visit): one frame in, the
/// count, the angle and any cue out, with no memory allocated per frame once it has started.
///
/// It follows the same rules as the offline analysis, learning the person's range as they go:
/// until the first repetition it expects twice the spec's minimum range; then the usual range
/// follows the repetitions done.
public struct LiveTracker: @unchecked Sendable {
    public let spec: MotionSpec
    /// One track per side (or one for both sides together).
    private var tracks: [TrackState]
    /// The current frame and the checks' running values, in memory allocated once. A tracker
    /// belongs to one stream: copies share this storage.
    private let storage: Storage
    private let is3D: Bool
    private let yUp: Bool
    private var sides: [Side?]
    /// The checks' measures, without their texts: read every frame, so nothing is copied or counted.
    private let checkPlan: [CheckPlan]

    struct CheckPlan: Sendable {
        var measure: Measure
        var otherSide: Bool
        var sided: Bool
        var isPrimary: Bool
    }

    final class Storage {
        let points = UnsafeMutablePointer<Float>.allocate(capacity: Joint.count * 3)
        let confidence = UnsafeMutablePointer<Float>.allocate(capacity: Joint.count)
        /// Per track and check: lowest, highest, and the value at the repetition's peak.
        let checks: UnsafeMutablePointer<Float>
        let checkCount: Int

        init(tracks: Int, checks: Int) {
            checkCount = checks
            self.checks = .allocate(capacity: max(1, tracks * checks * 3))
            points.initialize(repeating: 0, count: Joint.count * 3)
            confidence.initialize(repeating: 0, count: Joint.count)
            self.checks.initialize(repeating: 0, count: max(1, tracks * checks * 3))
        }

        deinit {
            points.deallocate()
            confidence.deallocate()
            checks.deallocate()
        }

        @inline(__always) func low(_ track: Int, _ check: Int) -> UnsafeMutablePointer<Float> { checks + (track * checkCount + check) * 3 }
    }

    /// Repetitions counted. Sides taking turns add up; two sides moving at the same time (both
    /// knees in a lunge) are one repetition.
    public private(set) var reps = 0
    public private(set) var partialReps = 0
    /// When each side's last repetition ended, to tell turns from simultaneous movements.
    private var lastEnds: (left: Double, right: Double) = (-.infinity, -.infinity)
    /// When each side's last partial repetition ended: a full one on the other side absorbs it.
    private var lastPartialEnds: (left: Double, right: Double) = (-.infinity, -.infinity)
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
        /// The checks this repetition broke, one bit per index into `spec.checks` (no memory is
        /// allocated per repetition either).
        public var brokenChecks: UInt64
        /// Indexes into `spec.checks` of the checks this repetition broke.
        public var broken: [Int] { (0..<64).filter { brokenChecks & (1 << UInt64($0)) != 0 } }
        public var counted: Bool
    }

    struct TrackState: Sendable {
        var side: Side?
        var sign: Float
        var filter = OneEuroFilter()
        var usual: Float
        var valley = Float.infinity
        var valleyTime = 0.0
        /// The last time the angle sat near the valley: where a movement begins.
        var nearValleyTime = 0.0
        var active = false
        var peak = -Float.infinity
        var peakTime = 0.0
        var base: Float = 0
        var startTime = 0.0
        var lo = Float.infinity
        var hi = -Float.infinity
        var reps = 0
        var partials = 0
    }

    public init(spec: MotionSpec, side: Side? = nil, space: PoseSpace = .image, is3D: Bool = false, yUp: Bool = false) {
        self.spec = spec
        self.is3D = is3D && space == .world
        self.yUp = yUp
        switch spec.limbs {
        case .both: sides = [nil]
        case .alternating where !spec.measure.sided: sides = [.left, .right]
        default: sides = side.map { [$0] } ?? [.left, .right]
        }
        tracks = sides.map { side in
            let sign: Float = spec.limbs == .alternating && !spec.measure.sided ? (side == .right ? -1 : 1) : (spec.restHigh ? -1 : 1)
            return TrackState(side: side, sign: sign, usual: max(spec.minRange * 2, 20))
        }
        storage = Storage(tracks: sides.count, checks: spec.checks.count)
        checkPlan = spec.checks.map { CheckPlan(measure: $0.measure, otherSide: $0.otherSide, sided: $0.measure.sided, isPrimary: $0.measure == spec.measure) }
    }

    /// Feeds one frame of `skeleton` points: `x, y, z, confidence` for each of the skeleton's
    /// points, in its order (4 floats per point). Returns whether a repetition ended on it.
    /// Replays a recording frame by frame, as a live stream would arrive.
    public static func replay(_ s: PoseSequence, spec: MotionSpec, side: Side? = nil) -> LiveTracker {
        var tracker = LiveTracker(spec: spec, side: side, space: s.space, is3D: s.is3D, yUp: s.yUp)
        let canonical = Skeleton(name: "canonical", joints: Joint.allCases.map { Optional($0) }, worldYUp: s.yUp)
        var buffer = [Float](repeating: 0, count: Joint.count * 4)
        for f in 0..<s.count {
            for j in 0..<Joint.count {
                let i = f * Joint.count + j
                buffer[j * 4] = s.points[i * 3]
                buffer[j * 4 + 1] = s.points[i * 3 + 1]
                buffer[j * 4 + 2] = s.points[i * 3 + 2]
                buffer[j * 4 + 3] = s.confidence[i]
            }
            buffer.withUnsafeBufferPointer { _ = tracker.push($0, skeleton: canonical, at: s.times[f]) }
        }
        return tracker
    }

    /// The primary measure on each side in the last frame pushed, unfiltered (NaN where a side
    /// was not seen): a movement counted with both sides together (a squat) still has two
    /// knees to read. A measure of the whole trunk gives `angles`.
    public func sideAngles() -> (left: Float, right: Float) {
        guard spec.measure.sided else { return angles }
        let frame = PoseView(points: storage.points, confidence: storage.confidence, is3D: is3D, yUp: yUp)
        return (Measures.value(spec.measure, side: .left, in: frame) ?? .nan, Measures.value(spec.measure, side: .right, in: frame) ?? .nan)
    }

    @discardableResult
    public mutating func push(_ values: UnsafeBufferPointer<Float>, skeleton: Skeleton, at t: Double) -> Bool {
        let points = storage.points, confidence = storage.confidence
        for j in 0..<Joint.count { confidence[j] = 0 }
        let n = min(skeleton.joints.count, values.count / 4)
        skeleton.joints.withUnsafeBufferPointer { joints in
            for k in 0..<n {
                guard let joint = joints[k] else { continue }
                let j = joint.rawValue
                points[j * 3] = values[k * 4]
                points[j * 3 + 1] = values[k * 4 + 1]
                points[j * 3 + 2] = values[k * 4 + 2]
                confidence[j] = values[k * 4 + 3]
            }
        }
        return analyseFrame(PoseView(points: points, confidence: confidence, is3D: is3D, yUp: yUp), at: t)
    }

    @inline(__always)
    private func measure(_ m: Measure, _ side: Side?, _ frame: PoseView) -> Float {
        if side == nil && m.sided {
            let l = Measures.value(m, side: .left, in: frame), r = Measures.value(m, side: .right, in: frame)
            if let l, let r { return (l + r) / 2 }
            return l ?? r ?? .nan
        }
        guard let v = Measures.value(m, side: side ?? .left, in: frame) else { return .nan }
        return m.sided ? v : (side == nil || spec.limbs != .alternating ? abs(v) : v)
    }

    private mutating func analyseFrame(_ frame: PoseView, at t: Double) -> Bool {
        var ended = false
        var seen = false
        for k in tracks.indices {
            let side = tracks[k].side
            var v = measure(spec.measure, side, frame)
            if v.isNaN {
                if side == .left { angles.left = .nan } else if side == .right { angles.right = .nan }
                continue
            }
            seen = true
            v = tracks[k].filter.filter(v, at: t)
            if side == .right { angles.right = v } else { angles.left = v }
            let o = spec.limbs == .alternating && !spec.measure.sided ? max(v * tracks[k].sign, 0) : v * tracks[k].sign
            var track = tracks[k]
            if step(&track, k, o, raw: v, frame, at: t) { ended = true }
            tracks[k] = track
        }
        if seen { framesAnalysed += 1 } else { framesRejected += 1 }
        return ended
    }

    private mutating func step(_ s: inout TrackState, _ k: Int, _ v: Float, raw: Float, _ frame: PoseView, at t: Double) -> Bool {
        let scale = max(s.usual, spec.minRange)
        if !s.active {
            if v < s.valley { s.valley = v; s.valleyTime = t }
            if v - s.valley <= 0.08 * scale { s.nearValleyTime = t }
            guard s.valley.isFinite, v - s.valley >= 0.3 * scale else { return false }
            s.active = true
            s.base = s.valley
            s.startTime = max(s.valleyTime, s.nearValleyTime)
            s.peak = -.infinity
            // The range starts from rest, not from where the movement was noticed.
            let rest = abs(s.valley * s.sign)
            s.lo = rest
            s.hi = rest
            for c in spec.checks.indices {
                let stats = storage.low(k, c)
                stats[0] = .infinity; stats[1] = -.infinity; stats[2] = .nan
            }
            if spec.checks.contains(where: { $0.measure == spec.measure && $0.when == .range }) {
                for c in spec.checks.indices where spec.checks[c].measure == spec.measure {
                    let stats = storage.low(k, c)
                    stats[0] = rest; stats[1] = rest
                }
            }
        }
        s.lo = min(s.lo, abs(raw))
        s.hi = max(s.hi, abs(raw))
        let newPeak = v > s.peak
        if newPeak { s.peak = v; s.peakTime = t }
        for c in checkPlan.indices {
            let check = checkPlan[c]
            var x = check.isPrimary ? raw : measure(check.measure, check.otherSide ? s.side?.other : s.side, frame)
            if !check.sided { x = abs(x) }
            guard !x.isNaN else { continue }
            let stats = storage.low(k, c)
            stats[0] = min(stats[0], x)
            stats[1] = max(stats[1], x)
            if newPeak { stats[2] = x }
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
        var broken: UInt64 = 0
        for (c, check) in spec.checks.enumerated() {
            let value: Float
            let stats = storage.low(k, c)
            switch check.when {
            case .peak: value = stats[2]
            case .throughout: value = stats[1]
            case .lowest: value = stats[0]
            case .range: value = stats[1] - stats[0]
            }
            guard value.isFinite else { continue }
            if let least = check.atLeast, value < least { score -= check.penalty; broken |= 1 << UInt64(c) }
            else if let most = check.atMost, value > most { score -= check.penalty; broken |= 1 << UInt64(c) }
        }
        // The other side's repetition ended after this one began: the same movement, seen twice.
        // A full one on the other side makes this one a duplicate; a partial one there (the
        // leg that stays, bending a little) gives way to a full one here.
        let otherEnd = s.side == .left ? lastEnds.right : s.side == .right ? lastEnds.left : -.infinity
        let otherPartialEnd = s.side == .left ? lastPartialEnds.right : s.side == .right ? lastPartialEnds.left : -.infinity
        var simultaneous = spec.measure.sided && otherEnd >= s.startTime
        if full {
            s.reps += 1
            s.usual = max(spec.minRange, 0.7 * s.usual + 0.3 * range)
            if !simultaneous {
                // Only a counted repetition can make another a duplicate: a chain of overlaps
                // (each side in turn, a little late) must not swallow real repetitions.
                if s.side == .left { lastEnds.left = t } else if s.side == .right { lastEnds.right = t }
                reps += 1
                if spec.measure.sided && otherPartialEnd >= s.startTime && partialReps > 0 {
                    partialReps -= 1
                    if s.side == .left { lastPartialEnds.right = -.infinity } else { lastPartialEnds.left = -.infinity }
                }
            }
        } else {
            simultaneous = simultaneous || (spec.measure.sided && otherPartialEnd >= s.startTime)
            s.partials += 1
            if !simultaneous {
                partialReps += 1
                // Remembered only when it counted, so a full one absorbs only what was counted.
                if s.side == .left { lastPartialEnds.left = t } else if s.side == .right { lastPartialEnds.right = t }
            }
        }
        // The same movement seen on both sides: keep the report of the side that moved more.
        if simultaneous, let last = lastRepetition, last.romMax - last.romMin >= s.hi - s.lo { return false }
        lastRepetition = LiveRepetition(number: full ? reps : partialReps, side: s.side, start: s.startTime, end: t,
                                        romMin: s.lo, romMax: s.hi, formScore: max(0, score), brokenChecks: broken, counted: full)
        return true
    }
}

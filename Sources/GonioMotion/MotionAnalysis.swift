/// A whole recording analysed: repetitions counted, range of motion and form per repetition.
public struct MotionResult: Sendable {
    public struct Repetition: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var side: Side?
        /// Smallest and largest value of the primary measure during the repetition, in degrees.
        public var romMin: Float
        public var romMax: Float
        /// Seconds out to the peak and back.
        public var secondsOut: Double
        public var secondsBack: Double
        public var formScore: Int
        public var cues: [String]
    }

    public struct Hold: Sendable, Equatable {
        public var holds: Int
        public var longestSeconds: Double
        public var totalSeconds: Double
        /// Side-to-side and front-to-back wander of the pelvis while holding (standard
        /// deviation), as a percentage of leg length, and in centimetres for world data.
        public var swayPercentOfLeg: Double
        public var swayCentimetres: Double?
        public var standingSide: Side?
    }

    public var exercise: String
    public var measure: Measure
    public var side: String
    public var reps: Int
    public var partialReps: Int
    public var repetitions: [Repetition]
    public var partials: [Repetition]
    public var formScore: Int?
    public var cues: [String]
    public var framesAnalysed: Int
    public var framesRejected: Int
    public var hold: Hold?

    public var json: JSONValue {
        func rep(_ r: Repetition) -> JSONValue {
            var members: [(String, JSONValue)] = [
                ("start", .number(Self.round(r.start, 3))), ("end", .number(Self.round(r.end, 3))),
                ("rom", .object([("min", .number(Self.round(Double(r.romMin), 1))), ("max", .number(Self.round(Double(r.romMax), 1)))])),
                ("tempo", .object([("out", .number(Self.round(r.secondsOut, 2))), ("back", .number(Self.round(r.secondsBack, 2)))])),
                ("formScore", .number(Double(r.formScore))), ("cues", .array(r.cues.map(JSONValue.string))),
            ]
            if let side = r.side { members.insert(("side", .string(side.rawValue)), at: 2) }
            return .object(members)
        }
        var members: [(String, JSONValue)] = [
            ("exercise", .string(exercise)), ("measure", .string(measure.rawValue)), ("side", .string(side)),
            ("reps", .number(Double(reps))), ("partialReps", .number(Double(partialReps))),
            ("repetitions", .array(repetitions.map(rep))), ("partialRepetitions", .array(partials.map(rep))),
            ("formScore", formScore.map { .number(Double($0)) } ?? .null), ("cues", .array(cues.map(JSONValue.string))),
            ("framesAnalysed", .number(Double(framesAnalysed))), ("framesRejected", .number(Double(framesRejected))),
        ]
        if let hold {
            var h: [(String, JSONValue)] = [
                ("holds", .number(Double(hold.holds))), ("longestSeconds", .number(Self.round(hold.longestSeconds, 2))),
                ("totalSeconds", .number(Self.round(hold.totalSeconds, 2))), ("swayPercentOfLeg", .number(Self.round(hold.swayPercentOfLeg, 1))),
            ]
            if let cm = hold.swayCentimetres { h.append(("swayCentimetres", .number(Self.round(cm, 1)))) }
            if let s = hold.standingSide { h.append(("standingSide", .string(s.rawValue))) }
            members.append(("hold", .object(h)))
        }
        return .object(members)
    }

    static func round(_ x: Double, _ places: Int) -> Double {
        var p = 1.0
        for _ in 0..<places { p *= 10 }
        return (x * p).rounded() / p
    }
}

/// Which side to analyse: one, both (each side's repetitions counted), or found from the data.
public enum SideChoice: String, Sendable {
    case left, right, both, auto
}

public enum MotionAnalysis {
    /// The generic counter's candidates: the most-moving of these is counted.
    static let genericMeasures: [Measure] = [.kneeFlexion, .hipFlexion, .elbowFlexion, .shoulderElevation, .hipAbduction, .trunkLean, .trunkTilt]

    /// A measure over the recording, with short dropouts filled and jitter removed (forwards
    /// and backwards, so the offline curve has no lag).
    public static func series(_ measure: Measure, side: Side, in s: PoseSequence) -> [Float] {
        var values = [Float](repeating: .nan, count: s.count)
        for f in 0..<s.count { values[f] = Measures.value(measure, side: side, frame: f, in: s) ?? .nan }
        Signal.fillGaps(&values, times: s.times)
        Signal.removeSpikes(&values)
        var forward = values
        OneEuroFilter.smooth(&forward, times: s.times)
        var backward = Array(values.reversed())
        OneEuroFilter.smooth(&backward, times: s.times.reversed().map { -$0 })
        backward.reverse()
        for i in values.indices where !values[i].isNaN { values[i] = (forward[i] + backward[i]) / 2 }
        return values
    }

    /// Analyses `sequence` as exercise `exerciseID` ("generic" for the spec-free counter).
    public static func analyze(_ sequence: PoseSequence, exercise exerciseID: String, side choice: SideChoice = .auto) throws(MotionError) -> MotionResult {
        if exerciseID == "generic" { return try generic(sequence, side: choice) }
        guard let spec = MotionSpecs.spec(exerciseID) else {
            throw .unknownExercise("Unknown exercise \"\(exerciseID)\". `gonio motion exercises` lists the tracked ones; `generic` counts any.")
        }
        guard sequence.count >= 2 else { throw .notEnoughData("The recording has \(sequence.count) frame(s): nothing to analyse.") }
        if spec.kind == .hold { return hold(sequence, spec: spec, side: choice) }
        return analyze(sequence, spec: spec, side: choice)
    }

    static func analyze(_ s: PoseSequence, spec: MotionSpec, side choice: SideChoice) -> MotionResult {
        let counter = RepCounter(minRange: spec.minRange, minDuration: spec.minDuration)
        var cache: [String: [Float]] = [:]
        func measured(_ m: Measure, _ side: Side) -> [Float] {
            let key = "\(m.rawValue)/\(m.sided ? side.rawValue : "-")"
            if let hit = cache[key] { return hit }
            let v = series(m, side: side, in: s)
            cache[key] = v
            return v
        }
        // The primary signal (oriented so that moving raises it) for each side considered.
        var tracks: [(side: Side?, values: [Float], sign: Float)] = []
        switch spec.limbs {
        case .both:
            let l = measured(spec.measure, .left), r = measured(spec.measure, .right)
            var mean = zip(l, r).map { a, b in a.isNaN ? b : (b.isNaN ? a : (a + b) / 2) }
            if !spec.measure.sided { mean = mean.map { abs($0) } }
            tracks = [(nil, mean, spec.restHigh ? -1 : 1)]
        case .alternating where !spec.measure.sided:
            // A signed measure: one way is one side's repetition, the other way the other's.
            let v = measured(spec.measure, .left)
            tracks = [(.left, v, 1), (.right, v, -1)]
        case .oneSide, .alternating:
            let sides: [Side] = choice == .left ? [.left] : choice == .right ? [.right] : [.left, .right]
            tracks = sides.map { ($0, measured(spec.measure, $0), spec.restHigh ? -1 : 1) }
        }
        if spec.restFromStart {
            // Rest is where the recording starts: near the low or the high end of the movement.
            tracks = tracks.map { t in
                let start = Array(t.values.lazy.filter { !$0.isNaN }.prefix(15))
                guard let first = Signal.percentile(start, 0.5), let low = Signal.percentile(t.values, 0.08),
                      let high = Signal.percentile(t.values, 0.95) else { return t }
                return (t.side, t.values, first > (low + high) / 2 ? -1 : 1)
            }
        }
        // Alternating sides of one signed measure: each direction counts on its own.
        let clip = spec.limbs == .alternating && !spec.measure.sided
        var perTrack: [Track] = tracks.map { t in
            let oriented = t.values.map { $0.isNaN ? $0 : (clip ? max($0 * t.sign, 0) : $0 * t.sign) }
            let usual = RepCounter.levels(oriented)?.excursion ?? 0
            return Track(side: t.side, values: oriented, sign: t.sign, found: counter.excursions(oriented, times: s.times, usual: usual),
                         usual: usual)
        }
        // One side's exercise with the side not given: keep the side that moves, unless both
        // move at different times (alternating) or both were asked for.
        if perTrack.count == 2, spec.measure.sided, choice == .auto {
            let a = perTrack[0], b = perTrack[1]
            let overlap = Self.overlap(a.found.filter(\.counted), b.found.filter(\.counted))
            let bothMove = min(a.usual, b.usual) >= max(spec.minRange, 0.5 * max(a.usual, b.usual))
            if !(bothMove && overlap < 0.3) {
                // The moving side: the most range in full repetitions, less what went into
                // partial ones (a badly tracked side jumps about and leaves partial ones).
                perTrack = [Self.movement(a, times: s.times) >= Self.movement(b, times: s.times) ? a : b]
            }
        }
        var reps: [MotionResult.Repetition] = [], partials: [MotionResult.Repetition] = []
        for track in perTrack {
            for e in track.found {
                let rep = repetition(e, track: track, spec: spec, in: s, measured: measured)
                if e.counted { reps.append(rep) } else { partials.append(rep) }
            }
        }
        reps.sort { $0.start < $1.start }
        partials.sort { $0.start < $1.start }
        let analysed = perTrack.first.map { t in t.values.count { !$0.isNaN } } ?? 0
        var cues: [String] = []
        for r in reps { for c in r.cues where !cues.contains(c) { cues.append(c) } }
        let sideName: String = perTrack.count == 1 ? (perTrack[0].side?.rawValue ?? "both") : "both"
        return MotionResult(
            exercise: spec.id, measure: spec.measure, side: sideName, reps: reps.count, partialReps: partials.count,
            repetitions: reps, partials: partials,
            formScore: reps.isEmpty ? nil : Int((Double(reps.map(\.formScore).reduce(0, +)) / Double(reps.count)).rounded()),
            cues: cues, framesAnalysed: analysed, framesRejected: s.count - analysed, hold: nil)
    }

    /// How convincingly a side moves: the range of its full repetitions, discounted when their
    /// lengths vary a lot (a badly tracked joint sticks and jumps), less what went into partial ones.
    static func movement(_ t: Track, times: [Double]) -> Float {
        let counted = t.found.filter(\.counted)
        let durations = counted.map { times[$0.end] - times[$0.start] }
        var regularity: Float = 1
        if durations.count > 1 {
            let mean = durations.reduce(0, +) / Double(durations.count)
            let sd = (durations.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(durations.count - 1)).squareRoot()
            regularity = 1 - min(0.5, Float(sd / max(mean, 1e-6)))
        }
        return counted.reduce(0) { $0 + $1.range } * regularity - t.found.filter { !$0.counted }.reduce(0) { $0 + $1.range }
    }

    /// The share of the shorter set's time that the two sets of excursions overlap.
    static func overlap(_ a: [RepCounter.Excursion], _ b: [RepCounter.Excursion]) -> Double {
        let total = min(a.reduce(0) { $0 + $1.end - $1.start }, b.reduce(0) { $0 + $1.end - $1.start })
        guard total > 0 else { return 0 }
        var shared = 0
        for x in a { for y in b { shared += max(0, min(x.end, y.end) - max(x.start, y.start)) } }
        return Double(shared) / Double(total)
    }

    struct Track {
        var side: Side?
        /// The primary measure, oriented (times `sign`) so that moving raises it.
        var values: [Float]
        var sign: Float
        var found: [RepCounter.Excursion]
        var usual: Float
    }

    static func repetition(_ e: RepCounter.Excursion, track: Track, spec: MotionSpec, in s: PoseSequence,
                           measured: (Measure, Side) -> [Float]) -> MotionResult.Repetition {
        let side = track.side ?? .left
        let primary = spec.limbs == .both ? track.values.map { $0 * track.sign } : measured(spec.measure, side)
        let (lo, hi) = e.extremes(of: primary, magnitude: !spec.measure.sided) ?? (0, 0)
        var score = 100
        var cues: [String] = []
        for check in spec.checks {
            let checkSide: Side = check.otherSide ? side.other : side
            var values: [Float]
            if check.measure == spec.measure && spec.limbs == .both {
                values = track.values.map { $0 * track.sign }
            } else {
                values = measured(check.measure, checkSide)
            }
            if !check.measure.sided { values = values.map { abs($0) } }
            var value: Float?
            switch check.when {
            case .peak:
                value = values[e.peak].isNaN ? nil : values[e.peak]
            case .throughout, .lowest, .range:
                if let (a, b) = e.extremes(of: values) { value = check.when == .throughout ? b : check.when == .lowest ? a : b - a }
            }
            guard let value else { continue }
            if let least = check.atLeast, value < least { score -= check.penalty; cues.append(check.cue) }
            else if let most = check.atMost, value > most { score -= check.penalty; cues.append(check.cue) }
        }
        return MotionResult.Repetition(
            start: s.times[e.start], end: s.times[e.end], side: track.side, romMin: lo, romMax: hi,
            secondsOut: s.times[e.peak] - s.times[e.start], secondsBack: s.times[e.end] - s.times[e.peak],
            formScore: max(0, score), cues: cues)
    }

    /// The spec-free counter: the angle that moves most (largest usual excursion) is counted,
    /// rest taken to be where it spends most of its time.
    static func generic(_ s: PoseSequence, side choice: SideChoice) throws(MotionError) -> MotionResult {
        guard s.count >= 2 else { throw .notEnoughData("The recording has \(s.count) frame(s): nothing to analyse.") }
        var best: (measure: Measure, side: Side, usual: Float, restHigh: Bool)?
        for measure in genericMeasures {
            for side in measure.sided ? (choice == .left ? [Side.left] : choice == .right ? [.right] : [.left, .right]) : [.left] {
                var values = series(measure, side: side, in: s)
                if !measure.sided { values = values.map { abs($0) } }
                guard let (_, usual) = RepCounter.levels(values), let median = Signal.percentile(values, 0.5),
                      let low = Signal.percentile(values, 0.08), let high = Signal.percentile(values, 0.95) else { continue }
                if best == nil || usual > best!.usual {
                    best = (measure, side, usual, median - low > high - median)
                }
            }
        }
        guard let best else { throw .notEnoughData("No joint could be measured in this recording.") }
        let spec = MotionSpec(id: "generic", name: "Any exercise", measure: best.measure, limbs: best.measure.sided ? .oneSide : .alternating,
                              restHigh: best.restHigh, minRange: 15, minDuration: 0.4)
        if best.measure.sided {
            return analyze(s, spec: spec, side: SideChoice(rawValue: best.side.rawValue) ?? .auto)
        }
        // An unsided measure (the trunk): count its magnitude.
        var magnitude = spec
        magnitude.limbs = .both
        return analyze(s, spec: magnitude, side: .auto)
    }

    /// Single-leg stance: how long one foot stays off the ground, and how much the pelvis sways.
    static func hold(_ s: PoseSequence, spec: MotionSpec, side choice: SideChoice) -> MotionResult {
        var lifted = [Side?](repeating: nil, count: s.count)
        var legs: [Float] = []
        var analysed = 0
        for f in 0..<s.count {
            guard let la = s.point(.leftAnkle, frame: f), let ra = s.point(.rightAnkle, frame: f),
                  let lh = s.point(.leftHip, frame: f), let rh = s.point(.rightHip, frame: f) else { continue }
            analysed += 1
            let leg = (Geometry.length(lh - la) + Geometry.length(rh - ra)) / 2
            legs.append(leg)
            let dy = la.y - ra.y
            if abs(dy) > 0.08 * leg { lifted[f] = dy > 0 ? .left : .right }  // the higher foot is off the ground
        }
        let leg = Signal.percentile(legs, 0.5) ?? 1
        // Holds: runs of frames with the same foot up, short dropouts forgiven.
        var holds: [(start: Int, end: Int, up: Side)] = []
        var current: (start: Int, end: Int, up: Side)?
        for f in 0..<s.count {
            if let up = lifted[f], choice == .auto || choice == .both || up.other.rawValue == choice.rawValue {
                if let c = current, c.up == up, s.times[f] - s.times[c.end] <= 0.4 { current!.end = f } else {
                    if let c = current { holds.append(c) }
                    current = (f, f, up)
                }
            }
        }
        if let c = current { holds.append(c) }
        holds = holds.filter { s.times[$0.end] - s.times[$0.start] >= spec.minDuration }
        var sway: [Float] = []
        var swayX: [Float] = [], swayZ: [Float] = []
        for h in holds {
            swayX.removeAll(); swayZ.removeAll()
            for f in h.start...h.end { if let p = s.point(.pelvis, frame: f) { swayX.append(p.x); swayZ.append(p.z) } }
            sway.append((Self.deviation(swayX) * Self.deviation(swayX) + Self.deviation(swayZ) * Self.deviation(swayZ)).squareRoot())
        }
        let meanSway = sway.isEmpty ? 0 : Double(sway.reduce(0, +) / Float(sway.count))
        let durations = holds.map { s.times[$0.end] - s.times[$0.start] }
        let standing = holds.max { s.times[$0.end] - s.times[$0.start] < s.times[$1.end] - s.times[$1.start] }?.up.other
        let reps = holds.map { h in
            MotionResult.Repetition(start: s.times[h.start], end: s.times[h.end], side: h.up.other, romMin: 0, romMax: 0, secondsOut: 0,
                                    secondsBack: 0, formScore: 100, cues: [])
        }
        return MotionResult(
            exercise: spec.id, measure: spec.measure, side: standing?.rawValue ?? "both", reps: holds.count, partialReps: 0, repetitions: reps,
            partials: [], formScore: reps.isEmpty ? nil : 100, cues: [], framesAnalysed: analysed, framesRejected: s.count - analysed,
            hold: .init(holds: holds.count, longestSeconds: durations.max() ?? 0, totalSeconds: durations.reduce(0, +),
                        swayPercentOfLeg: meanSway / Double(max(leg, 1e-6)) * 100,
                        swayCentimetres: s.space == .world ? meanSway * 100 : nil, standingSide: standing))
    }

    static func deviation(_ v: [Float]) -> Float {
        guard v.count > 1 else { return 0 }
        let mean = v.reduce(0, +) / Float(v.count)
        return (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(v.count - 1)).squareRoot()
    }
}

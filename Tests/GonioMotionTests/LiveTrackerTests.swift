import Foundation
import Testing
@testable import GonioMotion

/// The live tracker counts frame by frame what the offline analysis counts on the whole file.
@Suite struct LiveTrackerTests {
    static func replay(_ s: PoseSequence, spec: MotionSpec) -> LiveTracker { LiveTracker.replay(s, spec: spec) }

    @Test(arguments: MotionAnalysisTests.movements.map(\.id).filter { $0 != "sit-to-stand" })
    func countsLikeTheOfflineAnalysis(id: String) throws {
        let m = try #require(MotionAnalysisTests.movements.first { $0.id == id })
        let spec = try #require(MotionSpecs.spec(id))
        for (k, view) in [Take.View.world, m.view].enumerated() {
            let v: Take.View = (id == "shoulder-rotation" || id == "trunk-rotation") ? .world : view
            let count = 4 + k * 3
            let s = MotionAnalysisTests.record(m, reps: [Float](repeating: 1, count: count), take: Take(view: v, noise: v == .world ? 0.004 : 1.5, seed: UInt64(k + 3)))
            let tracker = Self.replay(s, spec: spec)
            #expect(tracker.reps == count && tracker.partialReps == 0, "\(id) \(v): \(tracker.reps) + \(tracker.partialReps) of \(count)")
        }
    }

    @Test func aRepetitionCarriesItsRangeAndCues() throws {
        let leaning = MotionAnalysisTests.Movement(id: "shoulder-abduction", view: .world, peak: 110) { b, a in
            b.shoulderElevation[1] = 110 * a; b.trunkTilt = 20 * a
        }
        let s = MotionAnalysisTests.record(leaning, reps: [1, 1], take: Take())
        let spec = MotionSpecs.spec("shoulder-abduction")!
        let tracker = Self.replay(s, spec: spec)
        #expect(tracker.reps == 2)
        let last = try #require(tracker.lastRepetition)
        // Measured against the trunk, which leans towards the arm: 110° less the 20° lean.
        #expect(last.side == .right && last.counted && abs(last.romMax - 90) < 8, "\(last.romMax)")
        let cues = last.broken.map { spec.checks[$0].id }
        #expect(cues.contains("height") && cues.contains("lean"), "\(cues)")
        #expect(last.formScore <= 60)
    }

    @Test func framesWithNobodyAreRejectedNotCounted() {
        var tracker = LiveTracker(spec: MotionSpecs.spec("deep-squat")!)
        let empty = [Float](repeating: 0, count: 33 * 4)
        for i in 0..<60 { empty.withUnsafeBufferPointer { _ = tracker.push($0, skeleton: .blazePose33, at: Double(i) / 30) } }
        #expect(tracker.reps == 0 && tracker.framesRejected == 60 && tracker.framesAnalysed == 0)
    }
}

extension LiveTrackerTests {
    @Test func sidesTakingTurnsAddUpLive() throws {
        // Hurdle steps: three with the left leg, then three with the right, the other leg at rest.
        let left = Synthetic.repetitions([1, 1, 1], fps: 30, seed: 5) { b, a in b.hipFlexion[0] = 80 * a; b.kneeFlexion[0] = 90 * a }
        let right = Synthetic.repetitions([1, 1, 1], fps: 30, seed: 6) { b, a in b.hipFlexion[1] = 80 * a; b.kneeFlexion[1] = 90 * a }
        let s = Synthetic.recording(left + right, Take())
        let tracker = Self.replay(s, spec: MotionSpecs.spec("hurdle-step")!)
        #expect(tracker.reps == 6, "\(tracker.reps)")
    }

    @Test func nearlySimultaneousFramesDoNotPoisonTheFilter() {
        var f = OneEuroFilter()
        _ = f.filter(10, at: 0)
        let y = f.filter(20, at: 1e-300)
        #expect(y.isFinite)
        #expect(f.filter(20, at: 0.1).isFinite)
    }
}

extension PoseFileTests {
    @Test func frameRatesAndByteOrderMarks() throws {
        for bad in [0.0, -30, .nan, .infinity, 5000] {
            #expect(throws: MotionError.self, "\(bad)") { try PoseFile.read("left_knee_x,left_knee_y\n1,2\n", fps: bad) }
        }
        let s = try PoseFile.read("\u{FEFF}t,left_knee_x,left_knee_y\n0,1,2\n0.1,1,3\n")
        #expect(s.count == 2 && s.times == [0, 0.1])
        let j = try PoseFile.read("\u{FEFF}{\"format\":\"gonio-pose/1\",\"skeleton\":\"coco17\",\"frames\":[]}")
        #expect(j.count == 0)
    }
}

extension LiveTrackerTests {
    /// Two knees seen side-on in image pixels (BlazePose points), each bent by its own function of time.
    static func twoKnees(seconds: Double, fps: Double = 30, right: (Double) -> Double, left: (Double) -> Double) -> LiveTracker {
        var tracker = LiveTracker(spec: MotionSpecs.spec("side-lunge")!)
        var p = [Float](repeating: 0, count: 33 * 4)
        func set(_ i: Int, _ x: Double, _ y: Double) { p[i * 4] = Float(x); p[i * 4 + 1] = Float(y); p[i * 4 + 3] = 0.95 }
        for i in 0..<Int(seconds * fps) {
            let t = Double(i) / fps
            set(0, 300, 60); set(11, 290, 120); set(12, 310, 120); set(23, 292, 300); set(24, 308, 300)
            for (hip, knee, ankle, x, flexion) in [(23, 25, 27, 292.0, left(t)), (24, 26, 28, 308.0, right(t))] {
                _ = hip
                set(knee, x, 420)
                let r = flexion * .pi / 180
                set(ankle, x - 120 * sin(r), 420 + 120 * cos(r))
            }
            p.withUnsafeBufferPointer { _ = tracker.push($0, skeleton: .blazePose33, at: t) }
        }
        return tracker
    }

    /// A bump from 0 to 1 and back over `length` seconds, every `period` seconds from `offset`.
    static func bump(_ t: Double, period: Double = 3, length: Double = 2, offset: Double = 0.5) -> Double {
        let u = (t - offset).truncatingRemainder(dividingBy: period)
        guard t >= offset, u < length else { return 0 }
        return (1 - cos(2 * .pi * u / length)) / 2
    }

    /// The standing leg of a side lunge bends a little as the other steps out, a little out of
    /// step with it: its small bend must not hide the real repetition, and a chain of such
    /// overlaps must not swallow the next one.
    @Test func theOtherSidesSmallOverlappingBendsDoNotHideRepetitions() {
        // The staying knee bends a little, and every other time less (a partial for that knee),
        // later and back sooner: the partial ends first.
        let sooner = Self.twoKnees(seconds: 19, right: { 5 + 90 * Self.bump($0) }, left: { t in
            let amplitude: Double = Int((t - 0.7) / 3) % 2 == 0 ? 40 : 18
            return 5 + amplitude * Self.bump(t, length: 1.6, offset: 0.7)
        })
        #expect(sooner.reps == 6 && sooner.partialReps == 0, "\(sooner.reps) + \(sooner.partialReps)")
        // It bends as far but lags behind, each bend overlapping the next step out: one per movement.
        let lagging = Self.twoKnees(seconds: 19, right: { 5 + 90 * Self.bump($0) }, left: { 5 + 60 * Self.bump($0, offset: 1.6) })
        #expect(lagging.reps == 6, "\(lagging.reps) + \(lagging.partialReps)")
    }
}

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

import Testing
@testable import GonioMotion

/// Every tracked exercise, recorded synthetically with a known number of repetitions, in 3-D
/// and from a camera, at several frame rates, with noise, dropouts and pauses.
@Suite struct MotionAnalysisTests {
    /// How each exercise moves the body (amount 0 = rest, 1 = a full repetition), which view
    /// a single camera would use, and the peak value of the primary measure.
    struct Movement: Sendable {
        var id: String
        var view: Take.View
        var side: Side?
        var peak: Float
        var rest: Float = 0
        var base: @Sendable (inout Body) -> Void = { _ in }
        var set: @Sendable (inout Body, Float) -> Void
    }

    static let movements: [Movement] = [
        Movement(id: "deep-squat", view: .side, peak: 110) { b, a in b.kneeFlexion = [110 * a, 110 * a]; b.hipFlexion = [95 * a, 95 * a]; b.trunkLean = 30 * a },
        Movement(id: "mini-squat", view: .side, peak: 45) { b, a in b.kneeFlexion = [45 * a, 45 * a]; b.hipFlexion = [35 * a, 35 * a]; b.trunkLean = 15 * a },
        Movement(id: "sit-to-stand", view: .side, peak: 95) { b, a in b.kneeFlexion = [95 * a, 95 * a]; b.hipFlexion = [90 * a, 90 * a]; b.trunkLean = 20 * a },
        Movement(id: "hurdle-step", view: .side, side: .right, peak: 80) { b, a in b.hipFlexion[1] = 80 * a; b.kneeFlexion[1] = 90 * a },
        Movement(id: "inline-lunge", view: .side, side: .left, peak: 90) { b, a in b.kneeFlexion[0] = 90 * a; b.hipFlexion[0] = 70 * a; b.kneeFlexion[1] = 40 * a },
        Movement(id: "side-lunge", view: .side, side: .right, peak: 80) { b, a in b.kneeFlexion[1] = 80 * a; b.hipFlexion[1] = 60 * a; b.hipAbduction[0] = 25 * a },
        Movement(id: "standing-straight-leg-raise", view: .side, side: .left, peak: 50) { b, a in b.hipFlexion[0] = 50 * a },
        Movement(id: "standing-hip-abduction", view: .front, side: .right, peak: 30) { b, a in b.hipAbduction[1] = 30 * a },
        Movement(id: "standing-knee-flexion", view: .side, side: .left, peak: 100) { b, a in b.kneeFlexion[0] = 100 * a },
        Movement(id: "seated-knee-extension", view: .side, side: .right, peak: 5, rest: 90, base: { b in b.hipFlexion = [90, 90]; b.kneeFlexion = [90, 90]; b.pelvisHeight = 0.5 }) { b, a in
            b.kneeFlexion[1] = 90 - 85 * a
        },
        Movement(id: "heel-raise", view: .side, peak: 125, rest: 90) { b, a in b.plantarflexion = [35 * a, 35 * a] },
        Movement(id: "shoulder-abduction", view: .front, side: .right, peak: 160) { b, a in b.shoulderElevation[1] = 160 * a },
        Movement(id: "shoulder-flexion", view: .side, side: .left, peak: 160, base: { b in b.shoulderPlane = [90, 90] }) { b, a in b.shoulderElevation[0] = 160 * a },
        Movement(id: "shoulder-extension", view: .side, side: .right, peak: 50, base: { b in b.shoulderPlane = [-90, -90] }) { b, a in b.shoulderElevation[1] = 50 * a },
        Movement(id: "shoulder-scaption", view: .world, side: .left, peak: 140, base: { b in b.shoulderPlane = [30, 30] }) { b, a in b.shoulderElevation[0] = 140 * a },
        Movement(id: "shoulder-rotation", view: .world, side: .right, peak: 100, rest: 10, base: { b in
            b.shoulderElevation = [10, 90]; b.elbowFlexion = [10, 90]; b.shoulderRotation = [0, 10]
        }) { b, a in b.shoulderRotation[1] = 10 + 90 * a },
        Movement(id: "arm-raise", view: .front, side: .left, peak: 140) { b, a in b.shoulderElevation[0] = 140 * a },
        Movement(id: "elbow-flexion", view: .side, side: .right, peak: 130, base: { b in b.elbowFlexion = [5, 5] }) { b, a in b.elbowFlexion[1] = 5 + 125 * a },
        Movement(id: "lateral-trunk-tilt", view: .front, peak: 25) { b, a in b.trunkTilt = 25 * a },
        Movement(id: "trunk-rotation", view: .world, peak: 45) { b, a in b.trunkRotation = 45 * a },
    ]

    static func record(_ m: Movement, reps: [Float], take: Take) -> PoseSequence {
        var base = Body()
        m.base(&base)
        let poses = Synthetic.repetitions(reps, fps: take.fps, seed: take.seed, set: m.set, base: base)
        return Synthetic.recording(poses, take)
    }

    @Test(arguments: movements.map(\.id))
    func countsEveryTrackedExerciseExactly(id: String) throws {
        let m = try #require(Self.movements.first { $0.id == id })
        for (k, (fps, view)) in [(30.0, Take.View.world), (15, m.view), (60, m.view)].enumerated() {
            let count = 3 + (k * 4 + id.count) % 8
            let reps = [Float](repeating: 1, count: count)
            // Shoulder and trunk rotation are measured in 3-D only.
            let v: Take.View = (id == "shoulder-rotation" || id == "trunk-rotation") ? .world : view
            let take = Take(view: v, fps: fps, noise: v == .world ? 0.004 : 1.5, seed: UInt64(k + 1))
            let result = try MotionAnalysis.analyze(Self.record(m, reps: reps, take: take), exercise: id)
            #expect(result.reps == count, "\(id) \(v) \(fps) fps: \(result.reps) of \(count) (partial \(result.partialReps))")
            #expect(result.partialReps == 0, "\(id) \(v) \(fps) fps")
            if let side = m.side, m.id != "shoulder-rotation" {
                #expect(result.side == side.rawValue, "\(id): the moving side")
            }
            // Range of motion within a few degrees of the truth (the filter and noise cost a little).
            for r in result.repetitions {
                let truth = abs(m.peak - m.rest)
                #expect(abs((r.romMax - r.romMin) - truth) < max(6, truth * 0.08), "\(id) \(v) \(fps) fps: ROM \(r.romMin)–\(r.romMax), truth \(truth)")
            }
        }
    }

    @Test func partialRepetitionsAreReportedNotCounted() throws {
        let m = Self.movements.first { $0.id == "shoulder-abduction" }!
        let result = try MotionAnalysis.analyze(Self.record(m, reps: [1, 1, 0.45, 1, 0.5, 1], take: Take()), exercise: m.id)
        #expect(result.reps == 4 && result.partialReps == 2, "\(result.reps) + \(result.partialReps)")
    }

    @Test func aWobbleNearTheTopOrAThresholdIsOneRepetition() throws {
        // Each repetition stops halfway and trembles ±6° for a second, then goes on and wobbles at the top.
        var poses: [Body] = []
        let fps = 30.0
        for _ in 0..<20 { poses.append(Body()) }
        for _ in 0..<5 {
            var k = 0
            func at(_ a: Float) { var b = Body(); b.shoulderElevation[1] = a; poses.append(b); k += 1 }
            for i in 0..<30 { at(75 * Float(i) / 30) }
            for i in 0..<30 { at(75 + 6 * Body.sin(Float(i) * 40)) }
            for i in 0..<30 { at(75 + 75 * Float(i) / 30) }
            for i in 0..<30 { at(150 + 8 * Body.sin(Float(i) * 45)) }
            for i in 0..<40 { at(150 - 150 * Float(i) / 40) }
            for _ in 0..<15 { at(0) }
        }
        let result = try MotionAnalysis.analyze(Synthetic.recording(poses, Take(fps: fps)), exercise: "shoulder-abduction")
        #expect(result.reps == 5 && result.partialReps == 0, "\(result.reps) + \(result.partialReps)")
    }

    @Test func stillnessAndJitterAreNotRepetitions() throws {
        let poses = [Body](repeating: Body(), count: 300)
        for id in ["deep-squat", "shoulder-abduction", "generic"] {
            let result = try MotionAnalysis.analyze(Synthetic.recording(poses, Take(noise: 0.01)), exercise: id)
            #expect(result.reps == 0 && result.partialReps == 0, "\(id)")
        }
    }

    @Test func bothSidesInTurnAreCountedTogether() throws {
        // Alternating arm raises: left, right, left...
        var sets: [Body] = []
        let left = Synthetic.repetitions([1, 1, 1], fps: 30, seed: 3) { b, a in b.shoulderElevation[0] = 150 * a }
        let right = Synthetic.repetitions([1, 1, 1], fps: 30, seed: 4) { b, a in b.shoulderElevation[1] = 150 * a }
        sets = left + right + left
        let result = try MotionAnalysis.analyze(Synthetic.recording(sets, Take()), exercise: "shoulder-abduction")
        #expect(result.reps == 9 && result.side == "both", "\(result.reps) \(result.side)")
        #expect(result.repetitions.filter { $0.side == .right }.count == 3)
        // Asked for one side, only that side counts.
        #expect(try MotionAnalysis.analyze(Synthetic.recording(sets, Take()), exercise: "shoulder-abduction", side: .left).reps == 6)
    }

    @Test func theGenericCounterFindsTheMovingJoint() throws {
        for (id, expected) in [("deep-squat", 7), ("elbow-flexion", 5), ("standing-hip-abduction", 4)] {
            let m = Self.movements.first { $0.id == id }!
            let result = try MotionAnalysis.analyze(Self.record(m, reps: [Float](repeating: 1, count: expected), take: Take(seed: 9)), exercise: "generic")
            #expect(result.reps == expected, "\(id): \(result.reps) (\(result.measure.rawValue))")
        }
    }

    @Test func formChecksGiveCuesAndLowerTheScore() throws {
        let m = Self.movements.first { $0.id == "shoulder-abduction" }!
        let good = try MotionAnalysis.analyze(Self.record(m, reps: [1, 1, 1], take: Take()), exercise: m.id)
        #expect(good.formScore == 100 && good.cues.isEmpty, "\(good.cues)")
        // Leaning the body while lifting only to 110°.
        let leaning = Movement(id: m.id, view: .world, peak: 110) { b, a in b.shoulderElevation[1] = 110 * a; b.trunkTilt = 20 * a }
        let bad = try MotionAnalysis.analyze(Self.record(leaning, reps: [1, 1, 1], take: Take()), exercise: m.id)
        #expect(bad.reps == 3)
        #expect(bad.cues.contains("Raise your arm higher if it is comfortable") && bad.cues.contains("Keep your body upright"), "\(bad.cues)")
        #expect((bad.formScore ?? 100) <= 60)
    }

    @Test func aSingleLegStanceIsTimedWithItsSway() throws {
        var poses: [Body] = []
        for _ in 0..<30 { poses.append(Body()) }
        for i in 0..<150 {  // five seconds on the left leg, the right knee bent up behind
            var b = Body()
            b.kneeFlexion[1] = 80
            b.hipFlexion[1] = 20
            b.trunkTilt = 2 * Body.sin(Float(i) * 12)
            poses.append(b)
        }
        for _ in 0..<30 { poses.append(Body()) }
        let result = try MotionAnalysis.analyze(Synthetic.recording(poses, Take(dropoutRate: 0)), exercise: "single-leg-stance")
        let hold = try #require(result.hold)
        #expect(hold.holds == 1 && abs(hold.longestSeconds - 5) < 0.3 && hold.standingSide == .left, "\(hold)")
        #expect(hold.swayCentimetres != nil && hold.swayCentimetres! < 5)
    }

    @Test func unknownExercisesAndEmptyRecordingsAreClearErrors() throws {
        let m = Self.movements[0]
        let s = Self.record(m, reps: [1], take: Take())
        #expect(throws: MotionError.self) { try MotionAnalysis.analyze(s, exercise: "moonwalk") }
        #expect(throws: MotionError.self) { try MotionAnalysis.analyze(PoseSequence(space: .world, is3D: true, yUp: true), exercise: "deep-squat") }
        do {
            _ = try MotionAnalysis.analyze(s, exercise: "moonwalk")
        } catch {
            #expect(error.code == "exercise-unknown" && error.description.contains("gonio motion exercises"))
        }
    }

    @Test func aSideNobodyCanSeeIsRejectedNotGuessed() throws {
        // The right arm is hidden (confidence 0) in every frame: only the left side is analysed.
        let m = Self.movements.first { $0.id == "arm-raise" }!
        var s = Self.record(m, reps: [1, 1, 1, 1], take: Take())
        for f in 0..<s.count { for j in [Joint.rightShoulder, .rightElbow, .rightWrist, .rightHand] { s.confidence[f * Joint.count + j.rawValue] = 0 } }
        let result = try MotionAnalysis.analyze(s, exercise: "arm-raise")
        #expect(result.reps == 4 && result.side == "left")
        let right = try MotionAnalysis.analyze(s, exercise: "arm-raise", side: .right)
        #expect(right.reps == 0 && right.framesAnalysed == 0 && right.framesRejected == s.count)
    }
}

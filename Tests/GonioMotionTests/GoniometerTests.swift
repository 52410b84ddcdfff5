import Foundation
import Testing
@testable import GonioMotion

/// The virtual goniometer reads the range held at end range, not a single jumpy frame.
@Suite struct GoniometerTests {
    /// Feeds `values` (right side; left unseen) at `fps`.
    static func read(_ values: [Float], fps: Double = 30, left: [Float]? = nil) -> Goniometer {
        var g = Goniometer()
        for (i, v) in values.enumerated() { g.push(left: left?[i] ?? .nan, right: v, at: Double(i) / fps) }
        return g
    }

    /// A knee bending from 5° to 95° and back, pausing a moment at each end.
    static func bend(low: Float = 5, high: Float = 95, pause: Int = 12, move: Int = 30) -> [Float] {
        var out = [Float](repeating: low, count: pause)
        func eased(_ i: Int) -> Float { (1 - cos(Float.pi * Float(i) / Float(move))) / 2 }
        for i in 0..<move { out.append(low + (high - low) * eased(i)) }
        out += [Float](repeating: high, count: pause)
        for i in 0..<move { out.append(high - (high - low) * eased(i)) }
        return out + [Float](repeating: low, count: pause)
    }

    @Test func readsTheRangeHeldAtEachEnd() throws {
        let g = Self.read(Self.bend())
        let r = try #require(g.right)
        #expect(abs(r.min - 5) < 1.6 && abs(r.max - 95) < 1.6, "\(r)")
        #expect(g.left == nil)
    }

    @Test func aTurningPointWithoutAPauseStillReads() throws {
        // A smooth swing with no pause: the turn itself is slow enough to be read, close to its peak.
        let swing: [Float] = (0..<120).map { i in
            let phase = 2 * Float.pi * Float(i) / 60
            return 50 - 45 * cos(phase)
        }
        let r = try #require(Self.read(swing).right)
        #expect(r.min < 8 && r.max > 92, "\(r)")
    }

    @Test func aSpikeOrAFastPassIsNotAReading() throws {
        var values = Self.bend(high: 60)
        values[20] = 150  // one frame of a mistracked knee
        values[21] = 149
        let r = try #require(Self.read(values).right)
        #expect(r.max < 62, "\(r)")
        // Moving through quickly without stopping reads nothing.
        let fast = (0..<10).map { Float($0) * 10 }
        #expect(Self.read(fast).right == nil)
    }

    @Test func aLostJointStartsTheHoldAgain() {
        // Held for 0.1 s, lost for a frame, held 0.1 s: never 0.2 s in one piece.
        let values: [Float] = [Float](repeating: 40, count: 4) + [.nan] + [Float](repeating: 40, count: 4)
        #expect(Self.read(values).right == nil)
        #expect(Self.read([Float](repeating: 40, count: 8)).right == Goniometer.Range(min: 40, max: 40))
    }

    @Test func bothSidesAreReadApart() throws {
        let g = Self.read(Self.bend(high: 90), left: Self.bend(low: 10, high: 70))
        let l = try #require(g.left), r = try #require(g.right)
        #expect(abs(l.max - 70) < 1.6 && abs(l.min - 10) < 1.6 && abs(r.max - 90) < 1.6)
    }

    @Test func summariesReadLikeANote() throws {
        let squat = try #require(MotionSpecs.spec("sit-to-stand"))
        let g = Self.read(Self.bend(low: 4, high: 96), left: Self.bend(low: 5, high: 92))
        #expect(g.summary(spec: squat, reps: 8, partialReps: 1, formScore: 86)
                == "Sit to stand: 8 repetitions (1 partial). Knee flexion, right 4°–96°, left 5°–92°. Form 86/100.")
        #expect(Goniometer().summary(spec: squat, reps: 1, partialReps: 0, formScore: nil)
                == "Sit to stand: 1 repetition. Knee flexion not measured (the joints were not seen long enough).")
        let tilt = try #require(MotionSpecs.spec("lateral-trunk-tilt"))
        let both = [Float](repeating: -22, count: 20) + [Float](repeating: 25, count: 20)
        let signed = Self.read(both, left: both)
        #expect(signed.summary(spec: tilt, reps: 2, partialReps: 0, formScore: 100)
                == "Lateral trunk tilt: 2 repetitions. Trunk side tilt up to 22° one way and 25° the other. Form 100/100.")
    }
}

extension LiveTrackerTests {
    @Test func aMovementOfBothSidesStillReadsEachKnee() throws {
        let m = try #require(MotionAnalysisTests.movements.first { $0.id == "deep-squat" })
        let s = MotionAnalysisTests.record(m, reps: [1, 1], take: Take(view: .world, noise: 0.002, seed: 5))
        let tracker = Self.replay(s, spec: try #require(MotionSpecs.spec("deep-squat")))
        let (l, r) = tracker.sideAngles()
        #expect(l.isFinite && r.isFinite && abs((l + r) / 2 - tracker.angles.left) < 10, "\(l) \(r) \(tracker.angles)")
        // A measure of the whole trunk has one angle.
        let lean = LiveTracker(spec: try #require(MotionSpecs.spec("lateral-trunk-tilt")))
        #expect(lean.sideAngles().left.isNaN)
    }
}

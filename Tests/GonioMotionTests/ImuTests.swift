import Testing
@testable import GonioMotion

/// A worn sensor: its segment's angle from the gyroscope and accelerometer together, then the
/// same repetition rules as the camera.
@Suite struct ImuTests {
    /// A sensor turning about its x axis by `angle(t)` degrees (its y axis along the segment,
    /// up at 0°), with gyroscope bias and noise, accelerometer noise and the odd jolt.
    static func recording(rate: Double = 100, seconds: Double, seed: UInt64 = 1, bias: Float = 0.02,
                          angle: (Double) -> Double) -> ImuRecording {
        var noise = Noise(seed: seed)
        var r = ImuRecording()
        let n = Int(seconds * rate)
        for i in 0..<n {
            let t = Double(i) / rate
            let theta = Float(angle(t) * .pi / 180)
            let rate1 = Float((angle(t + 0.001) - angle(t - 0.001)) / 0.002 * .pi / 180)
            let c = Float(Body._cos(Double(theta))), s = Float(Body._sin(Double(theta)))
            var a = Point3(0, c, -s) * 9.81 + Point3(noise.gauss(0.3), noise.gauss(0.3), noise.gauss(0.3))
            if i % 317 == 0 { a += Point3(6, -4, 5) }  // a jolt: the strap knocks against something
            r.times.append(t)
            r.accel.append(a)
            r.gyro.append(Point3(rate1 + bias + noise.gauss(0.02), bias + noise.gauss(0.02), noise.gauss(0.02)))
        }
        return r
    }

    /// `count` repetitions from `rest` to `peak` degrees, 2.5 s each with a second's rest between.
    static func reps(_ count: Int, rest: Double, peak: Double) -> (Double) -> Double {
        { t in
            let cycle = 3.5, k = Int(t / cycle), phase = (t - Double(k) * cycle - 1) / 2.5
            guard t >= 1, k < count, phase > 0, phase < 1 else { return rest }
            return rest + (peak - rest) * (1 - Body._cos(2 * .pi * phase)) / 2
        }
    }

    @Test(arguments: [(Segment.thigh, "standing-straight-leg-raise", 0.0, 50.0, 6), (.upperArm, "shoulder-abduction", 0, 150, 5),
                      (.forearm, "elbow-flexion", 5, 130, 7), (.shank, "seated-knee-extension", 90, 5, 4), (.trunk, "lateral-trunk-tilt", 0, 25, 5)])
    func countsFromOneSegment(segment: Segment, exercise: String, rest: Double, peak: Double, count: Int) throws {
        for rate in [25.0, 100, 200] {
            let r = Self.recording(rate: rate, seconds: Double(count) * 3.5 + 2, seed: UInt64(count), angle: Self.reps(count, rest: rest, peak: peak))
            let result = try MotionAnalysis.analyze(r, exercise: exercise, segment: segment)
            #expect(result.reps == count && result.partialReps == 0, "\(exercise) at \(rate) Hz: \(result.reps) + \(result.partialReps)")
            for rep in result.repetitions {
                #expect(abs((rep.romMax - rep.romMin) - Float(abs(peak - rest))) < 6, "\(exercise) at \(rate) Hz: \(rep.romMin)–\(rep.romMax)")
            }
        }
    }

    @Test func gyroscopeDriftDoesNotBuildUp() {
        // Two minutes standing still with a strong gyroscope bias: the angle stays near 0.
        let r = Self.recording(seconds: 120, bias: 0.05) { _ in 0 }
        let angles = Imu.segmentAngles(r)
        #expect(angles.suffix(100).allSatisfy { $0 < 5 }, "\(angles.last!)")
    }

    @Test func filesInEitherUnitAndBadOnes() throws {
        let csv = "t,ax,ay,az,gx_dps,gy_dps,gz_dps\n0,0,9.8,0,0,0,0\n0.01,0,9.8,0,90,0,0\n0.02,0,9.8,0,90,0,0\n"
        let r = try Imu.read(csv)
        #expect(r.count == 3 && abs(r.gyro[1].x - Float.pi / 2) < 1e-5)
        let json = #"{"format":"gonio-imu/1","gyroUnits":"rad/s","samples":[[0,0,9.8,0,0,0,0],[0.01,0,9.8,0,1,0,0]]}"#
        #expect(try Imu.read(json).gyro[1].x == 1)
        for (bad, says) in [("", "empty"), ("t,ax\n0,1\n", "header"), ("t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5\n", "values"),
                            ("t,ax,ay,az,gx,gy,gz\n1,0,0,0,0,0,0\n0,0,0,0,0,0,0\n", "increase"),
                            ("t,ax,ay,az,gx,gy,gz\n0,0,0,0,0,0,0\n10,0,0,0,0,0,0\n", "Hz"),
                            (#"{"format":"gonio-imu/1","gyroUnits":"rpm","samples":[]}"#, "gyroUnits")] {
            do {
                _ = try Imu.read(bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.description.contains(says), "\(bad): \(error.description)")
            }
        }
        #expect(throws: MotionError.self) { try MotionAnalysis.analyze(ImuRecording(), exercise: "elbow-flexion", segment: .forearm) }
    }
}

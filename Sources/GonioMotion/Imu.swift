/// A wearable sensor (a phone or an inertial sensor strapped to one body segment):
/// accelerometer and gyroscope samples, turned into the segment's angle from vertical.
public struct ImuRecording: Sendable {
    public var times: [Double] = []
    /// Specific force (what an accelerometer reads: +1 g upwards at rest), any unit.
    public var accel: [Point3] = []
    /// Angular velocity in radians per second, in the sensor's own axes.
    public var gyro: [Point3] = []

    public init() {}

    public var count: Int { times.count }
}

/// The body segment a sensor is strapped to, and what its angle from vertical measures.
public enum Segment: String, CaseIterable, Sendable {
    case thigh, shank, upperArm = "upper-arm", forearm, trunk

    /// The measure a segment's inclination stands for, compared with the camera's measures.
    public var measure: Measure {
        switch self {
        case .thigh: .hipFlexion
        case .shank: .kneeFlexion
        case .upperArm: .shoulderElevation
        case .forearm: .elbowFlexion
        case .trunk: .trunkLean
        }
    }
}

/// Reading and fusing inertial data.
public enum Imu {
    public static let format = "gonio-imu/1"

    /// Reads CSV (`t,ax,ay,az,gx,gy,gz`; gyroscope in rad/s, or `gx_dps,...` in degrees per
    /// second) or JSON (`{"format": "gonio-imu/1", "gyroUnits": "rad/s"|"deg/s",
    /// "samples": [[t, ax, ay, az, gx, gy, gz], ...]}`).
    public static func read(_ text: String) throws(MotionError) -> ImuRecording {
        let (text, isJSON) = try PoseFile.prepare(text)
        var rows: [[Double]] = []
        var degrees = false
        if isJSON {
            let doc = try JSONValue.parse(text)
            guard doc["format"]?.string == format else { throw .invalidFile("Missing or unsupported \"format\": expected \"\(format)\".") }
            switch doc["gyroUnits"]?.string ?? "rad/s" {
            case "rad/s": degrees = false
            case "deg/s": degrees = true
            default: throw .invalidFile("\"gyroUnits\" is \"rad/s\" or \"deg/s\".")
            }
            guard let samples = doc["samples"]?.array else { throw .invalidFile("Missing \"samples\": [[t, ax, ay, az, gx, gy, gz], ...].") }
            for (i, sample) in samples.enumerated() {
                guard let values = sample.array, values.count == 7 else { throw .invalidFile("Sample \(i): give [t, ax, ay, az, gx, gy, gz].") }
                var row: [Double] = []
                for v in values {
                    guard let n = v.number else { throw .invalidFile("Sample \(i): values are numbers.") }
                    row.append(n)
                }
                rows.append(row)
            }
        } else {
            var lines = PoseFile.lines(text)
            guard let header = lines.next()?.split(separator: ",").map({ $0.trimmingSpaces().lowercased() }) else {
                throw .invalidFile("The CSV file is empty.")
            }
            let radians = ["t", "ax", "ay", "az", "gx", "gy", "gz"], perDegree = ["t", "ax", "ay", "az", "gx_dps", "gy_dps", "gz_dps"]
            let names = header.count == 7 && header == perDegree ? perDegree : radians
            degrees = names == perDegree
            let index = names.map { header.firstIndex(of: $0) }
            guard index.allSatisfy({ $0 != nil }) else {
                throw .invalidFile("The CSV header needs t, ax, ay, az, gx, gy, gz (gyroscope in rad/s) or gx_dps, gy_dps, gz_dps.")
            }
            var line = 1
            while let text = lines.next() {
                line += 1
                let cells = text.split(separator: ",", omittingEmptySubsequences: false)
                guard cells.count == header.count else { throw .invalidFile("CSV row \(line - 1) has \(cells.count) values; the header has \(header.count).") }
                var row: [Double] = []
                for i in index {
                    guard let n = Double(cells[i!].trimmingSpaces()), n.isFinite else { throw .invalidFile("CSV row \(line - 1): not a number.") }
                    row.append(n)
                }
                rows.append(row)
            }
        }
        var recording = ImuRecording()
        let scale = degrees ? Double.pi / 180 : 1
        for (i, row) in rows.enumerated() {
            guard row.allSatisfy(\.isFinite) else { throw .invalidFile("Sample \(i): values must be finite.") }
            if let last = recording.times.last, row[0] <= last { throw .invalidFile("Sample \(i): times must increase.") }
            recording.times.append(row[0])
            recording.accel.append(Point3(Float(row[1]), Float(row[2]), Float(row[3])))
            recording.gyro.append(Point3(Float(row[4] * scale), Float(row[5] * scale), Float(row[6] * scale)))
        }
        if recording.count >= 2 {
            let rate = Double(recording.count - 1) / (recording.times.last! - recording.times[0])
            guard rate >= 10, rate <= 1000 else { throw .invalidFile("The samples arrive at \(Int(rate)) Hz; Gonio reads 25 to 200 Hz recordings (10 to 1000 accepted).") }
        }
        return recording
    }

    /// The segment's angle from vertical over time, in degrees: `axis` is the sensor axis that
    /// runs along the segment, pointing up when the person stands at rest (towards the hip for a
    /// thigh sensor, towards the shoulder for an arm sensor).
    ///
    /// A complementary filter: the gyroscope turns the last estimate of "up" (in the sensor's
    /// axes) by the rotation measured since; the accelerometer pulls it gently back towards
    /// the direction of gravity, more when it reads close to 1 g (still) and not at all during
    /// jolts. Gyroscope drift cannot build up; a jolt cannot throw the angle.
    public static func segmentAngles(_ r: ImuRecording, axis: Point3 = Point3(0, 1, 0), timeConstant: Double = 0.5) -> [Float] {
        guard r.count > 0, let along = Geometry.unit(axis) else { return [] }
        var angles = [Float](repeating: .nan, count: r.count)
        // Gravity's size in the recording's unit: the median reading while still.
        let sizes = r.accel.map { Geometry.length($0) }
        let g = Signal.percentile(sizes, 0.5) ?? 1
        guard g > 0 else { return angles }
        // The first estimate: the still samples of the first third of a second (a jolt at the
        // start must not set it).
        var start = Point3(0, 0, 0)
        for i in 0..<r.count where r.times[i] - r.times[0] <= 0.3 && abs(sizes[i] / g - 1) < 0.1 {
            start += Geometry.unit(r.accel[i]) ?? Point3(0, 0, 0)
        }
        var up = Geometry.unit(start) ?? Geometry.unit(r.accel[0]) ?? Point3(0, 1, 0)
        angles[0] = Geometry.angle(along, up) ?? .nan
        for i in 1..<r.count {
            let dt = Float(r.times[i] - r.times[i - 1])
            // The world stays still while the sensor turns by ω·dt: seen from the sensor, up
            // turns the other way.
            let w = (r.gyro[i] + r.gyro[i - 1]) * 0.5
            up = up - Geometry.cross(w, up) * dt
            if let measured = Geometry.unit(r.accel[i]) {
                let still = max(0, 1 - abs(sizes[i] / g - 1) * 5)  // trust gravity only near 1 g
                let k = Float(Double(dt) / (timeConstant + Double(dt))) * still
                up = up * (1 - k) + measured * k
            }
            up = Geometry.unit(up) ?? up
            angles[i] = Geometry.angle(along, up) ?? .nan
        }
        return angles
    }
}

extension MotionAnalysis {
    /// Counts repetitions from a sensor on `segment`, for exercises whose measure one segment's
    /// angle stands for. The sensor's axis along the segment is `axis` (see `Imu.segmentAngles`).
    public static func analyze(_ r: ImuRecording, exercise exerciseID: String, segment: Segment, axis: Point3 = Point3(0, 1, 0)) throws(MotionError) -> MotionResult {
        guard r.count >= 2 else { throw .notEnoughData("The recording has \(r.count) sample(s): nothing to analyse.") }
        let spec: MotionSpec
        if exerciseID == "generic" {
            spec = MotionSpec(id: "generic", name: "Any exercise", measure: segment.measure, limbs: .both, minRange: 15, minDuration: 0.4)
        } else {
            guard let found = MotionSpecs.spec(exerciseID) else {
                throw .unknownExercise("Unknown exercise \"\(exerciseID)\". `gonio motion exercises` lists the tracked ones; `generic` counts any.")
            }
            guard found.kind == .repetitions else { throw .unknownExercise("\(found.name) is timed with a camera, not a worn sensor.") }
            spec = found
        }
        var angles = Imu.segmentAngles(r, axis: axis)
        Signal.removeSpikes(&angles)
        let oriented = spec.restHigh ? angles.map { -$0 } : angles
        let counter = RepCounter(minRange: spec.minRange, minDuration: spec.minDuration)
        var reps: [MotionResult.Repetition] = [], partials: [MotionResult.Repetition] = []
        for e in counter.excursions(oriented, times: r.times) {
            let (lo, hi) = e.extremes(of: angles) ?? (0, 0)
            let rep = MotionResult.Repetition(start: r.times[e.start], end: r.times[e.end], side: nil, romMin: lo, romMax: hi,
                                              secondsOut: r.times[e.peak] - r.times[e.start], secondsBack: r.times[e.end] - r.times[e.peak],
                                              formScore: 100, cues: [])
            if e.counted { reps.append(rep) } else { partials.append(rep) }
        }
        let analysed = angles.count { !$0.isNaN }
        return MotionResult(exercise: spec.id, measure: segment.measure, side: segment.rawValue, reps: reps.count, partialReps: partials.count,
                            repetitions: reps, partials: partials, formScore: nil, cues: [], framesAnalysed: analysed,
                            framesRejected: r.count - analysed, hold: nil)
    }
}

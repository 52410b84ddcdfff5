import Testing
@testable import GonioMotion

@Suite struct PoseFileTests {
    @Test func skeletonsHaveTheirSourcesPointCounts() {
        #expect(Skeleton.blazePose33.joints.count == 33)
        #expect(Skeleton.coco17.joints.count == 17)
        #expect(Skeleton.kinect25.joints.count == 25)
        #expect(Skeleton.blazePose33.joints[23] == .leftHip && Skeleton.blazePose33.joints[32] == .rightFootIndex)
        #expect(Skeleton.coco17.joints[16] == .rightAnkle)
        #expect(Skeleton.kinect25.joints[0] == .pelvis && Skeleton.kinect25.joints[20] == .spineShoulder)
        #expect(Joint(name: "spine_base") == .pelvis && Joint(name: "left_foot_index") == .leftFootIndex && Joint(name: "tail") == nil)
    }

    /// A two-frame COCO file in image space: frame times from fps, one point missing.
    static let coco = """
    {"format":"gonio-pose/1","skeleton":"coco17","space":"image","fps":30,"frames":[
     {"p":[[10,10],[9,9],[11,9],[8,10],[12,10],[5,20],[15,20],[4,30],[16,30],[4,40],[16,40],[7,40],[13,40],[7,55],[13,55],[7,70],[13,70,0.9,0.8]]},
     {"p":[[10,10],[9,9],[11,9],[8,10],[12,10],[5,20],[15,20],[4,30],[16,30],[4,40],null,[7,40],[13,40],[7,55],[13,55],[7,70],[13,70]]}
    ]}
    """

    @Test func readsJSONWithTimesFromTheFrameRate() throws {
        let s = try PoseFile.read(Self.coco)
        #expect(s.count == 2 && s.times == [0, 1.0 / 30] && s.space == .image && !s.is3D && !s.yUp)
        #expect(s.confidence(.rightWrist, frame: 1) == 0 && s.confidence(.rightWrist, frame: 0) == 1)
        #expect(s.confidence(.rightAnkle, frame: 0) == 0.8)
        // Image y points down: the knee is measured straight, the pelvis made from the hips.
        #expect(abs(Measures.value(.kneeFlexion, side: .left, frame: 0, in: s)!) < 0.01)
        #expect(s.point(.pelvis, frame: 0) != nil)
    }

    @Test func badFilesSayWhatIsWrong() {
        let cases: [(String, String)] = [
            ("", "empty"),
            ("{", "JSON"),
            (#"{"skeleton":"coco17","frames":[]}"#, "format"),
            (#"{"format":"gonio-pose/2","skeleton":"coco17","frames":[]}"#, "gonio-pose/1"),
            (#"{"format":"gonio-pose/1","skeleton":"openpose","frames":[]}"#, "skeleton"),
            (#"{"format":"gonio-pose/1","skeleton":"named","frames":[]}"#, "joints"),
            (#"{"format":"gonio-pose/1","skeleton":"coco17","frames":[{"p":[]}]}"#, "\"t\""),
            (#"{"format":"gonio-pose/1","skeleton":"coco17","fps":30,"frames":[{"p":[[1,2]]}]}"#, "17"),
            (#"{"format":"gonio-pose/1","skeleton":"named","joints":["left_knee"],"frames":[{"t":1,"p":[[1,2]]},{"t":0.5,"p":[[1,2]]}]}"#, "increase"),
            (#"{"format":"gonio-pose/1","skeleton":"named","joints":["left_knee"],"frames":[{"t":1,"p":[["a",2]]}]}"#, "numbers"),
            (#"{"format":"gonio-pose/1","skeleton":"named","joints":["left_knee"],"space":"moon","frames":[]}"#, "space"),
            ("t,foo,bar\n1,2,3\n", "joint columns"),
            ("left_knee_x,left_knee_y\n1,2\n", "--fps"),
            ("t,left_knee_x,left_knee_y\n0,1,2\n1,2\n", "row 2"),
            ("t,left_knee_x,left_knee_y\n0,1,x\n", "not a number"),
        ]
        for (text, expected) in cases {
            do {
                _ = try PoseFile.read(text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(expected), "\(text): \(error.description)")
                #expect(error.code == "pose-file-invalid")
            }
        }
    }

    @Test func anEmptyRecordingReadsButCannotBeAnalysed() throws {
        let s = try PoseFile.read(#"{"format":"gonio-pose/1","skeleton":"blazepose33","frames":[]}"#)
        #expect(s.count == 0)
        #expect(throws: MotionError.self) { try MotionAnalysis.analyze(s, exercise: "deep-squat") }
    }

    @Test func readsCSVAndIgnoresUnknownJoints() throws {
        let text = "t,left_hip_x,left_hip_y,left_hip_z,left_knee_x,left_knee_y,left_knee_z,left_ankle_x,left_ankle_y,left_ankle_z,left_pinky_x\n"
            + "0,0,1,0,0,0.55,0,0,0.1,0,9\n0.04,0,1,0,0,0.55,0.2,0,0.1,0,9\n0.2,0,1,0,,,,0,0.1,0,9\n"
        let s = try PoseFile.read(text)
        #expect(s.count == 3 && s.is3D && s.space == .world && s.yUp)
        #expect(abs(Measures.value(.kneeFlexion, side: .left, frame: 0, in: s)!) < 0.01)
        #expect(Measures.value(.kneeFlexion, side: .left, frame: 1, in: s)! > 40)
        #expect(Measures.value(.kneeFlexion, side: .left, frame: 2, in: s) == nil, "an empty cell is a missing point")
    }

    @Test func worldDataFindsWhichWayIsUp() throws {
        // A standing body stored with y down (as MediaPipe's world landmarks are) in a named skeleton.
        let text = #"{"format":"gonio-pose/1","skeleton":"named","joints":["left_shoulder","left_hip","left_ankle"],"space":"world","frames":[{"t":0,"p":[[0,-1.4,0],[0,-0.9,0],[0,0,0]]}]}"#
        #expect(try PoseFile.read(text).yUp == false)
    }

    @Test func jsonReaderHandlesEscapesAndNumbers() throws {
        let v = try JSONValue.parse(#" {"a":[1,-2.5e2,true,null],"b":"x\"\u00e9\n"} "#)
        #expect(v["a"] == .array([.number(1), .number(-250), .bool(true), .null]))
        #expect(v["b"]?.string == "x\"é\n")
        #expect(JSONValue.object([("k", .string("a\"b"))]).text == #"{"k":"a\"b"}"#)
        for bad in ["[1,]", "{\"a\" 1}", "\"open", "01x", "[" + String(repeating: "[", count: 70) + "]"] {
            #expect(throws: MotionError.self, "\(bad)") { try JSONValue.parse(bad) }
        }
    }
}

@Suite struct SignalTests {
    @Test func fastArcTangentMatchesTheSeries() {
        var worst: Float = 0
        for i in 0..<3600 {
            let theta = Double(i) / 10 - 180
            let x = Float(Body._cos(theta * .pi / 180)), y = Float(Body._sin(theta * .pi / 180))
            var expected = Float(theta)
            if expected == -180 { expected = 180 }
            var diff = abs(Angle.atan2Degrees(y, x) - expected)
            if diff > 359 { diff = abs(diff - 360) }
            worst = max(worst, diff)
        }
        #expect(worst < 0.01, "worst error \(worst)°")
    }

    @Test func shortGapsAreFilledLongOnesKept() {
        var v: [Float] = [0, .nan, .nan, 30, .nan, .nan, .nan, .nan, .nan, .nan, .nan, .nan, .nan, .nan, .nan, 10]
        let t = (0..<16).map { Double($0) / 30 }
        Signal.fillGaps(&v, times: t, maxGap: 0.2)
        #expect(v[1] == 10 && v[2] == 20)
        #expect(v[8].isNaN, "a 0.4 s gap stays missing")
    }

    @Test func theOneEuroFilterStillsJitterAndFollowsMovement() {
        var f = OneEuroFilter()
        var noise = Noise(seed: 5)
        var still: [Float] = []
        for i in 0..<300 { still.append(f.filter(90 + noise.gauss(2), at: Double(i) / 30)) }
        let tail = Array(still.suffix(200))
        let mean = tail.reduce(0, +) / Float(tail.count)
        let spread = (tail.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(tail.count)).squareRoot()
        #expect(spread < 0.8, "jitter of 2° brought down to \(spread)°")
        // A fast movement (90° in a third of a second) is followed within a few degrees.
        var g = OneEuroFilter()
        var last: Float = 0
        for i in 0..<40 { last = g.filter(min(90, Float(i) * 9), at: Double(i) / 30) }
        #expect(abs(last - 90) < 3)
    }
}

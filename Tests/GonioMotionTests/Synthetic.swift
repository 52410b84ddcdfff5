@testable import GonioMotion

/// A simple kinematic body for tests: joint angles in, joint positions out, with known truth.
/// Metres, +y up, the body faces +z, +x is the body's left.
struct Body {
    var pelvisHeight: Float = 1.0
    var trunkLean: Float = 0      // forward, degrees
    var trunkTilt: Float = 0      // towards the left, degrees
    var trunkRotation: Float = 0  // shoulders turned to the left, degrees
    var hipFlexion: [Float] = [0, 0]      // [left, right]
    var hipAbduction: [Float] = [0, 0]
    var kneeFlexion: [Float] = [0, 0]
    var plantarflexion: [Float] = [0, 0]
    var shoulderElevation: [Float] = [0, 0]
    /// The arm's plane: 0 out to the side, 90 forward, -90 backward.
    var shoulderPlane: [Float] = [0, 0]
    var elbowFlexion: [Float] = [0, 0]
    /// The forearm's turn about the upper arm, from the trunk's up line (or forward when the arm hangs).
    var shoulderRotation: [Float] = [0, 0]

    static func rad(_ d: Float) -> Float { d * .pi / 180 }
    static func cos(_ d: Float) -> Float { Float(_cos(Double(rad(d)))) }
    static func sin(_ d: Float) -> Float { Float(_sin(Double(rad(d)))) }

    // Series for sin/cos without Foundation, accurate enough for test data.
    static func _sin(_ x: Double) -> Double {
        var x = x.truncatingRemainder(dividingBy: 2 * .pi)
        if x > .pi { x -= 2 * .pi } else if x < -.pi { x += 2 * .pi }
        var term = x, sum = x
        for n in 1..<12 { term *= -x * x / Double((2 * n) * (2 * n + 1)); sum += term }
        return sum
    }
    static func _cos(_ x: Double) -> Double { _sin(x + .pi / 2) }

    /// Rotates `v` about unit `axis` by `degrees` (Rodrigues).
    static func rotate(_ v: Point3, about axis: Point3, _ degrees: Float) -> Point3 {
        let c = cos(degrees), s = sin(degrees)
        return v * c + Geometry.cross(axis, v) * s + axis * (Geometry.dot(axis, v) * (1 - c))
    }

    func joints() -> [Joint: Point3] {
        var out: [Joint: Point3] = [:]
        let up = Point3(0, 1, 0), forward = Point3(0, 0, 1), leftward = Point3(1, 0, 0)
        let pelvis = Point3(0, pelvisHeight, 0)
        var trunk = Body.rotate(up, about: leftward, trunkLean)          // lean forward: towards +z
        trunk = Body.rotate(trunk, about: forward, -trunkTilt)          // tilt left: towards +x
        let top = pelvis + trunk * 0.5
        out[.pelvis] = pelvis
        out[.spineShoulder] = top
        out[.spineMid] = (pelvis + top) * 0.5
        out[.neck] = top + trunk * 0.05
        out[.head] = top + trunk * 0.22
        out[.nose] = top + trunk * 0.2 + forward * 0.1
        let across = Body.rotate(Body.rotate(leftward, about: up, trunkRotation), about: forward, -trunkTilt)
        for (i, side) in [Side.left, .right].enumerated() {
            let s: Float = side == .left ? 1 : -1
            let L = side == .left
            let hip = pelvis + leftward * (0.1 * s)
            // Thigh: flexed forward, abducted outward.
            var thigh = Point3(0, -1, 0)
            thigh = Body.rotate(thigh, about: leftward, -hipFlexion[i])                      // forward
            thigh = Body.rotate(thigh, about: forward, -hipAbduction[i] * s)                 // outward
            let knee = hip + thigh * 0.45
            // Shank: bent back from the thigh about the lateral axis.
            let shank = Body.rotate(thigh, about: leftward, kneeFlexion[i])
            let ankle = knee + shank * 0.45
            // Foot: at right angles to the shank, pointing forward, then plantarflexed.
            let foot = Body.rotate(Body.rotate(shank, about: leftward, -90), about: leftward, plantarflexion[i])
            let shoulder = top + across * (0.18 * s)
            let outward = leftward * s
            let plane = Body.rotate(outward, about: up, shoulderPlane[i] * s)   // towards forward
            let arm = (Point3(0, -1, 0) * Body.cos(shoulderElevation[i]) + plane * Body.sin(shoulderElevation[i]))
            let elbow = shoulder + arm * 0.3
            var reference = Geometry.flatten(up, along: arm)
            if Geometry.length(reference) < 0.35 { reference = Geometry.flatten(forward, along: arm) }
            let w = Body.rotate(Geometry.unit(reference)!, about: arm, shoulderRotation[i] * s)
            let forearm = arm * Body.cos(elbowFlexion[i]) + w * Body.sin(elbowFlexion[i])
            let wrist = elbow + forearm * 0.27
            out[L ? .leftHip : .rightHip] = hip
            out[L ? .leftKnee : .rightKnee] = knee
            out[L ? .leftAnkle : .rightAnkle] = ankle
            out[L ? .leftFootIndex : .rightFootIndex] = ankle + foot * 0.15
            out[L ? .leftHeel : .rightHeel] = ankle - foot * 0.05
            out[L ? .leftShoulder : .rightShoulder] = shoulder
            out[L ? .leftElbow : .rightElbow] = elbow
            out[L ? .leftWrist : .rightWrist] = wrist
            out[L ? .leftHand : .rightHand] = wrist + forearm * 0.08
        }
        return out
    }
}

/// A small deterministic random source (tests must not be flaky).
struct Noise {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E3779B97F4A7C15 | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return state
    }
    mutating func uniform() -> Float { Float(next() % 1_000_000) / 1_000_000 }
    mutating func uniform(_ a: Float, _ b: Float) -> Float { a + (b - a) * uniform() }
    /// Roughly normal (sum of uniforms).
    mutating func gauss(_ sigma: Float) -> Float { (uniform() + uniform() + uniform() + uniform() - 2) * sigma * 1.22 }
}

/// How a synthetic recording is made.
struct Take {
    enum View { case world, front, side }
    var view: View = .world
    var fps: Double = 30
    /// Position noise: metres for world, pixels for images (a 1000-pixel tall frame).
    var noise: Float = 0.004
    var dropoutRate: Float = 0.02
    var seed: UInt64 = 1
}

enum Synthetic {
    /// One repetition's shape: 0 at rest, 1 at the peak, smooth (raised cosine).
    static func bump(_ phase: Double) -> Float {
        guard phase > 0, phase < 1 else { return 0 }
        return Float((1 - Body._cos(2 * .pi * phase)) / 2)
    }

    /// A recording of `poses` (one pose per frame) in the take's view, with noise and dropouts.
    static func recording(_ poses: [Body], _ take: Take) -> PoseSequence {
        var random = Noise(seed: take.seed)
        var s = PoseSequence(space: take.view == .world ? .world : .image, is3D: take.view == .world, yUp: take.view == .world)
        for (i, body) in poses.enumerated() {
            // Frames where no person was found are absent.
            if random.uniform() < take.dropoutRate { continue }
            let f = s.appendFrame(at: Double(i) / take.fps)
            let joints = body.joints()
            // In joint order, so the noise is the same on every run (a dictionary's order is not).
            for joint in Joint.allCases {
                guard let p = joints[joint] else { continue }
                let confidence: Float = random.uniform() < 0.01 ? 0.1 : 0.95
                switch take.view {
                case .world:
                    s.set(joint, frame: f, x: p.x + random.gauss(take.noise), y: p.y + random.gauss(take.noise), z: p.z + random.gauss(take.noise),
                          confidence: confidence)
                case .front:
                    // Camera in front, image y down.
                    s.set(joint, frame: f, x: 500 + p.x * 400 + random.gauss(take.noise), y: 900 - p.y * 400 + random.gauss(take.noise), z: 0,
                          confidence: confidence)
                case .side:
                    s.set(joint, frame: f, x: 500 + p.z * 400 + random.gauss(take.noise), y: 900 - p.y * 400 + random.gauss(take.noise), z: 0,
                          confidence: confidence)
                }
            }
        }
        return s
    }

    /// Poses for `reps` repetitions: `set(body, amount)` moves the body to `amount` (0 rest,
    /// 1 full) of the movement. Durations vary; some reps pause at rest first.
    static func repetitions(_ reps: [Float], fps: Double, seed: UInt64, restSeconds: Double = 0.8,
                            set: (inout Body, Float) -> Void, base: Body = Body()) -> [Body] {
        var random = Noise(seed: seed &+ 7)
        var poses: [Body] = []
        func hold(_ seconds: Double) {
            for _ in 0..<Int(seconds * fps) { var b = base; set(&b, 0); poses.append(b) }
        }
        hold(restSeconds)
        for amount in reps {
            let duration = Double(random.uniform(1.4, 3.2))
            let frames = Int(duration * fps)
            for k in 0..<frames {
                var b = base
                set(&b, amount * bump(Double(k) / Double(frames)))
                poses.append(b)
            }
            hold(random.uniform() < 0.3 ? 1.5 : Double(random.uniform(0.1, 0.5)))
        }
        hold(restSeconds)
        return poses
    }
}

/// What a motion spec measures in each frame, in degrees. Flexion angles are 0 with the limb
/// straight; elevations are 0 with the arm (or leg) hanging along the trunk.
public enum Measure: String, CaseIterable, Sendable {
    /// 180° minus the angle hip–knee–ankle.
    case kneeFlexion = "knee-flexion"
    /// The angle between the thigh and the line from the hip up the trunk, taken from straight.
    case hipFlexion = "hip-flexion"
    /// The thigh's angle from the trunk's downward line in the body's frontal plane (3-D) or
    /// the image plane (2-D): a leg lifted sideways.
    case hipAbduction = "hip-abduction"
    /// 180° minus the angle shoulder–elbow–wrist.
    case elbowFlexion = "elbow-flexion"
    /// The upper arm's angle from the trunk's downward line, whatever the plane (abduction,
    /// flexion, scaption, extension are told apart by form checks).
    case shoulderElevation = "shoulder-elevation"
    /// The forearm's turn about the upper arm (elbow bent), from the trunk's up or forward line.
    case shoulderRotation = "shoulder-rotation"
    /// The angle knee–ankle–toe: rises as the heel lifts.
    case ankleAngle = "ankle-angle"
    /// The trunk (pelvis to shoulders) from vertical, in any direction.
    case trunkLean = "trunk-lean"
    /// The trunk from vertical, sideways only (frontal plane).
    case trunkTilt = "trunk-tilt"
    /// The shoulder line turned against the hip line, about the vertical.
    case trunkRotation = "trunk-rotation"

    /// The measure in a clinician's words, for a reading ("knee flexion").
    public var label: String {
        switch self {
        case .kneeFlexion: "knee flexion"
        case .hipFlexion: "hip flexion"
        case .hipAbduction: "hip abduction"
        case .elbowFlexion: "elbow flexion"
        case .shoulderElevation: "shoulder elevation"
        case .shoulderRotation: "shoulder rotation"
        case .ankleAngle: "ankle plantarflexion angle"
        case .trunkLean: "trunk lean"
        case .trunkTilt: "trunk side tilt"
        case .trunkRotation: "trunk rotation"
        }
    }

    /// Whether the measure belongs to one side of the body.
    public var sided: Bool {
        switch self {
        case .trunkLean, .trunkTilt, .trunkRotation: false
        default: true
        }
    }
}

/// Vector helpers for `Point3` (standard library only).
@usableFromInline
enum Geometry {
    @inline(__always) @usableFromInline static func dot(_ a: Point3, _ b: Point3) -> Float { (a * b).sum() }
    @inline(__always) @usableFromInline static func length(_ a: Point3) -> Float { dot(a, a).squareRoot() }
    @inline(__always) @usableFromInline static func cross(_ a: Point3, _ b: Point3) -> Point3 {
        Point3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
    }

    /// The angle between two vectors in degrees, or nil when one has no length.
    @inline(__always) @usableFromInline static func angle(_ u: Point3, _ v: Point3) -> Float? {
        let uu = dot(u, u), vv = dot(v, v)
        guard uu > 1e-12, vv > 1e-12 else { return nil }
        // atan2(|u×v|, u·v) stays accurate near 0° and 180°, where acos does not.
        return Angle.atan2Degrees(length(cross(u, v)), dot(u, v))
    }

    /// `v` without its component along unit `n`.
    @inline(__always) @usableFromInline static func flatten(_ v: Point3, along n: Point3) -> Point3 { v - n * dot(v, n) }

    @inline(__always) @usableFromInline static func unit(_ v: Point3) -> Point3? {
        let l = length(v)
        return l > 1e-6 ? v / l : nil
    }
}

/// Fast arctangent, standard library only: a minimax polynomial on [0, 1] (error below
/// 0.0001°), reflected to the whole plane.
public enum Angle {
    @inline(__always)
    public static func atan2Degrees(_ y: Float, _ x: Float) -> Float {
        let ax = abs(x), ay = abs(y)
        let big = max(ax, ay)
        if big == 0 { return 0 }
        let a = min(ax, ay) / big
        let s = a * a
        // atan(a) for a in [0, 1] (Abramowitz–Stegun style odd polynomial, degree 11).
        var r = ((((-0.0117212 * s + 0.05265332) * s - 0.11643287) * s + 0.19354346) * s - 0.33262347) * s + 0.99997726
        r *= a
        if ay > ax { r = Float.pi / 2 - r }
        if x < 0 { r = Float.pi - r }
        return r * (180 / Float.pi) * (y < 0 ? -1 : 1)
    }
}

public enum Measures {
    static let up = Point3(0, 1, 0)

    /// The measure on `side` in frame `f`, or nil when a joint it needs was not seen.
    public static func value(_ measure: Measure, side: Side, frame f: Int, in s: PoseSequence, minConfidence: Float = 0.3) -> Float? {
        s.points.withUnsafeBufferPointer { points in
            s.confidence.withUnsafeBufferPointer { confidence in
                value(measure, side: side, in: PoseView(points: points.baseAddress! + f * Joint.count * 3,
                                                        confidence: confidence.baseAddress! + f * Joint.count, is3D: s.is3D, yUp: s.yUp),
                      minConfidence: minConfidence)
            }
        }
    }

    /// The measure on `side` in one frame, or nil when a joint it needs was not seen.
    @inline(__always)
    public static func value(_ measure: Measure, side: Side, in s: PoseView, minConfidence: Float = 0.3) -> Float? {
        let left = side == .left
        @inline(__always) func p(_ l: Joint, _ r: Joint) -> Point3? { s.point(left ? l : r, minConfidence: minConfidence) }
        switch measure {
        case .kneeFlexion:
            guard let hip = p(.leftHip, .rightHip), let knee = p(.leftKnee, .rightKnee), let ankle = p(.leftAnkle, .rightAnkle),
                  let a = Geometry.angle(hip - knee, ankle - knee) else { return nil }
            return 180 - a
        case .hipFlexion:
            guard let hip = p(.leftHip, .rightHip), let knee = p(.leftKnee, .rightKnee),
                  let top = s.point(.spineShoulder, minConfidence: minConfidence),
                  let pelvis = s.point(.pelvis, minConfidence: minConfidence),
                  let a = Geometry.angle(top - pelvis, knee - hip) else { return nil }
            return 180 - a
        case .hipAbduction:
            guard let hip = p(.leftHip, .rightHip), let knee = p(.leftKnee, .rightKnee),
                  let top = s.point(.spineShoulder, minConfidence: minConfidence),
                  let pelvis = s.point(.pelvis, minConfidence: minConfidence) else { return nil }
            var thigh = knee - hip
            let down = pelvis - top
            if s.is3D, let lh = s.point(.leftHip, minConfidence: minConfidence), let rh = s.point(.rightHip, minConfidence: minConfidence),
               let across = Geometry.unit(lh - rh), let trunk = Geometry.unit(down), let forward = Geometry.unit(Geometry.cross(across, trunk)) {
                thigh = Geometry.flatten(thigh, along: forward)
            }
            return Geometry.angle(down, thigh)
        case .elbowFlexion:
            guard let shoulder = p(.leftShoulder, .rightShoulder), let elbow = p(.leftElbow, .rightElbow), let wrist = p(.leftWrist, .rightWrist),
                  let a = Geometry.angle(shoulder - elbow, wrist - elbow) else { return nil }
            return 180 - a
        case .shoulderElevation:
            guard let shoulder = p(.leftShoulder, .rightShoulder), let elbow = p(.leftElbow, .rightElbow),
                  let top = s.point(.spineShoulder, minConfidence: minConfidence),
                  let pelvis = s.point(.pelvis, minConfidence: minConfidence) else { return nil }
            return Geometry.angle(pelvis - top, elbow - shoulder)
        case .shoulderRotation:
            guard let shoulder = p(.leftShoulder, .rightShoulder), let elbow = p(.leftElbow, .rightElbow), let wrist = p(.leftWrist, .rightWrist),
                  let top = s.point(.spineShoulder, minConfidence: minConfidence),
                  let pelvis = s.point(.pelvis, minConfidence: minConfidence),
                  let arm = Geometry.unit(elbow - shoulder) else { return nil }
            let forearm = Geometry.flatten(wrist - elbow, along: arm)
            // With the elbow nearly straight the forearm has no direction across the arm: the
            // turn cannot be seen (and noise would look like movement).
            guard Geometry.length(forearm) >= 0.4 * Geometry.length(wrist - elbow) else { return nil }
            // The reference turns with the arm: the trunk's up line, or when the arm hangs
            // along the trunk (up has nothing left across it), the body's forward line.
            var reference = Geometry.flatten(top - pelvis, along: arm)
            if Geometry.length(reference) < 0.35 * Geometry.length(top - pelvis),
               let ls = s.point(.leftShoulder, minConfidence: minConfidence), let rs = s.point(.rightShoulder, minConfidence: minConfidence) {
                reference = Geometry.flatten(Geometry.cross(ls - rs, top - pelvis), along: arm)
            }
            return Geometry.angle(reference, forearm)
        case .ankleAngle:
            guard let knee = p(.leftKnee, .rightKnee), let ankle = p(.leftAnkle, .rightAnkle), let toe = p(.leftFootIndex, .rightFootIndex) else { return nil }
            return Geometry.angle(knee - ankle, toe - ankle)
        case .trunkLean:
            guard let top = s.point(.spineShoulder, minConfidence: minConfidence),
                  let pelvis = s.point(.pelvis, minConfidence: minConfidence) else { return nil }
            return Geometry.angle(top - pelvis, up)
        case .trunkTilt:
            guard let top = s.point(.spineShoulder, minConfidence: minConfidence),
                  let pelvis = s.point(.pelvis, minConfidence: minConfidence),
                  let lh = s.point(.leftHip, minConfidence: minConfidence), let rh = s.point(.rightHip, minConfidence: minConfidence) else { return nil }
            var trunk = top - pelvis
            if s.is3D, let across = Geometry.unit(lh - rh), let forward = Geometry.unit(Geometry.cross(across, up)) {
                trunk = Geometry.flatten(trunk, along: forward)
            }
            guard let a = Geometry.angle(trunk, up) else { return nil }
            // Signed: positive towards the left.
            return Geometry.dot(trunk, lh - rh) >= 0 ? a : -a
        case .trunkRotation:
            guard let ls = s.point(.leftShoulder, minConfidence: minConfidence), let rs = s.point(.rightShoulder, minConfidence: minConfidence),
                  let lh = s.point(.leftHip, minConfidence: minConfidence), let rh = s.point(.rightHip, minConfidence: minConfidence) else { return nil }
            let shoulders = Geometry.flatten(ls - rs, along: up), hips = Geometry.flatten(lh - rh, along: up)
            if s.is3D {
                guard let a = Geometry.angle(shoulders, hips) else { return nil }
                return Geometry.dot(Geometry.cross(hips, shoulders), up) >= 0 ? a : -a
            }
            // Facing the camera, a turned trunk shows narrower shoulders against the hips.
            let ratio = Geometry.length(shoulders) / max(Geometry.length(hips) * 1.35, 1e-6)
            let c = max(-1, min(1, ratio))
            return Angle.atan2Degrees((1 - c * c).squareRoot(), c)
        }
    }
}

/// Where a pose's coordinates live.
public enum PoseSpace: String, Sendable {
    /// Pixels or normalised image coordinates: x right, y down, z (if any) a relative depth.
    case image
    /// Metres (or any length) in the world: 3-D.
    case world
}

/// A sequence of poses, stored flat: for frame f and joint j, the point is at
/// `points[(f * Joint.count + j) * 3 ...]` and its confidence at `confidence[f * Joint.count + j]`
/// (0: not seen). Frames where no person was found are simply absent: `times` has gaps.
public struct PoseSequence: Sendable {
    public var times: [Double] = []
    public var points: [Float] = []
    public var confidence: [Float] = []
    public var space: PoseSpace
    /// Whether the points have a meaningful z.
    public var is3D: Bool
    /// +y is up (Kinect, most world frames) or down (images, MediaPipe's world landmarks).
    public var yUp: Bool

    public init(space: PoseSpace, is3D: Bool, yUp: Bool) {
        self.space = space
        self.is3D = is3D
        self.yUp = yUp
    }

    public var count: Int { times.count }

    /// Appends an empty frame at `t` and returns its index; fill it with `set`.
    public mutating func appendFrame(at t: Double) -> Int {
        times.append(t)
        points.append(contentsOf: repeatElement(0, count: Joint.count * 3))
        confidence.append(contentsOf: repeatElement(0, count: Joint.count))
        return times.count - 1
    }

    public mutating func set(_ joint: Joint, frame: Int, x: Float, y: Float, z: Float, confidence c: Float) {
        let i = frame * Joint.count + joint.rawValue
        points[i * 3] = x
        points[i * 3 + 1] = y
        points[i * 3 + 2] = z
        confidence[i] = c
    }

    @inline(__always)
    public func confidence(_ joint: Joint, frame: Int) -> Float { confidence[frame * Joint.count + joint.rawValue] }

    /// The joint's point, with y turned to point up and z dropped for 2-D data; nil when the
    /// joint was not seen well enough (`minConfidence`). Pelvis, spine and neck are made from
    /// the hips and shoulders when the source lacks them.
    public func point(_ joint: Joint, frame: Int, minConfidence: Float = 0.3) -> Point3? {
        points.withUnsafeBufferPointer { p in
            confidence.withUnsafeBufferPointer { c in
                PoseView(points: p.baseAddress! + frame * Joint.count * 3, confidence: c.baseAddress! + frame * Joint.count, is3D: is3D, yUp: yUp)
                    .point(joint, minConfidence: minConfidence)
            }
        }
    }

    /// Decides which way is up in world data whose source does not say: the way that puts the
    /// shoulders above the ankles (or hips) in most frames. Lying exercises leave it unchanged.
    public mutating func inferUp() {
        var above = 0, below = 0
        for f in 0..<count {
            for (top, bottom) in [(Joint.leftShoulder, Joint.leftAnkle), (.rightShoulder, .rightAnkle), (.leftShoulder, .leftHip), (.rightShoulder, .rightHip)] {
                let it = f * Joint.count + top.rawValue, ib = f * Joint.count + bottom.rawValue
                guard confidence[it] > 0, confidence[ib] > 0 else { continue }
                let dy = points[it * 3 + 1] - points[ib * 3 + 1]
                let dx = abs(points[it * 3] - points[ib * 3]), dz = is3D ? abs(points[it * 3 + 2] - points[ib * 3 + 2]) : 0
                // Only frames where the body is mostly upright say anything.
                guard abs(dy) > max(dx, dz) else { continue }
                if dy > 0 { above += 1 } else { below += 1 }
                break
            }
        }
        if above + below > 0 { yUp = above >= below }
    }
}

/// One frame of a pose, without owning its storage: what the per-frame maths reads, with no
/// reference counting on the way.
public struct PoseView {
    public let points: UnsafePointer<Float>
    public let confidence: UnsafePointer<Float>
    public let is3D: Bool
    public let yUp: Bool

    public init(points: UnsafePointer<Float>, confidence: UnsafePointer<Float>, is3D: Bool, yUp: Bool) {
        self.points = points
        self.confidence = confidence
        self.is3D = is3D
        self.yUp = yUp
    }

    @inline(__always)
    func raw(_ j: Int) -> Point3 {
        // Turning y up is a half-turn about x (z turns too), so a right-handed frame stays
        // right-handed and cross products keep their meaning.
        Point3(points[j * 3], yUp ? points[j * 3 + 1] : -points[j * 3 + 1], is3D ? (yUp ? points[j * 3 + 2] : -points[j * 3 + 2]) : 0)
    }

    /// Like `PoseSequence.point`: y turned up, missing joints made from their neighbours.
    @inline(__always)
    public func point(_ joint: Joint, minConfidence: Float = 0.3) -> Point3? {
        let j = joint.rawValue
        if confidence[j] >= minConfidence { return raw(j) }
        switch joint {
        case .pelvis: return midpoint(.leftHip, .rightHip, minConfidence)
        case .spineShoulder, .neck: return midpoint(.leftShoulder, .rightShoulder, minConfidence)
        case .spineMid:
            guard let a = point(.pelvis, minConfidence: minConfidence), let b = point(.spineShoulder, minConfidence: minConfidence) else { return nil }
            return (a + b) * 0.5
        case .leftHand: return point(.leftWrist, minConfidence: minConfidence)
        case .rightHand: return point(.rightWrist, minConfidence: minConfidence)
        default: return nil
        }
    }

    @inline(__always)
    func midpoint(_ a: Joint, _ b: Joint, _ minConfidence: Float) -> Point3? {
        guard confidence[a.rawValue] >= minConfidence, confidence[b.rawValue] >= minConfidence else { return nil }
        return (raw(a.rawValue) + raw(b.rawValue)) * 0.5
    }
}

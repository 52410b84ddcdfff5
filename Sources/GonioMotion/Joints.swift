/// The joints Gonio measures, by their canonical snake_case names. Every pose source is mapped
/// onto these; a skeleton may have any subset, and points Gonio does not use (BlazePose's eyes'
/// corners, mouth and fingers) are read and dropped.
public enum Joint: Int, CaseIterable, Sendable {
    case nose, leftEye, rightEye, leftEar, rightEar, neck, head, spineShoulder, spineMid, pelvis
    case leftShoulder, rightShoulder, leftElbow, rightElbow, leftWrist, rightWrist, leftHand, rightHand
    case leftHip, rightHip, leftKnee, rightKnee, leftAnkle, rightAnkle, leftHeel, rightHeel, leftFootIndex, rightFootIndex

    public static let count = allCases.count

    public var name: String {
        switch self {
        case .nose: "nose"
        case .leftEye: "left_eye"
        case .rightEye: "right_eye"
        case .leftEar: "left_ear"
        case .rightEar: "right_ear"
        case .neck: "neck"
        case .head: "head"
        case .spineShoulder: "spine_shoulder"
        case .spineMid: "spine_mid"
        case .pelvis: "pelvis"
        case .leftShoulder: "left_shoulder"
        case .rightShoulder: "right_shoulder"
        case .leftElbow: "left_elbow"
        case .rightElbow: "right_elbow"
        case .leftWrist: "left_wrist"
        case .rightWrist: "right_wrist"
        case .leftHand: "left_hand"
        case .rightHand: "right_hand"
        case .leftHip: "left_hip"
        case .rightHip: "right_hip"
        case .leftKnee: "left_knee"
        case .rightKnee: "right_knee"
        case .leftAnkle: "left_ankle"
        case .rightAnkle: "right_ankle"
        case .leftHeel: "left_heel"
        case .rightHeel: "right_heel"
        case .leftFootIndex: "left_foot_index"
        case .rightFootIndex: "right_foot_index"
        }
    }

    /// The joint with a canonical name (also "spine_base" for the pelvis, as Kinect calls it).
    public init?(name: String) {
        if name == "spine_base" { self = .pelvis; return }
        guard let joint = Joint.allCases.first(where: { $0.name == name }) else { return nil }
        self = joint
    }
}

/// A body side, for exercises done with one limb.
public enum Side: String, Sendable, CaseIterable {
    case left, right

    public var other: Side { self == .left ? .right : .left }
}

/// How a pose source orders its points: each index maps to a canonical joint, or to nothing.
public struct Skeleton: Sendable {
    public let name: String
    /// For each input point, the canonical joint it is, or nil when Gonio does not use it.
    public let joints: [Joint?]
    /// Whether +y points up in this source's world coordinates (Kinect) or down (image
    /// coordinates, MediaPipe's world landmarks). Nil: unknown, found from the body.
    public let worldYUp: Bool?

    public init(name: String, joints: [Joint?], worldYUp: Bool?) {
        self.name = name
        self.joints = joints
        self.worldYUp = worldYUp
    }

    /// MediaPipe BlazePose, 33 landmarks (google.github.io/mediapipe pose landmarker model card).
    public static let blazePose33 = Skeleton(name: "blazepose33", joints: [
        .nose, nil, .leftEye, nil, nil, .rightEye, nil, .leftEar, .rightEar, nil, nil,
        .leftShoulder, .rightShoulder, .leftElbow, .rightElbow, .leftWrist, .rightWrist,
        nil, nil, .leftHand, .rightHand, nil, nil,  // pinky, index (taken as the hand), thumb
        .leftHip, .rightHip, .leftKnee, .rightKnee, .leftAnkle, .rightAnkle, .leftHeel, .rightHeel, .leftFootIndex, .rightFootIndex,
    ], worldYUp: false)

    /// COCO keypoints, 17 points.
    public static let coco17 = Skeleton(name: "coco17", joints: [
        .nose, .leftEye, .rightEye, .leftEar, .rightEar, .leftShoulder, .rightShoulder, .leftElbow, .rightElbow,
        .leftWrist, .rightWrist, .leftHip, .rightHip, .leftKnee, .rightKnee, .leftAnkle, .rightAnkle,
    ], worldYUp: nil)

    /// Microsoft Kinect v2, 25 joints (JointType enumeration), metres, y up.
    public static let kinect25 = Skeleton(name: "kinect25", joints: [
        .pelvis, .spineMid, .neck, .head, .leftShoulder, .leftElbow, .leftWrist, .leftHand,
        .rightShoulder, .rightElbow, .rightWrist, .rightHand, .leftHip, .leftKnee, .leftAnkle, .leftFootIndex,
        .rightHip, .rightKnee, .rightAnkle, .rightFootIndex, .spineShoulder, nil, nil, nil, nil,
    ], worldYUp: true)

    public static func named(_ names: [String]) -> Skeleton {
        Skeleton(name: "named", joints: names.map { Joint(name: $0) }, worldYUp: nil)
    }

    public static func builtIn(_ name: String) -> Skeleton? {
        switch name {
        case "blazepose33": blazePose33
        case "coco17": coco17
        case "kinect25": kinect25
        default: nil
        }
    }
}

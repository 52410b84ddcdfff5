import Foundation

/// The demonstration figure of a key pose, as points on a page: a stick figure whose joints
/// follow the pose's anatomical angles (`Resources/Exercises/README.md`). The server draws still
/// pictures from it (lists, handouts, print) and the player animates by moving each point from
/// one pose's position to the next, so the kinematics live here, once.
///
/// Coordinates are page units with y pointing down; the floor is y = 0 and the figure stands
/// above it (negative y), about 100 units tall when standing.
public struct PoseFigure: Equatable, Sendable {
    public enum Point: String, CaseIterable, Sendable, Codable, CodingKeyRepresentable {
        case head, neck, pelvis
        case shoulderL = "shoulder-l", shoulderR = "shoulder-r"
        case elbowL = "elbow-l", elbowR = "elbow-r"
        case handL = "hand-l", handR = "hand-r"
        case hipL = "hip-l", hipR = "hip-r"
        case kneeL = "knee-l", kneeR = "knee-r"
        case ankleL = "ankle-l", ankleR = "ankle-r"
        case toeL = "toe-l", toeR = "toe-r"
    }

    public struct XY: Equatable, Sendable, Codable {
        public var x: Double
        public var y: Double
        public init(_ x: Double, _ y: Double) {
            self.x = x
            self.y = y
        }
        static func + (a: XY, b: XY) -> XY { XY(a.x + b.x, a.y + b.y) }
        static func - (a: XY, b: XY) -> XY { XY(a.x - b.x, a.y - b.y) }
        static func * (a: XY, k: Double) -> XY { XY(a.x * k, a.y * k) }

        /// A unit step in direction `degrees` (0 = right, 90 = up on the page).
        static func step(_ degrees: Double, _ length: Double) -> XY {
            let r = degrees * .pi / 180
            return XY(cos(r) * length, -sin(r) * length)
        }
    }

    /// The lines drawn between points, far side first so the near limbs are drawn over them.
    public static let bones: [(Point, Point)] = [
        (.shoulderL, .elbowL), (.elbowL, .handL), (.hipL, .kneeL), (.kneeL, .ankleL), (.ankleL, .toeL),
        (.neck, .pelvis), (.shoulderL, .shoulderR), (.hipL, .hipR),
        (.shoulderR, .elbowR), (.elbowR, .handR), (.hipR, .kneeR), (.kneeR, .ankleR), (.ankleR, .toeR),
    ]

    /// Which limbs are on the far side (drawn lighter).
    public static let farSide: Set<Point> = [.shoulderL, .elbowL, .handL, .hipL, .kneeL, .ankleL, .toeL]

    public static let headRadius = 7.0
    static let lengths = (neck: 5.0, trunk: 32.0, upperArm: 16.0, forearm: 15.0, thigh: 24.0, shank: 23.0, foot: 8.0)
    /// Half the width of the shoulders and hips, in the front view.
    static let halfWidth = (shoulders: 9.0, hips: 5.5)
    /// The seat height of the chair a sitting figure sits on.
    public static let seatHeight = 26.0

    public var points: [Point: XY]
    public var view: KeyPose.View

    public subscript(_ p: Point) -> XY { points[p] ?? XY(0, 0) }

    /// The angles a base starts from; a pose's own angles replace them joint by joint.
    public static func defaults(_ base: KeyPose.Base) -> [KeyPose.Joint: Double] {
        switch base {
        case .standing, .supine, .sideLying: [:]
        case .prone: [.ankleLeft: -60, .ankleRight: -60]
        case .sitting: [.hipLeft: 90, .hipRight: 90, .kneeLeft: 90, .kneeRight: 90]
        case .longSitting: [.hipLeft: 90, .hipRight: 90]
        case .kneeling: [.kneeLeft: 90, .kneeRight: 90, .ankleLeft: -90, .ankleRight: -90]
        case .halfKneeling: [.hipLeft: 90, .kneeLeft: 90, .kneeRight: 90, .ankleRight: -90]
        case .quadruped: [.shoulderLeft: 90, .shoulderRight: 90, .hipLeft: 90, .hipRight: 90, .kneeLeft: 90, .kneeRight: 90,
                          .ankleLeft: -90, .ankleRight: -90]
        }
    }

    /// The direction the trunk points from pelvis to neck, and which way round the body faces
    /// (+1: its front is counter-clockwise of the trunk... the right-facing standing figure).
    static func frame(_ base: KeyPose.Base) -> (trunk: Double, chirality: Double) {
        switch base {
        case .standing, .sitting, .longSitting, .kneeling, .halfKneeling: (90, 1)
        case .supine, .sideLying: (180, 1)
        case .prone: (180, -1)
        case .quadruped: (0, 1)
        }
    }

    public init(_ pose: KeyPose) {
        var angles = Self.defaults(pose.base).merging(pose.angles) { _, given in given }
        // A hip the pose leaves alone keeps its thigh where the base puts it when the trunk
        // moves: bending forward on a chair leaves the thighs on the seat, curling up from lying
        // leaves the legs on the floor. A hip the pose gives is the joint's own angle.
        if let trunk = pose.angles[.trunk], pose.view == .side {
            for hip in [KeyPose.Joint.hipLeft, .hipRight] where pose.angles[hip] == nil {
                angles[hip] = (angles[hip] ?? 0) + trunk
            }
        }
        func a(_ j: KeyPose.Joint) -> Double { angles[j] ?? 0 }
        view = pose.view
        points = pose.view == .side ? Self.side(pose.base, a) : Self.front(pose.base, a)
        place(pose.base)
    }

    // MARK: Side view: the figure faces right (standing), its right limbs nearer the viewer.

    static func side(_ base: KeyPose.Base, _ a: (KeyPose.Joint) -> Double) -> [Point: XY] {
        let L = lengths
        let (baseTrunk, c) = frame(base)
        let trunk = baseTrunk - c * a(.trunk)
        let pelvis = XY(0, 0)
        let neck = pelvis + .step(trunk, L.trunk)
        var p: [Point: XY] = [.pelvis: pelvis, .neck: neck, .hipL: pelvis, .hipR: pelvis, .shoulderL: neck, .shoulderR: neck]
        p[.head] = neck + .step(trunk - c * a(.neck), L.neck + headRadius)
        for (side, shoulder, elbow, hip, knee, ankle) in [
            ("l", KeyPose.Joint.shoulderLeft, KeyPose.Joint.elbowLeft, KeyPose.Joint.hipLeft, KeyPose.Joint.kneeLeft, KeyPose.Joint.ankleLeft),
            ("r", .shoulderRight, .elbowRight, .hipRight, .kneeRight, .ankleRight),
        ] {
            let arm = trunk - 180 + c * a(shoulder)
            let forearm = arm + c * a(elbow)
            let thigh = trunk - 180 + c * a(hip)
            let shank = thigh - c * a(knee)
            let foot = shank + c * (90 + a(ankle))
            let elbowPoint = neck + .step(arm, L.upperArm)
            let kneePoint = pelvis + .step(thigh, L.thigh)
            let anklePoint = kneePoint + .step(shank, L.shank)
            p[side == "l" ? .elbowL : .elbowR] = elbowPoint
            p[side == "l" ? .handL : .handR] = elbowPoint + .step(forearm, L.forearm)
            p[side == "l" ? .kneeL : .kneeR] = kneePoint
            p[side == "l" ? .ankleL : .ankleR] = anklePoint
            p[side == "l" ? .toeL : .toeR] = anklePoint + .step(foot, L.foot)
        }
        return p
    }

    // MARK: Front view: the figure faces the viewer; its right side is on the viewer's left.

    static func front(_ base: KeyPose.Base, _ a: (KeyPose.Joint) -> Double) -> [Point: XY] {
        let L = lengths
        let W = halfWidth
        // Bending forward (or back) is seen end-on: the trunk looks shorter.
        let trunkLength = L.trunk * max(0.35, cos(a(.trunk) * .pi / 180))
        let pelvis = XY(0, 0)
        let neck = pelvis + .step(90, trunkLength)
        var p: [Point: XY] = [.pelvis: pelvis, .neck: neck]
        p[.head] = neck + .step(90, (L.neck + headRadius) * max(0.5, cos(a(.neck) * .pi / 180)))
        // A sitting figure's thighs point at the viewer.
        let sittingThigh = [.sitting, .longSitting, .quadruped].contains(base)
        for (s, shoulder, elbow, hip, knee) in [
            (-1.0, KeyPose.Joint.shoulderRight, KeyPose.Joint.elbowRight, KeyPose.Joint.hipRight, KeyPose.Joint.kneeRight),
            (1.0, .shoulderLeft, .elbowLeft, .hipLeft, .kneeLeft),
        ] {
            let right = s < 0
            let shoulderPoint = neck + XY(s * W.shoulders, 2)
            let hipPoint = pelvis + XY(s * W.hips, 0)
            // Abduction swings the limb out to its own side and up.
            let arm = -90 + s * a(shoulder)
            let forearm = arm - s * a(elbow) * 0.8
            let thigh = -90 + s * a(hip)
            let bend = a(knee) * .pi / 180
            let thighLength = sittingThigh ? L.thigh * 0.3 : L.thigh * max(0.45, cos(bend / 2))
            let shankLength = L.shank * (sittingThigh ? 1 : max(0.45, cos(bend / 2)))
            let elbowPoint = shoulderPoint + .step(arm, L.upperArm)
            let kneePoint = hipPoint + .step(thigh, thighLength)
            let anklePoint = kneePoint + .step(sittingThigh ? -90 : thigh, shankLength)
            p[right ? .shoulderR : .shoulderL] = shoulderPoint
            p[right ? .elbowR : .elbowL] = elbowPoint
            p[right ? .handR : .handL] = elbowPoint + .step(forearm, L.forearm)
            p[right ? .hipR : .hipL] = hipPoint
            p[right ? .kneeR : .kneeL] = kneePoint
            p[right ? .ankleR : .ankleL] = anklePoint
            p[right ? .toeR : .toeL] = anklePoint + XY(s * L.foot * 0.6, 0)
        }
        // Lying figures seen from the front are turned to lie along the floor, head to the left.
        if [.supine, .prone, .sideLying].contains(base) {
            for (k, v) in p { p[k] = XY(-v.y, -v.x) }
        }
        return p
    }

    /// Puts the figure on the floor: a sitting figure's pelvis on the seat, every other figure's
    /// lowest point on the floor. Standing, sitting and kneeling figures keep their feet (or
    /// knees) where they are between poses; lying ones keep the pelvis.
    mutating func place(_ base: KeyPose.Base) {
        var lowest = points.values.map(\.y).max() ?? 0
        if let head = points[.head] { lowest = max(lowest, head.y + Self.headRadius) }
        // Seated, the pelvis stays on the seat unless that would put a foot through the floor.
        let dy = base == .sitting && view == .side ? -max(Self.seatHeight, lowest) : -lowest
        var dx = 0.0
        if view == .side {
            switch base {
            case .standing, .sitting, .halfKneeling: dx = -(self[.ankleR].x + self[.ankleL].x) / 2 + 10
            case .kneeling: dx = -(self[.kneeR].x + self[.kneeL].x) / 2
            case .longSitting, .supine, .prone, .sideLying, .quadruped: dx = 0
            }
        }
        for (k, v) in points { points[k] = XY(v.x + dx, v.y + dy) }
    }

    /// The smallest box holding every point and the head.
    public var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        var b = (minX: Double.infinity, minY: Double.infinity, maxX: -Double.infinity, maxY: -Double.infinity)
        for v in points.values {
            b = (min(b.minX, v.x), min(b.minY, v.y), max(b.maxX, v.x), max(b.maxY, v.y))
        }
        let h = self[.head]
        return (min(b.minX, h.x - Self.headRadius), min(b.minY, h.y - Self.headRadius), max(b.maxX, h.x + Self.headRadius),
                max(b.maxY, h.y + Self.headRadius, 0))
    }
}

import Testing
@testable import GonioMotion

@Suite struct JointAngleTests {
    @Test func rightAngle() {
        let a = Point3(x: 1, y: 0, z: 0), b = Point3(x: 0, y: 0, z: 0), c = Point3(x: 0, y: 1, z: 0)
        #expect(abs(JointAngle.degrees(a, vertex: b, c)! - 90) < 1e-4)
    }

    @Test func straightAndFolded() {
        let b = Point3(x: 0, y: 0, z: 0)
        #expect(abs(JointAngle.degrees(Point3(x: -1, y: 0, z: 0), vertex: b, Point3(x: 2, y: 0, z: 0))! - 180) < 1e-3)
        #expect(abs(JointAngle.degrees(Point3(x: 1, y: 0, z: 0), vertex: b, Point3(x: 3, y: 0, z: 0))!) < 1e-3)
    }

    @Test func degenerateSegmentHasNoAngle() {
        let p = Point3(x: 1, y: 1, z: 1)
        #expect(JointAngle.degrees(p, vertex: p, Point3(x: 0, y: 0, z: 0)) == nil)
    }
}

@Suite struct ArcTangentTests {
    @Test(arguments: [(0.0, 0.0), (1.0, 45.0), (0.5, 26.565051177077986), (3.0, 71.56505117707799), (1e6, 89.99994270422049)])
    func matchesKnownValues(t: Double, degrees: Double) {
        #expect(abs(JointAngle.atan(t) * 180 / Double.pi - degrees) < 1e-9)
    }

    @Test func acosAtKnownPoints() {
        #expect(abs(JointAngle.acosDegrees(0.5) - 60) < 1e-4)
        #expect(abs(JointAngle.acosDegrees(-0.5) - 120) < 1e-4)
        #expect(JointAngle.acosDegrees(-1) == 180)
        #expect(JointAngle.acosDegrees(1) == 0)
    }
}

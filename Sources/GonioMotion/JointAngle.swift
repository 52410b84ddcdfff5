/// A point in 3-D space, in whatever unit the pose source uses.
public typealias Point3 = SIMD3<Float>

/// Angles between body segments. Standard library only: this runs per frame.
public enum JointAngle {
    /// The angle at `vertex` between the segments to `a` and to `c`, in degrees (0...180),
    /// or nil when a segment has no length (the joint cannot be measured).
    @inlinable
    public static func degrees(_ a: Point3, vertex: Point3, _ c: Point3) -> Float? {
        let u = a - vertex, v = c - vertex
        let uu = (u * u).sum(), vv = (v * v).sum()
        guard uu > .ulpOfOne, vv > .ulpOfOne else { return nil }
        let cosine = max(-1, min(1, (u * v).sum() / (uu * vv).squareRoot()))
        return acosDegrees(cosine)
    }

    /// arccos in degrees without Foundation: acos(x) = 2·atan(√((1−x)/(1+x))).
    @usableFromInline
    static func acosDegrees(_ x: Float) -> Float {
        let d = Double(x)
        if d <= -1 { return 180 }
        return Float(2 * atan(((1 - d) / (1 + d)).squareRoot()) * 180 / Double.pi)
    }

    /// atan for t ≥ 0: reflect to [0, 1], halve the angle twice (tan θ/2 = t / (1 + √(1+t²)))
    /// so the Taylor series converges fast (|t| ≤ 0.2, error < 1e-16 after 12 terms).
    @usableFromInline
    static func atan(_ t: Double) -> Double {
        if t > 1 { return Double.pi / 2 - atan(1 / t) }
        var x = t
        for _ in 0..<2 { x = x / (1 + (1 + x * x).squareRoot()) }
        var sum = 0.0, power = x
        let x2 = x * x
        for n in 0..<12 {
            sum += (n % 2 == 0 ? power : -power) / Double(2 * n + 1)
            power *= x2
        }
        return 4 * sum
    }
}

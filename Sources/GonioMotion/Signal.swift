/// Cleaning a measured angle over time: short dropouts filled, jitter filtered.
public enum Signal {
    /// Fills runs of missing values (NaN) no longer than `maxGap` seconds by joining their
    /// neighbours with a straight line; longer gaps stay missing.
    public static func fillGaps(_ values: inout [Float], times: [Double], maxGap: Double = 0.35) {
        var last = -1
        for i in values.indices where !values[i].isNaN {
            if last >= 0, i - last > 1, times[i] - times[last] <= maxGap {
                let a = values[last], b = values[i], t0 = times[last], span = times[i] - times[last]
                for k in (last + 1)..<i { values[k] = a + (b - a) * Float((times[k] - t0) / span) }
            }
            last = i
        }
    }

    /// Replaces each value by the median of itself and its neighbours: a single frame where the
    /// tracker jumped (a joint swapped or lost for a frame) disappears, a real movement does not.
    public static func removeSpikes(_ values: inout [Float]) {
        guard values.count >= 3 else { return }
        var previous = values[0]
        for i in 1..<(values.count - 1) {
            let a = previous, b = values[i], c = values[i + 1]
            previous = b
            guard !a.isNaN, !b.isNaN, !c.isNaN else { continue }
            values[i] = max(min(a, b), min(max(a, b), c))
        }
    }

    /// The value at fraction `q` (0...1) of the sorted finite values, or nil when there are none.
    public static func percentile(_ values: [Float], _ q: Double) -> Float? {
        let finite = values.filter { !$0.isNaN }.sorted()
        guard !finite.isEmpty else { return nil }
        let position = q * Double(finite.count - 1)
        let lower = Int(position), upper = min(lower + 1, finite.count - 1)
        let w = Float(position - Double(lower))
        return finite[lower] * (1 - w) + finite[upper] * w
    }
}

/// The One Euro filter (Casiez, Roussel & Vogel, CHI 2012): a low-pass filter whose cut-off
/// rises with speed, so a still joint stops trembling and a moving one does not lag.
public struct OneEuroFilter: Sendable {
    public var minCutoff: Float
    public var beta: Float
    public var derivativeCutoff: Float
    private var last: Float?
    private var lastDerivative: Float = 0
    private var lastTime: Double = 0

    public init(minCutoff: Float = 1.2, beta: Float = 0.02, derivativeCutoff: Float = 1) {
        self.minCutoff = minCutoff
        self.beta = beta
        self.derivativeCutoff = derivativeCutoff
    }

    @inline(__always)
    static func alpha(cutoff: Float, dt: Float) -> Float {
        let tau = 1 / (2 * Float.pi * cutoff)
        return 1 / (1 + tau / dt)
    }

    /// Filters one sample taken at `t` seconds. A gap longer than half a second starts afresh.
    @inline(__always)
    public mutating func filter(_ x: Float, at t: Double) -> Float {
        guard let previous = last, t - lastTime > 1e-4, t - lastTime < 0.5, x.isFinite, previous.isFinite else {
            last = x
            lastDerivative = 0
            lastTime = t
            return x
        }
        let dt = Float(t - lastTime)
        let derivative = (x - previous) / dt
        let ad = Self.alpha(cutoff: derivativeCutoff, dt: dt)
        lastDerivative = lastDerivative + ad * (derivative - lastDerivative)
        let cutoff = minCutoff + beta * abs(lastDerivative)
        let a = Self.alpha(cutoff: cutoff, dt: dt)
        let y = previous + a * (x - previous)
        last = y
        lastTime = t
        return y
    }

    public mutating func reset() { last = nil }

    /// Filters a whole series in place (missing values stay missing and restart the filter).
    public static func smooth(_ values: inout [Float], times: [Double], minCutoff: Float = 1.2, beta: Float = 0.02) {
        var f = OneEuroFilter(minCutoff: minCutoff, beta: beta)
        for i in values.indices {
            if values[i].isNaN { f.reset(); continue }
            values[i] = f.filter(values[i], at: times[i])
        }
    }
}

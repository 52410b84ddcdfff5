/// Finds repetitions in one angle over time.
///
/// A repetition is an excursion away from rest and back. The counter learns the person's own
/// rest level and usual excursion from the recording (robust percentiles), then walks the
/// signal with hysteresis: an excursion starts when the angle rises 30% of the usual
/// excursion above the lowest point since the last repetition, and ends only when it has come
/// back down by 60% of the height it reached. A wobble near any threshold therefore cannot
/// start a second repetition: it would have to fall most of the way back first.
///
/// Each excursion is then judged: a full repetition reaches at least 55% of the usual
/// excursion and the spec's minimum range, and lasts the spec's minimum time; a partial one
/// reaches 35% of it (reported, not counted); anything smaller is noise.
public struct RepCounter: Sendable {
    public struct Excursion: Equatable, Sendable {
        public var start: Int
        public var peak: Int
        public var end: Int
        /// Range reached, in the counter's orientation (always positive).
        public var range: Float
        public var counted: Bool

        /// The smallest and largest of `values` from start to end (magnitudes for signed
        /// measures), or nil when none was measured.
        public func extremes(of values: [Float], magnitude: Bool = false) -> (low: Float, high: Float)? {
            var lo = Float.infinity, hi = -Float.infinity
            for i in start...end where !values[i].isNaN {
                let v = magnitude ? abs(values[i]) : values[i]
                lo = min(lo, v)
                hi = max(hi, v)
            }
            return lo <= hi ? (lo, hi) : nil
        }
    }

    public var minRange: Float
    public var minDuration: Double
    public var maxDuration: Double

    public init(minRange: Float, minDuration: Double = 0.5, maxDuration: Double = 30) {
        self.minRange = minRange
        self.minDuration = minDuration
        self.maxDuration = maxDuration
    }

    /// The usual rest level and excursion of `values` (oriented so that moving raises them).
    public static func levels(_ values: [Float]) -> (rest: Float, excursion: Float)? {
        guard let low = Signal.percentile(values, 0.08), let high = Signal.percentile(values, 0.95) else { return nil }
        return (low, high - low)
    }

    /// The excursions in `values` (NaN: missing; oriented so that moving raises the value).
    public func excursions(_ values: [Float], times: [Double]) -> [Excursion] {
        excursions(values, times: times, usual: Self.levels(values)?.excursion ?? 0)
    }

    /// The same, with the usual excursion already known (`levels`).
    public func excursions(_ values: [Float], times: [Double], usual: Float) -> [Excursion] {
        guard usual > 0 else { return [] }
        let scale = max(usual, minRange)
        let startRise = 0.3 * scale
        var found: [Excursion] = []
        var valley = Float.infinity, valleyIndex = -1
        var active = false
        var settling = false
        var exitIndex = 0
        var startIndex = 0, peak = -Float.infinity, peakIndex = 0, base: Float = 0
        for i in values.indices {
            let v = values[i]
            if v.isNaN { continue }
            if !active {
                if v < valley { valley = v; valleyIndex = i }
                if valleyIndex >= 0, v - valley >= startRise {
                    active = true
                    base = valley
                    // The movement began where the angle last sat near the valley.
                    startIndex = valleyIndex
                    var k = i
                    while k > valleyIndex {
                        if !values[k].isNaN, values[k] - valley <= 0.08 * scale { startIndex = k; break }
                        k -= 1
                    }
                    peak = v
                    peakIndex = i
                }
            } else {
                if v > peak { peak = v; peakIndex = i }
                if v <= base + 0.4 * (peak - base) {
                    // Back down: the repetition ends where the angle settles (the next valley).
                    active = false
                    found.append(Excursion(start: startIndex, peak: peakIndex, end: i, range: peak - base, counted: false))
                    valley = v
                    valleyIndex = i
                    settling = true
                    exitIndex = i
                }
            }
            // The last repetition ends where the angle stops falling back: follow it down to
            // its first low point, and no further (a later dip of resting jitter is not it).
            if settling, !active, var last = found.last, last.end < i {
                if times[i] - times[exitIndex] > 0.75 {
                    settling = false
                } else if v <= values[last.end] {
                    last.end = i
                    found[found.count - 1] = last
                } else if v > values[last.end] + 0.05 * scale {
                    settling = false
                }
            }
        }
        if active {
            // The recording ended mid-movement: a repetition only if it came most of the way back.
            let lastValid = values.lastIndex { !$0.isNaN } ?? peakIndex
            if lastValid > peakIndex, values[lastValid] <= base + 0.5 * (peak - base) {
                found.append(Excursion(start: startIndex, peak: peakIndex, end: lastValid, range: peak - base, counted: false))
            }
        }
        let fullRange = max(0.55 * usual, minRange)
        let partialRange = max(0.35 * usual, 0.5 * minRange)
        return found.compactMap { e in
            let duration = times[e.end] - times[e.start]
            guard e.range >= partialRange, duration >= minDuration * 0.5 else { return nil }
            var e = e
            e.counted = e.range >= fullRange && duration >= minDuration && duration <= maxDuration
            return e
        }
    }
}

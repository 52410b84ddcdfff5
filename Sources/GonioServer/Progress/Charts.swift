import GonioCore

/// Charts as inline SVG, drawn here (no scripts): lines over days and weekly bars, each with a
/// title and description for screen readers; every page shows the same numbers as a table too.
/// They scale to the width they are given (a phone's or a desk's).
enum Chart {
    struct Series {
        var name: String
        /// A CSS class for its colour and dashes (`series-1`...).
        var style: String
        var points: [(day: CalendarDay, value: Double)]
    }

    static let width = 640.0, height = 240.0
    static let left = 44.0, right = 12.0, top = 14.0, bottom = 34.0

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    /// Lines over the days `from`...`to`, on a vertical scale `yMin`...`yMax` with `ticks`;
    /// `band` shades a range (a goal, a meaningful change) with its label.
    static func lines(id: String, title: String, description: String, from: CalendarDay, to: CalendarDay, yMin: Double, yMax: Double,
                      ticks: [Double], series: [Series], band: (low: Double, high: Double, label: String)? = nil) -> String {
        let span = Double(max(1, from.days(to: to)))
        let plotW = width - left - right, plotH = height - top - bottom
        func x(_ d: CalendarDay) -> Double { left + plotW * Double(from.days(to: d)) / span }
        func y(_ v: Double) -> Double { top + plotH * (1 - (min(max(v, yMin), yMax) - yMin) / max(1e-9, yMax - yMin)) }
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\" preserveAspectRatio=\"xMidYMid meet\">"
        svg += "<title id=\"\(id)-t\">\(escape(title))</title><desc id=\"\(id)-d\">\(escape(description))</desc>"
        if let band {
            let y1 = y(band.high), y2 = y(band.low)
            svg += "<rect class=\"chart-band\" x=\"\(f(left))\" y=\"\(f(y1))\" width=\"\(f(plotW))\" height=\"\(f(max(0, y2 - y1)))\"/>"
            svg += "<text class=\"chart-band-label\" x=\"\(f(left + 4))\" y=\"\(f(y1 + 12))\">\(escape(band.label))</text>"
        }
        for t in ticks {
            svg += "<line class=\"chart-grid\" x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(t)))\" y2=\"\(f(y(t)))\"/>"
            svg += "<text class=\"chart-tick\" x=\"\(f(left - 6))\" y=\"\(f(y(t) + 4))\" text-anchor=\"end\">\(Progression.n(t))</text>"
        }
        // Dates under the axis: the first, the last, and about two between.
        let marks = Set([0, Int(span / 3), Int(2 * span / 3), Int(span)]).sorted()
        for m in marks {
            let d = from.adding(days: m)
            let anchor = m == 0 ? "start" : m == Int(span) ? "end" : "middle"
            svg += "<text class=\"chart-tick\" x=\"\(f(x(d)))\" y=\"\(f(height - 12))\" text-anchor=\"\(anchor)\">\(d.day) \(Self.month(d.month))</text>"
        }
        for s in series where !s.points.isEmpty {
            let path = s.points.sorted { $0.day < $1.day }.map { "\(f(x($0.day))),\(f(y($0.value)))" }.joined(separator: " ")
            if s.points.count > 1 { svg += "<polyline class=\"chart-line \(s.style)\" points=\"\(path)\"/>" }
            for p in s.points {
                svg += "<circle class=\"chart-dot \(s.style)\" cx=\"\(f(x(p.day)))\" cy=\"\(f(y(p.value)))\" r=\"4\"><title>\(escape(s.name)), \(p.day.longName): \(Progression.n(p.value))</title></circle>"
            }
        }
        return svg + "</svg>"
    }

    /// Bars for weeks: done against due (0 to 100%).
    static func weeks(id: String, title: String, description: String, weeks: [PracticeService.Week]) -> String {
        let plotW = width - left - right, plotH = height - top - bottom
        let n = max(1, weeks.count)
        let slot = plotW / Double(n)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\">"
        svg += "<title id=\"\(id)-t\">\(escape(title))</title><desc id=\"\(id)-d\">\(escape(description))</desc>"
        for t in [0.0, 50, 100] {
            let yy = top + plotH * (1 - t / 100)
            svg += "<line class=\"chart-grid\" x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(yy))\" y2=\"\(f(yy))\"/>"
            svg += "<text class=\"chart-tick\" x=\"\(f(left - 6))\" y=\"\(f(yy + 4))\" text-anchor=\"end\">\(Int(t))%</text>"
        }
        for (i, w) in weeks.enumerated() {
            let rate = w.rate ?? 0
            let h = plotH * min(1, rate)
            let x0 = left + slot * Double(i) + slot * 0.15
            svg += "<rect class=\"chart-bar\(w.rate == nil ? " empty" : "")\" x=\"\(f(x0))\" y=\"\(f(top + plotH - h))\" width=\"\(f(slot * 0.7))\" height=\"\(f(h))\">"
            svg += "<title>Week of \(w.start.longName): \(w.sessionsDone) of \(w.sessions) sessions</title></rect>"
            svg += "<text class=\"chart-tick\" x=\"\(f(x0 + slot * 0.35))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(w.start.day) \(Self.month(w.start.month))</text>"
        }
        return svg + "</svg>"
    }

    /// The days a chart covers: from a little before its first point (at least `minimum`
    /// days), to `to`.
    static func start(of days: [CalendarDay], to: CalendarDay, minimum: Int = 14) -> CalendarDay {
        let first = days.min() ?? to
        return min(first.adding(days: -1), to.adding(days: -minimum))
    }

    static func month(_ m: Int) -> String { ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][max(0, min(11, m - 1))] }
}

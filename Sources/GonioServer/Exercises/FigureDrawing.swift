import Foundation
import GonioCore

/// An exercise's demonstration as drawing data: each key pose's figure (from `PoseFigure`),
/// the props around it, and one frame that holds them all. The server draws still pictures from
/// it as SVG (lists, the handout, pages without scripts); the demonstration script animates the
/// same points from pose to pose.
struct FigureDrawing: Encodable, Sendable {
    struct Pose: Encodable, Sendable {
        var label: String
        var points: [String: [Double]]
    }

    /// A fixed shape: `rect` (x, y, w, h), `line` (x1, y1, x2, y2).
    struct Shape: Encodable, Sendable {
        var kind: String
        var at: [Double]
    }

    var viewBox: [Double]
    var poses: [Pose]
    var props: [Shape]
    /// Things held in the hands, drawn where the hands are: `ball`, `weights`, `stick`, `towel`, `band`.
    var held: [String]
    /// Where a band is tied.
    var anchor: [Double]?

    init?(_ exercise: Exercise) {
        guard !exercise.keyPoses.isEmpty else { return nil }
        let figures = exercise.keyPoses.map(PoseFigure.init)
        poses = zip(exercise.keyPoses, figures).map { pose, figure in
            Pose(label: pose.label, points: Dictionary(uniqueKeysWithValues: figure.points.map {
                ($0.key.rawValue, [Self.round($0.value.x), Self.round($0.value.y)])
            }))
        }
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = 0.0
        for f in figures {
            let b = f.bounds
            (minX, minY, maxX, maxY) = (min(minX, b.minX), min(minY, b.minY), max(maxX, b.maxX), max(maxY, b.maxY))
        }
        var props: [Shape] = []
        let first = figures[0]
        for prop in exercise.props {
            switch prop {
            case .chair:
                let sitting = zip(exercise.keyPoses, figures).first { $0.0.base == .sitting && $0.0.view == .side }?.1
                let seatY = -PoseFigure.seatHeight
                if let s = sitting {
                    let back = s[.pelvis].x - 9
                    props += [Shape(kind: "rect", at: [back, seatY, 22, 3]), Shape(kind: "line", at: [back, seatY, back, seatY - 30]),
                              Shape(kind: "line", at: [back + 1, seatY, back + 1, 0]), Shape(kind: "line", at: [back + 21, seatY, back + 21, 0])]
                } else {
                    // A chair in front to hold on to.
                    let x = maxX + 4
                    props += [Shape(kind: "line", at: [x, -58, x, 0]), Shape(kind: "rect", at: [x, seatY, 20, 3]),
                              Shape(kind: "line", at: [x + 19, seatY, x + 19, 0])]
                    maxX = x + 22
                }
            case .wall:
                let x = maxX + 3
                props.append(Shape(kind: "rect", at: [x, -110, 4, 110]))
                maxX = x + 5
            case .step:
                let x = first[.ankleR].x - 6
                props.append(Shape(kind: "rect", at: [x, -9, 30, 9]))
                maxX = max(maxX, x + 30)
            case .mat:
                props.append(Shape(kind: "rect", at: [minX - 4, -2, maxX - minX + 8, 2]))
            case .table:
                let x = maxX + 4
                props += [Shape(kind: "rect", at: [x, -62, 24, 4]), Shape(kind: "line", at: [x + 20, -58, x + 20, 0])]
                maxX = x + 25
            case .rail:
                props += [Shape(kind: "line", at: [minX - 4, -58, maxX + 4, -58]), Shape(kind: "line", at: [maxX + 4, -58, maxX + 4, 0])]
                maxX += 5
            case .band, .ball, .weights, .towel, .stick:
                break
            }
        }
        held = exercise.props.filter { [.band, .ball, .weights, .towel, .stick].contains($0) }.map(\.rawValue)
        if held.contains("band") {
            anchor = [Self.round(maxX + 6), -8]
            maxX += 8
        }
        self.props = props.map { Shape(kind: $0.kind, at: $0.at.map(Self.round)) }
        let pad = 6.0
        viewBox = [minX - pad, minY - pad, maxX - minX + 2 * pad, maxY - minY + 2 * pad + 2].map(Self.round)
    }

    static func round(_ v: Double) -> Double { (v * 10).rounded() / 10 }

    /// The still picture of pose `index`, as SVG markup (numbers only, nothing escaped).
    func svg(pose index: Int, title: String) -> String {
        let pose = poses[min(max(index, 0), poses.count - 1)]
        func p(_ name: PoseFigure.Point) -> [Double] { pose.points[name.rawValue] ?? [0, 0] }
        func n(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"figure\" viewBox=\"\(viewBox.map(n).joined(separator: " "))\" role=\"img\" aria-label=\"\(Self.escape(title)): \(Self.escape(pose.label))\">"
        out += "<line class=\"floor\" x1=\"\(n(viewBox[0]))\" y1=\"0\" x2=\"\(n(viewBox[0] + viewBox[2]))\" y2=\"0\"/>"
        for shape in props {
            let a = shape.at.map(n)
            out += shape.kind == "rect"
                ? "<rect class=\"prop\" x=\"\(a[0])\" y=\"\(a[1])\" width=\"\(a[2])\" height=\"\(a[3])\"/>"
                : "<line class=\"prop\" x1=\"\(a[0])\" y1=\"\(a[1])\" x2=\"\(a[2])\" y2=\"\(a[3])\"/>"
        }
        for (a, b) in PoseFigure.bones {
            let from = p(a), to = p(b)
            let far = PoseFigure.farSide.contains(a) || PoseFigure.farSide.contains(b)
            out += "<line class=\"\(far ? "limb far" : "limb")\" x1=\"\(n(from[0]))\" y1=\"\(n(from[1]))\" x2=\"\(n(to[0]))\" y2=\"\(n(to[1]))\"/>"
        }
        let head = p(.head)
        out += "<circle class=\"head\" cx=\"\(n(head[0]))\" cy=\"\(n(head[1]))\" r=\"\(n(PoseFigure.headRadius))\"/>"
        let l = p(.handL), r = p(.handR)
        for item in held {
            switch item {
            case "ball": out += "<circle class=\"held\" cx=\"\(n((l[0] + r[0]) / 2))\" cy=\"\(n((l[1] + r[1]) / 2))\" r=\"5\"/>"
            case "weights": out += [l, r].map { "<rect class=\"held\" x=\"\(n($0[0] - 3))\" y=\"\(n($0[1] - 2))\" width=\"6\" height=\"4\"/>" }.joined()
            case "stick", "towel": out += "<line class=\"held\" x1=\"\(n(l[0]))\" y1=\"\(n(l[1]))\" x2=\"\(n(r[0]))\" y2=\"\(n(r[1]))\"/>"
            case "band": if let anchor { out += "<line class=\"band\" x1=\"\(n(anchor[0]))\" y1=\"\(n(anchor[1]))\" x2=\"\(n(r[0]))\" y2=\"\(n(r[1]))\"/>" }
            default: break
            }
        }
        return out + "</svg>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The drawing as JSON for the demonstration script, safe inside a `<script>` element.
    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return text.replacingOccurrences(of: "<", with: "\\u003c")
    }
}

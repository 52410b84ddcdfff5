/// Reading pose recordings: Gonio's JSON format (`gonio-pose/1`, see README "Motion files")
/// and CSV with `<joint>_x,<joint>_y[,<joint>_z]` columns and an optional `t`.
public enum PoseFile {
    public static let format = "gonio-pose/1"

    /// Reads JSON (a text starting with `{`) or CSV. `fps` times frames that carry no `t`.
    public static func read(_ text: String, fps: Double? = nil) throws(MotionError) -> PoseSequence {
        if let fps, !(fps.isFinite && fps > 0 && fps <= 1000) {
            throw .invalidFile("The frame rate is a number of frames per second, above 0 and at most 1000.")
        }
        let (text, isJSON) = try prepare(text)
        return isJSON ? try json(text, fps: fps) : try csv(text, fps: fps)
    }

    /// A recording's text without a byte-order mark (spreadsheets write one), and whether it is
    /// JSON (starts with `{`) rather than CSV; an empty file is refused.
    static func prepare(_ text: String) throws(MotionError) -> (text: String, isJSON: Bool) {
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        guard let first = text.utf8.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw .invalidFile("The file is empty.")
        }
        return (text, first == UInt8(ascii: "{"))
    }

    /// The non-empty lines of a CSV text, whatever its line endings.
    static func lines(_ text: String) -> IndexingIterator<[Substring]> {
        text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }.makeIterator()
    }

    // MARK: JSON

    public static func json(_ text: String, fps fallbackFPS: Double? = nil) throws(MotionError) -> PoseSequence {
        let doc = try JSONValue.parse(text)
        guard case .object = doc else { throw .invalidFile("A pose file is a JSON object.") }
        guard let format = doc["format"]?.string else { throw .invalidFile("Missing \"format\": expected \"\(Self.format)\".") }
        guard format == Self.format else { throw .invalidFile("Unsupported format \"\(format)\": this version reads \"\(Self.format)\".") }
        guard let skeletonName = doc["skeleton"]?.string else {
            throw .invalidFile("Missing \"skeleton\": blazepose33, coco17, kinect25 or named.")
        }
        let skeleton: Skeleton
        if skeletonName == "named" {
            guard let names = doc["joints"]?.array, !names.isEmpty else { throw .invalidFile("A \"named\" skeleton lists its \"joints\".") }
            var strings: [String] = []
            for name in names {
                guard let s = name.string else { throw .invalidFile("\"joints\" holds names (strings).") }
                strings.append(s)
            }
            skeleton = .named(strings)
        } else if let builtIn = Skeleton.builtIn(skeletonName) {
            skeleton = builtIn
        } else {
            throw .invalidFile("Unknown skeleton \"\(skeletonName)\": blazepose33, coco17, kinect25 or named.")
        }
        let spaceName = doc["space"]?.string ?? "image"
        guard let space = PoseSpace(rawValue: spaceName) else { throw .invalidFile("\"space\" is \"image\" or \"world\", not \"\(spaceName)\".") }
        var fps = fallbackFPS
        if let given = doc["fps"] {
            guard let n = given.number, n > 0, n <= 1000 else { throw .invalidFile("\"fps\" is a number of frames per second (0 to 1000).") }
            fps = n
        }
        guard let frames = doc["frames"]?.array else { throw .invalidFile("Missing \"frames\" (an array, possibly empty).") }
        var sequence = PoseSequence(space: space, is3D: space == .world, yUp: space == .world ? (skeleton.worldYUp ?? true) : false)
        var sawZ = false
        for (index, frame) in frames.enumerated() {
            let t: Double
            if let given = frame["t"] {
                guard let n = given.number else { throw .invalidFile("Frame \(index): \"t\" is a number of seconds.") }
                t = n
            } else if let fps {
                t = Double(index) / fps
            } else {
                throw .invalidFile("Frame \(index) has no \"t\"; give each frame a time or the file an \"fps\".")
            }
            if let last = sequence.times.last, t <= last {
                throw .invalidFile("Frame \(index): times must increase (\(t) after \(last)).")
            }
            guard let points = frame["p"]?.array else { throw .invalidFile("Frame \(index) has no \"p\" (its points).") }
            guard points.count == skeleton.joints.count else {
                throw .invalidFile("Frame \(index) has \(points.count) points; the \(skeleton.name) skeleton has \(skeleton.joints.count).")
            }
            let f = sequence.appendFrame(at: t)
            for (k, point) in points.enumerated() {
                guard let joint = skeleton.joints[k] else { continue }
                if point == .null { continue }
                guard let values = point.array, (2...4).contains(values.count) else {
                    throw .invalidFile("Frame \(index), point \(k): give [x, y], [x, y, z] or [x, y, z, confidence].")
                }
                var numbers: [Float] = []
                for v in values {
                    guard let n = v.number else { throw .invalidFile("Frame \(index), point \(k): coordinates are numbers.") }
                    numbers.append(Float(n))
                }
                if numbers.count >= 3 { sawZ = true }
                let c: Float = numbers.count == 4 ? max(0, min(1, numbers[3])) : 1
                sequence.set(joint, frame: f, x: numbers[0], y: numbers[1], z: numbers.count >= 3 ? numbers[2] : 0, confidence: c == 0 ? 0 : max(c, 1e-6))
            }
        }
        sequence.is3D = space == .world && sawZ
        if space == .world && skeleton.worldYUp == nil { sequence.inferUp() }
        return sequence
    }

    // MARK: CSV

    public static func csv(_ text: String, fps: Double? = nil) throws(MotionError) -> PoseSequence {
        var lines = lines(text)
        guard let headerLine = lines.next() else { throw .invalidFile("The CSV file is empty.") }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces().lowercased() }
        var timeColumn: Int?
        // For each column: (joint, axis 0/1/2 or 3 for confidence), or nil when unused.
        var columns: [(Joint, Int)?] = []
        var axesSeen = Set<Int>()
        var jointsSeen = 0
        for (k, name) in header.enumerated() {
            if name == "t" || name == "time" { timeColumn = k; columns.append(nil); continue }
            var column: (Joint, Int)?
            for (suffix, axis) in [("_x", 0), ("_y", 1), ("_z", 2), ("_c", 3), ("_confidence", 3), ("_visibility", 3)] where name.hasSuffix(suffix) {
                if let joint = Joint(name: String(name.dropLast(suffix.count))) {
                    column = (joint, axis)
                    axesSeen.insert(axis)
                    if axis == 0 { jointsSeen += 1 }
                }
                break
            }
            columns.append(column)
        }
        guard jointsSeen > 0, axesSeen.contains(1) else {
            throw .invalidFile("The CSV header names no joint columns such as left_knee_x, left_knee_y.")
        }
        guard timeColumn != nil || fps != nil else { throw .invalidFile("The CSV has no t column; give the frame rate (--fps).") }
        let is3D = axesSeen.contains(2)
        var sequence = PoseSequence(space: is3D ? .world : .image, is3D: is3D, yUp: is3D)
        var row = 0
        var cells: [Substring] = []
        while let line = lines.next() {
            row += 1
            cells.removeAll(keepingCapacity: true)
            cells.append(contentsOf: line.split(separator: ",", omittingEmptySubsequences: false))
            guard cells.count == header.count else {
                throw .invalidFile("CSV row \(row) has \(cells.count) values; the header has \(header.count).")
            }
            let t: Double
            if let timeColumn {
                guard let n = Double(cells[timeColumn].trimmingSpaces()), n.isFinite else { throw .invalidFile("CSV row \(row): t is not a number.") }
                t = n
            } else {
                t = Double(row - 1) / (fps ?? 30)
            }
            if let last = sequence.times.last, t <= last { throw .invalidFile("CSV row \(row): times must increase.") }
            let f = sequence.appendFrame(at: t)
            var xyz = [Float](repeating: .nan, count: Joint.count * 4)
            for (k, column) in columns.enumerated() {
                guard let (joint, axis) = column else { continue }
                let cell = cells[k].trimmingSpaces()
                if cell.isEmpty || cell == "nan" || cell == "NaN" { continue }
                guard let v = Float(cell), v.isFinite else { throw .invalidFile("CSV row \(row), column \(header[k]): not a number.") }
                xyz[joint.rawValue * 4 + axis] = v
            }
            for joint in Joint.allCases {
                let x = xyz[joint.rawValue * 4], y = xyz[joint.rawValue * 4 + 1], z = xyz[joint.rawValue * 4 + 2], c = xyz[joint.rawValue * 4 + 3]
                guard !x.isNaN, !y.isNaN else { continue }
                let confidence: Float = c.isNaN ? 1 : max(0, min(1, c))
                sequence.set(joint, frame: f, x: x, y: y, z: z.isNaN ? 0 : z, confidence: confidence)
            }
        }
        if is3D { sequence.inferUp() }
        return sequence
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\"" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\"" || c == "\r" { s.removeLast() }
        return String(s)
    }
}

import ArgumentParser
import Foundation
import GonioMotion

/// `gonio motion ...`: the motion engine from the command line, for scripts, checks and the
/// accuracy report. No database. JSON on standard output; a bad file or option prints what is
/// wrong on standard error and exits 2.
struct Motion: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Motion tracking: list tracked exercises, analyse a pose recording, or report accuracy on labelled recordings.",
        subcommands: [Exercises.self, Analyze.self, Accuracy.self])

    func run() throws {
        throw CommandFailure.input("choose what to do: 'gonio motion exercises', 'gonio motion analyze --exercise ID FILE' or 'gonio motion accuracy DIR' (see 'gonio motion --help').")
    }

    struct Exercises: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The tracked exercises, each with its primary measure (JSON).")

        func run() throws {
            let list = JSONValue.array(MotionSpecs.all.map { spec in
                .object([("id", .string(spec.id)), ("name", .string(spec.name)), ("measure", .string(spec.measure.rawValue)),
                         ("kind", .string(spec.kind.rawValue)), ("limbs", .string(spec.limbs.rawValue)),
                         ("minRange", .number(Double(spec.minRange))),
                         ("checks", .array(spec.checks.map { c in
                             .object([("id", .string(c.id)), ("measure", .string(c.measure.rawValue)), ("when", .string(c.when.rawValue)),
                                      ("atLeast", c.atLeast.map { .number(Double($0)) } ?? .null), ("atMost", c.atMost.map { .number(Double($0)) } ?? .null),
                                      ("cue", .string(c.cue))])
                         }))])
            })
            CommandOutput.current.line(list.text)
        }
    }

    struct Analyze: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count repetitions and check form in a pose recording (gonio-pose/1 JSON or CSV).")

        @Option(name: .long, help: "A tracked exercise id (gonio motion exercises), or 'generic' for any exercise.")
        var exercise: String

        @Option(name: .long, help: "left, right or both; by default the moving side is found.")
        var side: String?

        @Option(name: .long, help: "Frames per second, for files whose frames carry no time.")
        var fps: Double?

        @Flag(name: .long, help: "The file is a worn sensor's recording (t, ax, ay, az, gx, gy, gz), not poses.")
        var imu = false

        @Option(name: .long, help: "With --imu: the segment the sensor is on (thigh, shank, upper-arm, forearm, trunk).")
        var segment: String?

        @Option(name: .long, help: "With --imu: the sensor axis along the segment, pointing up at rest (x, y, z, -x, -y, -z; default y).")
        var axis: String?

        @Argument(help: "The recording: a gonio-pose/1 JSON file or a CSV file ('-' reads standard input).")
        var file: String

        func run() throws {
            let choice: SideChoice
            if let side {
                guard let c = SideChoice(rawValue: side), c != .auto else { throw CommandFailure.input("--side is left, right or both.") }
                choice = c
            } else {
                choice = .auto
            }
            let text = try Motion.read(file)
            if imu {
                guard let name = segment, let part = Segment(rawValue: name) else {
                    throw CommandFailure.input("--imu needs --segment: thigh, shank, upper-arm, forearm or trunk.")
                }
                let axes: [String: Point3] = ["x": Point3(1, 0, 0), "y": Point3(0, 1, 0), "z": Point3(0, 0, 1),
                                              "-x": Point3(-1, 0, 0), "-y": Point3(0, -1, 0), "-z": Point3(0, 0, -1)]
                guard let along = axes[axis ?? "y"] else { throw CommandFailure.input("--axis is x, y, z, -x, -y or -z.") }
                do {
                    let recording = try Imu.read(text)
                    CommandOutput.current.line(try MotionAnalysis.analyze(recording, exercise: exercise, segment: part, axis: along).json.text)
                } catch {
                    throw CommandFailure.input(error.description)
                }
                return
            }
            guard segment == nil, axis == nil else { throw CommandFailure.input("--segment and --axis go with --imu.") }
            do {
                let sequence = try PoseFile.read(text, fps: fps)
                CommandOutput.current.line(try MotionAnalysis.analyze(sequence, exercise: exercise, side: choice).json.text)
            } catch {
                throw CommandFailure.input(error.description)
            }
        }
    }

    struct Accuracy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count every labelled recording in a folder (labels.json, as in the UI-PRMD files) and report the counting accuracy (JSON).")

        @Argument(help: "A folder with labels.json and the recordings it names.")
        var folder: String

        func run() throws {
            let labelsText = try Motion.read(folder + "/labels.json")
            let labels: JSONValue
            do { labels = try JSONValue.parse(labelsText) } catch { throw CommandFailure.input("labels.json: \(error)") }
            guard let sequences = labels["sequences"]?.array else { throw CommandFailure.input("labels.json has no \"sequences\".") }
            var rows: [JSONValue] = []
            var exact = 0, withinOne = 0, absError = 0, romErrors: [Double] = []
            var liveExact = 0, liveAbsError = 0
            for entry in sequences {
                guard let file = entry["file"]?.string, let exercise = entry["exercise"]?.string, let expectedValue = entry["reps"]?.number,
                      let expected = Int(exactly: expectedValue), expected >= 0 else {
                    throw CommandFailure.input("labels.json: each sequence needs \"file\", \"exercise\" and a whole number of \"reps\".")
                }
                let sequence: PoseSequence
                let result: MotionResult
                do {
                    sequence = try PoseFile.read(try Motion.read(folder + "/" + file), fps: entry["fps"]?.number)
                    result = try MotionAnalysis.analyze(sequence, exercise: exercise)
                } catch let error as MotionError {
                    throw CommandFailure.input("\(file): \(error.description)")
                }
                let error = result.reps - expected
                // The same recording through the live tracker, frame by frame.
                var liveReps: Int?
                if let spec = MotionSpecs.spec(exercise), spec.kind == .repetitions {
                    let live = LiveTracker.replay(sequence, spec: spec).reps
                    liveReps = live
                    if live == expected { liveExact += 1 }
                    liveAbsError += abs(live - expected)
                }
                if error == 0 { exact += 1 }
                if abs(error) <= 1 { withinOne += 1 }
                absError += abs(error)
                // Range of motion against the labelled repetitions' raw (unfiltered) angle.
                if let frames = entry["repFrames"]?.array, let spec = MotionSpecs.spec(exercise), result.side != "both" || spec.limbs == .both {
                    for range in frames {
                        guard let pair = range.array, pair.count == 2, let a = pair[0].number.flatMap({ Int(exactly: $0) }),
                              let b = pair[1].number.flatMap({ Int(exactly: $0) }) else { continue }
                        let lo = a, hi = min(b, sequence.count) - 1
                        guard lo >= 0, lo < hi else { continue }
                        let side: Side = result.side == "right" ? .right : .left
                        var raw: [Float] = []
                        for f in lo...hi {
                            if spec.limbs == .both {
                                let l = GonioMotion.Measures.value(spec.measure, side: .left, frame: f, in: sequence), r = GonioMotion.Measures.value(spec.measure, side: .right, frame: f, in: sequence)
                                if let l, let r { raw.append((l + r) / 2) } else if let v = l ?? r { raw.append(v) }
                            } else if let v = GonioMotion.Measures.value(spec.measure, side: side, frame: f, in: sequence) {
                                raw.append(spec.measure.sided ? v : abs(v))
                            }
                        }
                        guard let rawMin = raw.min(), let rawMax = raw.max() else { continue }
                        let t0 = sequence.times[lo], t1 = sequence.times[hi]
                        // The counted repetition that overlaps this labelled one most.
                        let best = result.repetitions.max { x, y in
                            min(x.end, t1) - max(x.start, t0) < min(y.end, t1) - max(y.start, t0)
                        }
                        if let best, min(best.end, t1) > max(best.start, t0) {
                            romErrors.append(abs(Double((best.romMax - best.romMin) - (rawMax - rawMin))))
                        }
                    }
                }
                rows.append(.object([
                    ("file", .string(file)), ("exercise", .string(exercise)), ("label", entry["label"] ?? .null),
                    ("expected", .number(Double(expected))), ("counted", .number(Double(result.reps))), ("partial", .number(Double(result.partialReps))),
                    ("side", .string(result.side)), ("formScore", result.formScore.map { .number(Double($0)) } ?? .null),
                    ("liveCounted", liveReps.map { .number(Double($0)) } ?? .null),
                ]))
            }
            let n = Double(max(rows.count, 1))
            let romMean = romErrors.isEmpty ? 0 : romErrors.reduce(0, +) / Double(romErrors.count)
            let summary = JSONValue.object([
                ("sequences", .number(Double(rows.count))), ("exactCountRate", .number((Double(exact) / n * 1000).rounded() / 1000)),
                ("withinOneRate", .number((Double(withinOne) / n * 1000).rounded() / 1000)),
                ("meanAbsoluteCountError", .number((Double(absError) / n * 1000).rounded() / 1000)),
                ("romMeanAbsoluteErrorDegrees", .number((romMean * 10).rounded() / 10)),
                ("liveExactCountRate", .number((Double(liveExact) / n * 1000).rounded() / 1000)),
                ("liveMeanAbsoluteCountError", .number((Double(liveAbsError) / n * 1000).rounded() / 1000)),
                ("results", .array(rows)),
            ])
            CommandOutput.current.line(summary.text)
        }
    }

    /// A file's text, or standard input for "-".
    static func read(_ path: String) throws -> String {
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return String(decoding: data, as: UTF8.self)
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure.input("Cannot read \(path).") }
        guard data.count <= 512 << 20 else { throw CommandFailure.input("\(path) is larger than 512 MB.") }
        return String(decoding: data, as: UTF8.self)
    }
}

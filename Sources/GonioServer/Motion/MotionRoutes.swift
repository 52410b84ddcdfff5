import Vapor
import GonioCore
import GonioMotion

/// Live motion tracking: the patient's device runs the pose model and sends keypoints (never
/// video) over a socket; each frame is answered with the count, the angles, and, when a
/// repetition ends, its range, form score and cues. Apps use `/api/v1/motion/live` with a
/// bearer token; Gonio's own pages use `/motion/live` with their session (and their origin).
struct MotionRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.motionLive, use: live)
        routes.web.get(Paths.motionLive, use: live)
        routes.api.get(Paths.API.motionExercises, use: exercises)
    }

    struct ExerciseDTO: Content {
        var id: String
        var name: String
        var measure: String
        var kind: String
        var limbs: String
    }

    func exercises(req: Request) async throws -> [ExerciseDTO] {
        _ = try req.context.requireUser()
        return MotionSpecs.all.map { ExerciseDTO(id: $0.id, name: $0.name, measure: $0.measure.rawValue, kind: $0.kind.rawValue, limbs: $0.limbs.rawValue) }
    }

    /// The stream's settings, from the query: checked before the socket opens.
    struct Settings {
        var spec: MotionSpec
        var skeleton: Skeleton
        var space: PoseSpace
        var side: Side?
        /// The in-session rules (`InSession`): the patient's clinic's, when the socket names the
        /// patient (`?patient=`), else the defaults.
        var rules: ProgressionRules = .defaults

        init(_ req: Request) throws {
            try self.init(exercise: try? req.query.get(String.self, at: "exercise"), skeleton: try? req.query.get(String.self, at: "skeleton"),
                          space: try? req.query.get(String.self, at: "space"), side: try? req.query.get(String.self, at: "side"))
        }

        /// From the socket's query, or a video visit's request to track (nil: the default).
        init(exercise: String?, skeleton skeletonName: String? = nil, space spaceName: String? = nil, side sideName: String? = nil) throws {
            guard let spec = exercise.flatMap(MotionSpecs.spec), spec.kind == .repetitions else {
                throw DomainError.invalid("exercise-unknown", "Give ?exercise= one of the tracked exercises that count repetitions (GET /api/v1/motion/exercises).")
            }
            guard let skeleton = Skeleton.builtIn(skeletonName ?? "blazepose33") else {
                throw DomainError.invalid("skeleton-unknown", "The skeleton is blazepose33, coco17 or kinect25.")
            }
            guard let space = PoseSpace(rawValue: spaceName ?? "image") else { throw DomainError.invalid("space-invalid", "The space is image or world.") }
            guard sideName == nil || Side(rawValue: sideName!) != nil else { throw DomainError.invalid("side-invalid", "The side is left or right.") }
            self.spec = spec
            self.skeleton = skeleton
            self.space = space
            side = sideName.flatMap(Side.init(rawValue:))
        }
    }

    func live(req: Request) async throws -> Response {
        _ = try req.context.requireUser()
        try CallRoutes.checkOrigin(req)
        var settings = try Settings(req)
        if let patientID = try? req.query.get(UUID.self, at: "patient") {
            let patient = try await req.context.gate.authorize(.practiceToday, patientID: patientID, resource: "patient/\(patientID)/motion")
            settings.rules = try await ClinicRulesService(ctx: req.context).rules(clinicID: patient.clinicID).rules
        }
        guard req.headers.first(name: .upgrade)?.lowercased() == "websocket" else {
            // A plain request: say what this address is for (426 Upgrade Required).
            let body = #"{"error":{"code":"websocket-required","message":"Open this address as a WebSocket (send the upgrade headers)."}}"#
            return Response(status: .upgradeRequired, headers: ["Content-Type": "application/json", "Upgrade": "websocket", "Connection": "Upgrade"],
                            body: .init(string: body))
        }
        let stream = MotionStream(settings)
        return req.webSocket(maxFrameSize: WebSocketMaxFrameSize(integerLiteral: 1 << 16)) { _, socket in
            socket.onText { socket, text in
                for reply in stream.handle(text) { socket.send(reply.text) }
            }
        }
    }
}

/// One socket's tracker. A socket's messages arrive one at a time on its event loop, so the
/// tracker is never used from two threads at once.
final class MotionStream: @unchecked Sendable {
    private var tracker: LiveTracker
    let settings: MotionRoutes.Settings
    private var buffer: [Float]
    private var lastTime = -Double.infinity
    /// A video visit's goniometer: each side's angle and the range held so far, in every frame.
    private var meter: Goniometer?
    private var formScores = (sum: 0, count: 0)
    /// This set's counted form scores and the repetitions short of the range just now, for the
    /// in-session rules; advice is given once a set.
    private var setScores: [Int] = []
    private var failedInARow = 0
    private var advised = false

    init(_ settings: MotionRoutes.Settings, goniometer: Bool = false) {
        self.settings = settings
        tracker = Self.tracker(settings)
        buffer = [Float](repeating: 0, count: settings.skeleton.joints.count * 4)
        meter = goniometer ? Goniometer() : nil
    }

    /// A fresh tracker for the stream's settings (a new stream, or a reset).
    static func tracker(_ settings: MotionRoutes.Settings) -> LiveTracker {
        LiveTracker(spec: settings.spec, side: settings.side, space: settings.space, is3D: settings.space == .world,
                    yUp: settings.space == .world ? (settings.skeleton.worldYUp ?? true) : false)
    }

    static func error(_ code: String, _ message: String) -> JSONValue {
        JSONValue.object([("type", .string("error")), ("code", .string(code)), ("message", .string(message))])
    }

    static func degrees(_ a: Float) -> JSONValue { a.isFinite ? .number((Double(a) * 10).rounded() / 10) : .null }

    static func range(_ r: Goniometer.Range?) -> JSONValue {
        r.map { .object([("min", degrees($0.min)), ("max", degrees($0.max))]) } ?? .null
    }

    /// The goniometer's reading: each side's angle now and the range held so far.
    private func reading(_ meter: Goniometer) -> JSONValue {
        .object([("now", .object([("left", Self.degrees(meter.now.left)), ("right", Self.degrees(meter.now.right))])),
                 ("range", .object([("left", Self.range(meter.left)), ("right", Self.range(meter.right))]))])
    }

    /// What the measurement found, when it stops: counts, mean form of the counted repetitions,
    /// the range held on each side, and the same in words for the visit note.
    func summary() -> MotionReading {
        let meter = meter ?? Goniometer()
        let form = formScores.count > 0 ? Int((Double(formScores.sum) / Double(formScores.count)).rounded()) : nil
        func range(_ r: Goniometer.Range?) -> MotionReading.Range? {
            r.map { MotionReading.Range(min: (Double($0.min) * 10).rounded() / 10, max: (Double($0.max) * 10).rounded() / 10) }
        }
        return MotionReading(exercise: settings.spec.id, exerciseName: settings.spec.name, measure: settings.spec.measure.label,
                             reps: tracker.reps, partialReps: tracker.partialReps, formScore: form, left: range(meter.left), right: range(meter.right),
                             text: meter.summary(spec: settings.spec, reps: tracker.reps, partialReps: tracker.partialReps, formScore: form))
    }

    /// A reading as the call's `track-stopped` message carries it.
    static func json(_ r: MotionReading) -> JSONValue {
        func range(_ x: MotionReading.Range?) -> JSONValue { x.map { .object([("min", .number($0.min)), ("max", .number($0.max))]) } ?? .null }
        return .object([
            ("exercise", .string(r.exercise)), ("exerciseName", .string(r.exerciseName)), ("measure", .string(r.measure)),
            ("reps", .number(Double(r.reps))), ("partialReps", .number(Double(r.partialReps))),
            ("formScore", r.formScore.map { .number(Double($0)) } ?? .null),
            ("range", .object([("left", range(r.left)), ("right", range(r.right))])), ("text", .string(r.text)),
        ])
    }

    /// The answers to one message: `{"t": seconds, "p": [[x, y, z?, confidence?] or null, ...]}`
    /// with the skeleton's points in order, or `{"type": "reset"}` to start a new set.
    func handle(_ text: String) -> [JSONValue] {
        guard let message = try? JSONValue.parse(text) else { return [Self.error("message-invalid", "Send one frame as JSON.")] }
        if message["type"]?.string == "reset" {
            tracker = Self.tracker(settings)
            lastTime = -.infinity
            meter = meter.map { _ in Goniometer() }
            formScores = (0, 0)
            setScores = []
            failedInARow = 0
            advised = false
            return [JSONValue.object([("type", .string("reset"))])]
        }
        guard let t = message["t"]?.number, let points = message["p"]?.array else {
            return [Self.error("frame-invalid", "A frame is {\"t\": seconds, \"p\": [[x, y, z, confidence], ...]}.")]
        }
        guard t > lastTime else { return [Self.error("frame-out-of-order", "Frame times must increase.")] }
        guard points.count == settings.skeleton.joints.count else {
            return [Self.error("frame-invalid", "The \(settings.skeleton.name) skeleton has \(settings.skeleton.joints.count) points; this frame has \(points.count).")]
        }
        for k in 0..<points.count {
            let base = k * 4
            buffer[base + 3] = 0
            guard let values = points[k].array, values.count >= 2 else { continue }
            for (i, v) in values.prefix(4).enumerated() { buffer[base + i] = Float(v.number ?? 0) }
            if values.count < 3 { buffer[base + 2] = 0 }
            if values.count < 4 { buffer[base + 3] = 1 }
        }
        lastTime = t
        let ended = buffer.withUnsafeBufferPointer { tracker.push($0, skeleton: settings.skeleton, at: t) }
        let angle = Self.degrees
        var frame: [(String, JSONValue)] = [
            ("type", .string("frame")), ("t", .number(t)), ("reps", .number(Double(tracker.reps))),
            ("partialReps", .number(Double(tracker.partialReps))),
            ("angles", .object([("left", angle(tracker.angles.left)), ("right", angle(tracker.angles.right))])),
        ]
        if var meter {
            let sides = tracker.sideAngles()
            meter.push(left: sides.left, right: sides.right, at: t)
            self.meter = meter
            frame.append(("reading", reading(meter)))
        }
        var replies = [JSONValue.object(frame)]
        if ended, let rep = tracker.lastRepetition {
            if rep.counted {
                formScores = (formScores.sum + rep.formScore, formScores.count + 1)
                setScores.append(rep.formScore)
                failedInARow = 0
            } else {
                failedInARow += 1
            }
            var message: [(String, JSONValue)] = [
                ("type", .string("rep")), ("number", .number(Double(rep.number))), ("counted", .bool(rep.counted)),
                ("side", rep.side.map { .string($0.rawValue) } ?? .null), ("start", .number(rep.start)), ("end", .number(rep.end)),
                ("rom", .object([("min", angle(rep.romMin)), ("max", angle(rep.romMax))])),
                ("formScore", .number(Double(rep.formScore))),
                ("cues", .array(rep.broken.map { .string(settings.spec.checks[$0].cue) })),
            ]
            let advice = InSession.afterRepetition(formScores: setScores, failedInARow: failedInARow, rules: settings.rules)
            if advice.action != .carryOn, !advised {
                advised = true
                message.append(("advice", .object([("action", .string(advice.action.rawValue)), ("rule", advice.rule.map(JSONValue.string) ?? .null),
                                                   ("reason", advice.reason.map(JSONValue.string) ?? .null)])))
            }
            replies.append(JSONValue.object(message))
        }
        return replies
    }
}

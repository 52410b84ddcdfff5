import Vapor
import Fluent
import GonioCore
import GonioMotion

/// A video visit's call: the page (device check, waiting room, the call) and its signalling
/// socket. Only the visit's patient and therapist, and a caregiver the visit's guest list names,
/// get either; everyone else gets 404, and the gate audits both. Guests without an account come
/// through their private link (`VisitGuestRoutes`).
struct CallRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.web.get(Paths.visitCall, use: page)
        routes.web.get(Paths.visitSignal, use: signal)
    }

    struct CallData: Encodable {
        struct Place: Encodable {
            var code: String
            var name: String
        }
        struct Location: Encodable {
            var required: Bool
            var current: String?
            var options: [Place]
            /// The question asked, when it is not "Where are you right now?".
            var question: String?
        }
        var visitId: String
        var socketPath: String
        var role: String
        var host: Bool
        var selfName: String
        var title: String
        var start: Date
        var end: Date
        var location: Location
        var noteLink: String?
        var back: String
        /// The goniometer: what the therapist can ask to measure, and where the patient's side
        /// loads the pose model from (nil: not set up, so it says so when asked).
        var motion: Motion?
    }

    struct Motion: Encodable {
        struct Exercise: Encodable {
            var id: String
            var name: String
            var measure: String
            var sided: Bool
        }
        var exercises: [Exercise]
        var poseModel: String?

        /// For someone in the call as `role`: the host chooses, the patient's side measures.
        static func forRole(_ role: VisitService.Participant, config: AppConfig) -> Motion? {
            switch role {
            case .therapist:
                Motion(exercises: MotionSpecs.all.filter { $0.kind == .repetitions }.sorted { $0.name < $1.name }
                    .map { Exercise(id: $0.id, name: $0.name, measure: $0.measure.label, sided: $0.measure.sided) }, poseModel: nil)
            case .patient, .caregiver: Motion(exercises: [], poseModel: config.poseModelURL)
            case .interpreter: nil
            }
        }
    }

    /// The visit and how the caller takes part, or 404.
    static func participant(_ req: Request, resource suffix: String) async throws -> (AuthorizedPatient, VisitModel, VisitService.Participant) {
        let ctx = req.context
        _ = try ctx.requireUser()
        let (visitID, patientID) = try await VisitRoutes.patientOf(req)
        let patient = try await ctx.gate.authorize(.visitRead, patientID: patientID, resource: VisitRoutes.resource(visitID) + suffix)
        let service = VisitService(ctx: ctx)
        let visit = try await service.visit(visitID, of: patient)
        guard let role = try await service.participant(visit, patient: patient) else { throw VisitService.notFound }
        return (patient, visit, role)
    }

    func page(req: Request) async throws -> Response {
        let (patient, visit, role) = try await Self.participant(req, resource: "/call")
        let user = try req.context.requireUser()
        let zone = role == .therapist ? (try? await VisitService(ctx: req.context).schedule(of: visit.therapist).zone) ?? .gmt : patient.timeZone.timeZone
        let therapistName = visit.therapist.$user.value?.name ?? "your therapist"
        let places = Choice.usStates(selected: nil).map { CallData.Place(code: $0.value, name: $0.label) }
        let confirms = role == .patient || role == .caregiver
        return try await Self.renderCall(req, visit: visit, data: CallData(
            visitId: try visit.requireID().uuidString, socketPath: Paths.visitSignal(try visit.requireID()), role: role.rawValue,
            host: role == .therapist, selfName: user.name,
            title: "\(visit.visitTypeName) with \(role == .therapist ? patient.name : therapistName)", start: visit.startAt, end: visit.endAt,
            location: .init(required: confirms, current: visit.patientRegion ?? patient.jurisdiction?.code, options: confirms ? places : [],
                            question: role == .caregiver ? "Where is \(patient.name) right now?" : nil),
            noteLink: role == .therapist ? VisitPages.noteLink(visit) : nil,
            back: Paths.visitsPage(), motion: .forRole(role, config: req.context.config)), zone: zone)
    }

    /// The call page for anyone taking part, with its data for the script.
    static func renderCall(_ req: Request, visit: VisitModel, data: CallData, zone: TimeZone) async throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let json = String(decoding: try encoder.encode(data), as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
        struct Context: Encodable {
            var title: String
            var when: String
            var data: String
            var script: String
            var back: String
        }
        let page = try await WebPage.render(req, "visit-call", title: "Video visit", Context(
            title: data.title, when: VisitPages.when(visit.startAt, visit.endAt, in: zone), data: json, script: Paths.callScript,
            back: data.back))
        WebPage.allowPoseModel(page, from: data.motion?.poseModel)
        return page
    }

    /// Browsers send their page's origin with a socket; only Gonio's own pages may open one.
    static func checkOrigin(_ req: Request) throws {
        if let origin = req.headers.first(name: .origin), let url = URL(string: origin), let host = req.headers.first(name: .host),
           (url.host ?? "") + (url.port.map { ":\($0)" } ?? "") != host {
            throw DomainError.forbidden("origin-refused", "Video visits open only from Gonio's own pages.")
        }
    }

    /// The signalling socket. The first message must be `join`; see `CallConnection`.
    func signal(req: Request) async throws -> Response {
        try Self.checkOrigin(req)
        let (patient, visit, role) = try await Self.participant(req, resource: "/signal")
        let user = try req.context.requireUser()
        let ctx = req.context
        let visitID = try visit.requireID()
        let member = CallMember(key: user.userID, name: user.name, role: role) { location in
            try await ctx.gate.change(.visitJoin, patientID: patient.id, resource: VisitRoutes.resource(visitID) + "/call") { patient, tx in
                try await VisitService(ctx: tx).join(patient, visitID: visitID, location: location).0.callStartedAt
            }
        }
        return Self.upgrade(req, CallConnection(ctx: ctx, rooms: req.application.callRooms, visitID: visitID, patientID: patient.id, member: member))
    }

    /// Turns the request into the socket `connection` serves.
    static func upgrade(_ req: Request, _ connection: CallConnection) -> Response {
        let onUpgrade: @Sendable (Request, WebSocket) -> Void = { _, socket in
            // Installed at once, on the socket's event loop, so that no early message is missed.
            let (messages, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(256))
            // Pings keep the connection busy enough for the server's idle timeout and find dead peers.
            socket.pingInterval = .seconds(10)
            socket.onText { _, text in continuation.yield(text) }
            socket.onClose.whenComplete { _ in continuation.finish() }
            Task { await connection.run(socket, messages: messages) }
        }
        return req.webSocket(maxFrameSize: WebSocketMaxFrameSize(integerLiteral: 1 << 16), onUpgrade: onUpgrade)
    }
}

/// Someone taking part in a call: a signed-in person, or a guest with a link.
struct CallMember: Sendable {
    /// Their user id, or the guest's id: the same person reconnecting replaces their old socket.
    var key: UUID
    var name: String
    var role: VisitService.Participant
    /// Checks, and records, that they may be in the call now (with the place the patient's side
    /// confirms); returns when the call started, if it has.
    var admit: @Sendable (_ location: String?) async throws -> Date?
}

/// One person's signalling socket: messages are handled one at a time, in order.
actor CallConnection {
    let ctx: CallContext
    let rooms: CallRooms
    let visitID: UUID
    let patientID: UUID
    let member: CallMember
    private var peerID: String?
    private var socket: WebSocket?
    /// The measurement this side is sending frames for (`CallTracking.swift`).
    private var tracking: TrackSession?

    init(ctx: CallContext, rooms: CallRooms, visitID: UUID, patientID: UUID, member: CallMember) {
        self.ctx = ctx
        self.rooms = rooms
        self.visitID = visitID
        self.patientID = patientID
        self.member = member
    }

    var host: Bool { member.role == .therapist }
    var resource: String { VisitRoutes.resource(visitID) + "/call" }

    func run(_ socket: WebSocket, messages: AsyncStream<String>) async {
        self.socket = socket
        for await text in messages {
            await handle(text)
        }
        if let peerID { await rooms.leave(visitID, peer: peerID, socket: socket) }
    }

    private func reply(_ message: [String: Any]) async {
        guard let socket, let text = CallRooms.text(message) else { return }
        try? await socket.send(text)
    }

    private func refuse(_ error: DomainError, close: Bool) async {
        await reply(["type": "error", "code": error.code, "message": error.message])
        if close { try? await socket?.close(code: .policyViolation) }
    }

    func handle(_ text: String) async {
        guard text.utf8.count <= 1 << 16, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let type = object["type"] as? String
        else { return await refuse(.invalid("message-invalid", "That message could not be read."), close: false) }
        if type == "ping" { return await reply(["type": "pong"]) }  // also before joining: the device check times it
        guard let peerID else {
            guard type == "join" else { return await refuse(.invalid("join-first", "Join the visit first."), close: true) }
            return await join(location: object["location"] as? String)
        }
        switch type {
        case "signal":
            guard let to = object["to"] as? String, let data = object["data"], JSONSerialization.isValidJSONObject(["d": data]) else {
                return await refuse(.invalid("message-invalid", "A signal needs 'to' and 'data'."), close: false)
            }
            await rooms.relay(visitID, from: peerID, to: to, data: data)
        case "chat":
            let text = (object["text"] as? String ?? "").trimmingWhitespace()
            guard !text.isEmpty, text.count <= 1000, !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
                return await refuse(.invalid("chat-invalid", "Messages are 1 to 1000 characters."), close: false)
            }
            await rooms.chat(visitID, from: peerID, text: text, at: ctx.now)
        case "admit":
            guard host, let target = object["id"] as? String else { return await refuse(.forbidden("host-only", "Only the therapist lets people in."), close: false) }
            if await rooms.admit(visitID, by: peerID, peer: target, at: ctx.now) == true {
                do {
                    try await ctx.gate.change(.visitJoin, patientID: patientID, resource: resource + "/start") { patient, tx in
                        try await VisitService(ctx: tx).callStarted(patient, visitID: self.visitID)
                    }
                } catch {
                    ctx.logger.warning("could not record the call's start", metadata: ["visit-id": .string(visitID.uuidString)])
                }
            }
        case "end":
            guard host else { return await refuse(.forbidden("host-only", "Only the therapist ends the visit."), close: false) }
            do {
                _ = try await ctx.gate.change(.visitAttendance, patientID: patientID, resource: resource + "/end") { patient, tx in
                    VisitRoutes.VisitDTO(try await VisitService(ctx: tx).callEnded(patient, visitID: self.visitID))
                }
            } catch {
                ctx.logger.warning("could not record the call's end", metadata: ["visit-id": .string(visitID.uuidString)])
            }
            await rooms.end(visitID)
        case "track-request", "track-start", "track-frame", "track-stop", "track-decline":
            await track(type, object, text: text)
        case "join":
            await refuse(.conflict("already-joined", "You are already in this visit."), close: false)
        default:
            await refuse(.invalid("message-unknown", "Gonio does not know that message."), close: false)
        }
    }

    /// The goniometer's messages (`CallTracking.swift`).
    private func track(_ type: String, _ object: [String: Any], text: String) async {
        guard let peerID else { return }
        do {
            switch type {
            case "track-request":
                guard host else { throw DomainError.forbidden("host-only", "Only the therapist asks to measure.") }
                let settings = try MotionRoutes.Settings(exercise: object["exercise"] as? String, side: object["side"] as? String)
                let (ctx, patientID, visitID) = (ctx, patientID, visitID)
                try await rooms.requestTracking(visitID, by: peerID, settings) { reading in
                    do {
                        try await ctx.gate.change(.visitMeasure, patientID: patientID, resource: VisitRoutes.resource(visitID) + "/readings") { patient, tx in
                            try await VisitReadingService(ctx: tx).save(reading, visitID: visitID, of: patient)
                        }
                    } catch {
                        ctx.logger.warning("could not keep a visit's motion reading", metadata: ["visit-id": .string(visitID.uuidString)])
                    }
                }
            case "track-start":
                tracking = try await rooms.startTracking(visitID, peer: peerID, exercise: object["exercise"] as? String, skeleton: object["skeleton"] as? String)
            case "track-frame":
                guard let session = tracking else { throw DomainError.conflict("track-not-started", "Start measuring before sending frames.") }
                // Stopped (by the therapist, or by leaving): frames already on their way are dropped quietly.
                guard let events = session.frame(text) else { return }
                let errors = events.filter { $0["type"]?.string == "error" }
                for error in errors { try? await socket?.send(error.text) }
                if errors.isEmpty { await rooms.tracked(visitID, session, events) }
            case "track-stop":
                await rooms.stopTracking(visitID, by: peerID)
            default:
                let reason = (object["reason"] as? String)?.trimmingWhitespace()
                guard reason == nil || (reason!.count <= 300 && !reason!.unicodeScalars.contains { $0.value < 0x20 }) else {
                    throw DomainError.invalid("reason-invalid", "A reason is up to 300 characters on one line.")
                }
                await rooms.declineTracking(visitID, peer: peerID, reason: reason?.isEmpty == true ? nil : reason)
            }
        } catch let error as DomainError {
            await refuse(error, close: false)
        } catch {
            await refuse(.invalid("message-invalid", "That message could not be read."), close: false)
        }
    }

    private func join(location: String?) async {
        let callStartedAt: Date?
        do {
            callStartedAt = try await member.admit(location)
        } catch let error as DomainError {
            return await refuse(error, close: true)
        } catch {
            return await refuse(.conflict("join-failed", "Gonio could not let you in just now. Try again in a moment."), close: true)
        }
        guard let socket else { return }
        await rooms.noteStart(visitID, callStartedAt)
        let id = UUID().uuidString.lowercased()
        let readmitted = await rooms.wasAdmitted(visitID, user: member.key)
        let admitted = host || readmitted
        let peer = CallRooms.Peer(info: .init(id: id, name: member.name, role: member.role.rawValue, admitted: admitted),
                                  userID: member.key, host: host, socket: socket)
        guard let others = await rooms.join(visitID, peer) else {
            return await refuse(.conflict("call-full", "This visit already has \(CallGuests.maxPeople) people in it."), close: true)
        }
        peerID = id
        let ice = ctx.config.ice.servers(for: member.key, now: ctx.now).map { server -> [String: Any] in
            var s: [String: Any] = ["urls": server.urls]
            if let u = server.username { s["username"] = u }
            if let c = server.credential { s["credential"] = c }
            return s
        }
        var welcome: [String: Any] = ["type": "welcome", "selfId": id, "role": peer.info.role, "host": host, "admitted": admitted,
                                      "iceServers": ice, "peers": others.map(CallRooms.json)]
        if let start = await rooms.started(visitID) { welcome["startedAt"] = ISO8601DateFormatter().string(from: start) }
        await reply(welcome)
        if host {
            for waiting in await rooms.waiting(visitID) { await reply(["type": "waiting", "peer": CallRooms.json(waiting)]) }
        }
        await rooms.arrived(visitID, id)
    }
}

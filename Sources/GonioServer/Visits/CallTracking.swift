import Vapor
import GonioCore
import GonioMotion
import NIOConcurrencyHelpers

/// The virtual goniometer of a video visit. The therapist asks for a movement to be measured;
/// the patient's side (the patient, or a caregiver filming them) agrees and its browser sends
/// the body keypoints it finds in its own camera, never extra video, over the call's socket.
/// Gonio counts and measures them with the same live tracker as the player, and everyone in the
/// call sees the angles, repetitions and cues; when it stops, the reading in words for the note.
///
/// Messages (see `CallConnection`): the host's `track-request {exercise, side?}` and
/// `track-stop`; the patient side's `track-start {exercise, skeleton?}`, `track-frame {t, p}`,
/// `track-stop` and `track-decline {reason?}`. Out: `track-request`, `track-started`,
/// `tracking {peer, event}` (each frame, each repetition), `track-declined`, `track-cancelled`,
/// `track-stopped {peer, summary}`.
struct TrackRequest: Sendable {
    var settings: MotionRoutes.Settings
    var by: String
    /// Keeps the reading with the visit, as the therapist who asked (see `CallConnection`).
    var record: @Sendable (MotionReading) async -> Void
}

/// One measurement in progress. The socket sending the frames and the host stopping it can
/// race; the lock makes the frames and the summary one after the other, and the summary once.
final class TrackSession: Sendable {
    let peerID: String
    let settings: MotionRoutes.Settings
    let record: @Sendable (MotionReading) async -> Void
    private let stream: NIOLockedValueBox<MotionStream?>

    init(peerID: String, settings: MotionRoutes.Settings, record: @escaping @Sendable (MotionReading) async -> Void) {
        self.peerID = peerID
        self.settings = settings
        self.record = record
        stream = NIOLockedValueBox(MotionStream(settings, goniometer: true))
    }

    /// The answers to one `track-frame`, or nil once stopped.
    func frame(_ text: String) -> [JSONValue]? { stream.withLockedValue { $0?.handle(text) } }

    /// The summary, for whoever stops it first; nil after.
    func stop() -> MotionReading? {
        stream.withLockedValue { stream in
            defer { stream = nil }
            return stream?.summary()
        }
    }
}

extension MotionRoutes.Settings: @unchecked Sendable {}

extension CallRooms {
    /// Who may be measured: the patient, or a caregiver with them (not a guest by link).
    static func measurable(_ peer: Peer) -> Bool { peer.admitted && (peer.info.role == "patient" || peer.info.role == "caregiver") }

    /// The host asks the patient's side to start measuring.
    func requestTracking(_ visitID: UUID, by hostID: String, _ settings: MotionRoutes.Settings,
                         record: @escaping @Sendable (MotionReading) async -> Void) async throws {
        guard let room = rooms[visitID], room[hostID]?.host == true else { throw DomainError.forbidden("host-only", "Only the therapist asks to measure.") }
        guard tracking[visitID] == nil else { throw DomainError.conflict("tracking-already", "A movement is being measured; stop it first.") }
        let targets = room.values.filter(Self.measurable)
        guard !targets.isEmpty else { throw DomainError.conflict("no-patient", "The patient is not in the call yet.") }
        trackRequests[visitID] = TrackRequest(settings: settings, by: hostID, record: record)
        let message: [String: Any] = ["type": "track-request", "exercise": settings.spec.id, "exerciseName": settings.spec.name,
                                      "measure": settings.spec.measure.label, "side": settings.side?.rawValue ?? NSNull()]
        for peer in targets { await send(peer, message) }
    }

    /// The patient's side agrees: the measurement starts with the settings the host asked for.
    func startTracking(_ visitID: UUID, peer peerID: String, exercise: String?, skeleton: String?) async throws -> TrackSession {
        guard let peer = rooms[visitID]?[peerID], Self.measurable(peer) else {
            throw DomainError.forbidden("not-measurable", "Only the patient's side of the call is measured.")
        }
        guard let request = trackRequests[visitID], request.settings.spec.id == exercise else {
            throw DomainError.conflict("track-not-requested", "Your therapist has not asked to measure that movement.")
        }
        var settings = request.settings
        if let skeleton {
            guard let known = Skeleton.builtIn(skeleton) else { throw DomainError.invalid("skeleton-unknown", "The skeleton is blazepose33, coco17 or kinect25.") }
            settings.skeleton = known
        }
        trackRequests[visitID] = nil
        let session = TrackSession(peerID: peerID, settings: settings, record: request.record)
        tracking[visitID] = session
        await broadcast(visitID, ["type": "track-started", "peer": peerID, "name": peer.info.name, "exercise": settings.spec.id,
                                  "exerciseName": settings.spec.name, "measure": settings.spec.measure.label,
                                  "side": settings.side?.rawValue ?? NSNull()], admittedOnly: true)
        return session
    }

    /// Passes a frame's results to everyone in the call.
    func tracked(_ visitID: UUID, _ session: TrackSession, _ events: [JSONValue]) async {
        guard tracking[visitID] === session else { return }
        for event in events {
            let text = JSONValue.object([("type", .string("tracking")), ("peer", .string(session.peerID)), ("event", event)]).text
            for peer in (rooms[visitID] ?? [:]).values where peer.admitted { try? await peer.socket.send(text) }
        }
    }

    /// The patient's side says no (or cannot: no camera, no pose model); the host hears why.
    func declineTracking(_ visitID: UUID, peer peerID: String, reason: String?) async {
        guard let peer = rooms[visitID]?[peerID], Self.measurable(peer), trackRequests[visitID] != nil else { return }
        trackRequests[visitID] = nil
        for host in (rooms[visitID] ?? [:]).values where host.host {
            await send(host, ["type": "track-declined", "peer": peerID, "name": peer.info.name, "reason": reason ?? NSNull()])
        }
    }

    /// The host or the measured side stops: a measurement in progress ends with its summary to
    /// everyone; a request not yet answered is withdrawn.
    func stopTracking(_ visitID: UUID, by peerID: String) async {
        guard let peer = rooms[visitID]?[peerID] else { return }
        if let session = tracking[visitID], peer.host || session.peerID == peerID {
            tracking[visitID] = nil
            if let reading = session.stop() {
                let text = JSONValue.object([("type", .string("track-stopped")), ("peer", .string(session.peerID)),
                                             ("summary", MotionStream.json(reading))]).text
                for other in (rooms[visitID] ?? [:]).values where other.admitted { try? await other.socket.send(text) }
                // Kept with the visit outside the rooms' actor, and awaited at shutdown.
                if !reading.isEmpty { keep { await session.record(reading) } }
            }
        } else if peer.host, trackRequests[visitID] != nil {
            trackRequests[visitID] = nil
            for other in (rooms[visitID] ?? [:]).values where Self.measurable(other) { await send(other, ["type": "track-cancelled"]) }
        }
    }
}

import Vapor
import GonioCore

/// The people in each video visit's call, and the relay of their signalling messages. Media
/// never pass through here: browsers connect to each other (or through TURN) once they have
/// exchanged descriptions and candidates. Rooms live in this process; a deployment with several
/// app instances must send one visit's sockets to one instance (sticky routing on the visit id).
actor CallRooms {
    struct PeerInfo: Codable, Sendable {
        var id: String
        var name: String
        var role: String
        var admitted: Bool
    }

    final class Peer: @unchecked Sendable {
        let info: PeerInfo
        let userID: UUID
        let host: Bool
        let socket: WebSocket
        var admitted: Bool

        init(info: PeerInfo, userID: UUID, host: Bool, socket: WebSocket) {
            self.info = info
            self.userID = userID
            self.host = host
            self.socket = socket
            admitted = info.admitted
        }

        var current: PeerInfo { PeerInfo(id: info.id, name: info.name, role: info.role, admitted: admitted) }
    }

    private(set) var rooms: [UUID: [String: Peer]] = [:]
    /// A measurement the host asked for and the patient has not answered (`CallTracking.swift`).
    var trackRequests: [UUID: TrackRequest] = [:]
    /// The measurement in progress, one per call.
    var tracking: [UUID: TrackSession] = [:]
    /// Work started from a call that outlives its message (keeping a reading): awaited before
    /// the application shuts its database down.
    private var pending: [UUID: Task<Void, Never>] = [:]
    private var drained = false

    /// Runs `work` outside the rooms' actor (a slow database must not hold up other calls),
    /// remembered until it is done.
    func keep(_ work: @escaping @Sendable () async -> Void) {
        // After the drain the database is closing: nothing new may start.
        guard !drained else { return }
        let id = UUID()
        pending[id] = Task {
            await work()
            await self.done(id)
        }
    }

    private func done(_ id: UUID) { pending[id] = nil }

    /// Waits for every piece of kept work (at shutdown).
    func drain() async {
        while let (id, task) = pending.first {
            await task.value
            pending[id] = nil
        }
        drained = true
    }
    /// Who the host has let in, by user: someone who reconnects (a dropped network, a reload)
    /// comes straight back in.
    private var admittedUsers: [UUID: Set<UUID>] = [:]
    /// When the host first let someone in: the visit timer counts from here.
    private var startedAt: [UUID: Date] = [:]

    func wasAdmitted(_ visitID: UUID, user: UUID) -> Bool { admittedUsers[visitID]?.contains(user) == true }

    func started(_ visitID: UUID) -> Date? { startedAt[visitID] }

    /// The call's start as stored (a restarted server, a host who reloads).
    func noteStart(_ visitID: UUID, _ date: Date?) {
        if startedAt[visitID] == nil, let date { startedAt[visitID] = date }
    }

    /// Adds a peer; the same user joining again (a reload, a reconnect) replaces their old socket.
    /// Nil when the call already holds `CallGuests.maxPeople` others.
    func join(_ visitID: UUID, _ peer: Peer) async -> [PeerInfo]? {
        var room = rooms[visitID] ?? [:]
        let replaced = room.values.filter { $0.userID == peer.userID }
        guard room.count - replaced.count < CallGuests.maxPeople else { return nil }
        for old in replaced {
            room[old.info.id] = nil
            await send(old, ["type": "error", "code": "replaced", "message": "This visit was opened in another window or device."])
            try? await old.socket.close(code: .normalClosure)
        }
        room[peer.info.id] = peer
        rooms[visitID] = room
        for old in replaced { await broadcast(visitID, ["type": "peer-left", "id": old.info.id], admittedOnly: false) }
        return room.values.filter { $0.info.id != peer.info.id }.map(\.current)
    }

    /// After the peer has its welcome: the host hears of a new arrival in the waiting room, an
    /// admitted peer (the host) meets those already in the call.
    func arrived(_ visitID: UUID, _ peerID: String) async {
        guard let peer = rooms[visitID]?[peerID] else { return }
        if peer.admitted {
            await announce(visitID, peer)
        } else {
            for host in (rooms[visitID] ?? [:]).values where host.host { await send(host, ["type": "waiting", "peer": Self.json(peer.current)]) }
        }
    }

    /// Who is waiting, for a host who (re)joins.
    func waiting(_ visitID: UUID) -> [PeerInfo] {
        (rooms[visitID] ?? [:]).values.filter { !$0.admitted }.map(\.current)
    }

    /// The host lets a waiting peer in. Returns whether this was the call's first admission.
    func admit(_ visitID: UUID, by hostID: String, peer peerID: String, at now: Date) async -> Bool? {
        guard let room = rooms[visitID], room[hostID]?.host == true, let peer = room[peerID], !peer.admitted else { return nil }
        let first = startedAt[visitID] == nil
        if first { startedAt[visitID] = now }
        peer.admitted = true
        admittedUsers[visitID, default: []].insert(peer.userID)
        var message: [String: Any] = ["type": "admitted"]
        if let start = startedAt[visitID] { message["startedAt"] = ISO8601DateFormatter().string(from: start) }
        await send(peer, message)
        await announce(visitID, peer)
        return first
    }

    /// Tells every admitted peer about `peer`, and `peer` about each of them.
    private func announce(_ visitID: UUID, _ peer: Peer) async {
        for other in (rooms[visitID] ?? [:]).values where other.admitted && other.info.id != peer.info.id {
            await send(other, ["type": "peer-joined", "peer": Self.json(peer.current)])
            await send(peer, ["type": "peer-joined", "peer": Self.json(other.current)])
        }
    }

    /// Passes a description or candidate between two admitted peers.
    func relay(_ visitID: UUID, from: String, to: String, data: Any) async {
        guard let room = rooms[visitID], room[from]?.admitted == true, let target = room[to], target.admitted else { return }
        await send(target, ["type": "signal", "from": from, "data": data])
    }

    func chat(_ visitID: UUID, from: String, text: String, at: Date) async {
        guard let sender = rooms[visitID]?[from], sender.admitted else { return }
        await broadcast(visitID, ["type": "chat", "from": from, "name": sender.info.name, "text": text,
                                  "at": ISO8601DateFormatter().string(from: at)], admittedOnly: true)
    }

    func leave(_ visitID: UUID, peer peerID: String, socket: WebSocket) async {
        // A replaced socket closing must not remove its successor.
        guard let peer = rooms[visitID]?[peerID], peer.socket === socket else { return }
        // Whatever they were measuring stops with its summary; a host's unanswered request is withdrawn.
        if tracking[visitID]?.peerID == peerID || (peer.host && trackRequests[visitID]?.by == peerID) { await stopTracking(visitID, by: peerID) }
        rooms[visitID]?[peerID] = nil
        if rooms[visitID]?.isEmpty == true { rooms[visitID] = nil }
        await broadcast(visitID, ["type": "peer-left", "id": peerID], admittedOnly: false)
    }

    /// The host ends the call: everyone is told and disconnected.
    func end(_ visitID: UUID) async {
        trackRequests[visitID] = nil
        tracking[visitID] = nil
        admittedUsers[visitID] = nil
        startedAt[visitID] = nil
        guard let room = rooms.removeValue(forKey: visitID) else { return }
        for peer in room.values {
            await send(peer, ["type": "ended"])
            try? await peer.socket.close(code: .normalClosure)
        }
    }

    func isHost(_ visitID: UUID, _ peerID: String) -> Bool { rooms[visitID]?[peerID]?.host == true }

    func count(_ visitID: UUID) -> Int { rooms[visitID]?.count ?? 0 }

    func broadcast(_ visitID: UUID, _ message: [String: Any], admittedOnly: Bool) async {
        for peer in (rooms[visitID] ?? [:]).values where peer.admitted || !admittedOnly {
            await send(peer, message)
        }
    }

    func send(_ peer: Peer, _ message: [String: Any]) async {
        guard let text = Self.text(message) else { return }
        try? await peer.socket.send(text)
    }

    /// A message as JSON text (made before any suspension, so no dictionary crosses tasks).
    static func text(_ message: [String: Any]) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: message) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    static func json(_ info: PeerInfo) -> [String: Any] {
        ["id": info.id, "name": info.name, "role": info.role, "admitted": info.admitted]
    }
}

struct CallRoomsKey: StorageKey { typealias Value = CallRooms }

/// At shutdown, readings still being kept are written before the database closes.
struct CallRoomsDrain: LifecycleHandler {
    func shutdownAsync(_ app: Application) async {
        await app.callRooms.drain()
    }
}

extension Application {
    /// The calls in progress in this process.
    var callRooms: CallRooms {
        guard let rooms = storage[CallRoomsKey.self] else { fatalError("configure(_:config:) makes the call rooms") }
        return rooms
    }
}

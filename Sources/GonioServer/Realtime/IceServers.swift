import Vapor

/// STUN and TURN servers for video calls. TURN credentials are short-lived, made with the
/// shared secret the TURN server also knows (coturn's `use-auth-secret` / REST API scheme):
/// the username is `expiry:user`, the password the base64 HMAC-SHA1 of the username.
public struct IceConfig: Sendable, Equatable {
    public var stun: [String] = []
    public var turn: [String] = []
    public var secret: String?
    public var ttl: Double = 3600

    public init() {}

    init(stun: String?, turn: String?, secret: String?, ttl: Double) throws {
        func urls(_ raw: String?, schemes: [String], name: String) throws -> [String] {
            let list = (raw ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for url in list where !schemes.contains(where: { url.hasPrefix($0 + ":") }) || url.count > 200 {
                throw AppConfig.Problem(description: "\(name) takes addresses such as \(schemes[0]):turn.example.org:3478, not '\(url.prefix(60))'.")
            }
            return list
        }
        self.stun = try urls(stun, schemes: ["stun", "stuns"], name: "GONIO_STUN_URLS")
        self.turn = try urls(turn, schemes: ["turn", "turns"], name: "GONIO_TURN_URLS")
        if !self.turn.isEmpty {
            guard let secret, secret.utf8.count >= 16 else {
                throw AppConfig.Problem(description: "GONIO_TURN_SECRET (at least 16 characters, the TURN server's static-auth-secret) is required with GONIO_TURN_URLS.")
            }
            self.secret = secret
        }
        self.ttl = ttl
    }

    struct Server: Codable, Sendable, Equatable {
        var urls: [String]
        var username: String?
        var credential: String?
    }

    /// The servers to hand one user's browser now.
    func servers(for user: UUID, now: Date) -> [Server] {
        var servers: [Server] = []
        if !stun.isEmpty { servers.append(Server(urls: stun)) }
        if !turn.isEmpty, let secret {
            let username = "\(Int(now.timeIntervalSince1970 + ttl)):\(user.uuidString.lowercased())"
            let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(username.utf8), using: SymmetricKey(data: Array(secret.utf8)))
            servers.append(Server(urls: turn, username: username, credential: Data(mac).base64EncodedString()))
        }
        return servers
    }
}

import Foundation
import GonioCore

/// All configuration, read once at start-up. Every environment variable Gonio reads is read here.
public struct AppConfig: Sendable {
    public enum Database: Sendable, Equatable {
        case sqliteFile(String)
        case sqliteMemory
        case postgres(url: String)

        public var kindName: String {
            switch self {
            case .sqliteFile, .sqliteMemory: "sqlite"
            case .postgres: "postgres"
            }
        }

        public var isSQLite: Bool { kindName == "sqlite" }

        /// Where the database is, for messages: the file, or the PostgreSQL host and port
        /// (never the password).
        public var location: String {
            switch self {
            case .sqliteFile(let path): path
            case .sqliteMemory: "memory"
            case .postgres(let url):
                URLComponents(string: url).map { "\($0.host ?? "?"):\($0.port ?? 5432)" } ?? "the DATABASE_URL server"
            }
        }
    }

    public var isProduction: Bool
    public var dataDirectory: String
    public var database: Database
    /// Key for hashing session tokens and signing pre-login CSRF tokens (HMAC-SHA256).
    public var secret: [UInt8]
    public var hostname: String
    public var port: Int
    /// The address people reach Gonio at; an https URL turns on Secure cookies and HSTS.
    public var publicURL: String?
    public var sessionPolicy: SessionPolicy
    public var loginThrottle: LoginThrottle
    /// Reverse proxies whose X-Forwarded-For hops are believed (GONIO_TRUSTED_PROXIES).
    public var trustedProxies: TrustedProxies
    /// Close a connection that sends and receives nothing for this long: an unfinished request
    /// head, a stalled client or an idle keep-alive (GONIO_IDLE_TIMEOUT_SECONDS).
    public var idleTimeout: Double = 15
    /// Refuse a request whose body has not fully arrived this long after its head
    /// (GONIO_BODY_TIMEOUT_SECONDS).
    public var bodyTimeout: Double = 30
    /// The largest picture or video a clinic may attach to an exercise (GONIO_MEDIA_MAX_MB).
    public var mediaMaxBytes: Int = 50 * 1024 * 1024
    /// Where uploaded media are kept: `media/` in the data directory.
    public var mediaDirectory: String { (dataDirectory as NSString).appendingPathComponent("media") }
    public var compact: CompactMembership
    /// Video calls: how early before the start participants may join (GONIO_CALL_EARLY_MINUTES),
    /// and the STUN/TURN servers browsers use (see README, "Video visits in production").
    public var callEarlyMinutes: Int = 10
    /// Where the browser loads the pose model for camera counting (MediaPipe Tasks Vision:
    /// `vision_bundle.mjs`, its `wasm/` folder and `pose_landmarker_lite.task`), or nil: the
    /// player then counts by tapping and says why.
    public var poseModelURL: String?
    /// The job worker (reminders) runs inside `gonio serve` unless GONIO_JOBS=off, looking for
    /// due jobs every GONIO_JOBS_POLL_SECONDS. Tests run jobs by hand.
    public var runJobs: Bool = false
    public var jobsPollSeconds: Double = 15
    /// The mail server (GONIO_SMTP_URL, e.g. smtp://user:password@mail.example.org:587) and the
    /// sender address (GONIO_MAIL_FROM). Without a server, emails are kept in the outbox.
    public var smtpURL: String?
    /// Card payments through a provider with the Stripe API's shape: the secret key
    /// (GONIO_STRIPE_SECRET_KEY), the webhook signing secret (GONIO_STRIPE_WEBHOOK_SECRET) and
    /// the API's address (GONIO_STRIPE_API_BASE, https://api.stripe.com unless a test points it
    /// at a local stand-in). Nil: no online payment; invoices are paid at the desk.
    public var payments: PaymentSettings?
    public var mailFrom: String = "no-reply@gonio.invalid"
    public var ice = IceConfig()
    /// Seed demo data into an empty database (never in production).
    public var seedDemoData: Bool
    public var logLevel: String
    public var jsonLogs: Bool
    /// How long a request waits for a database connection before it is told Gonio is busy
    /// (503), in seconds (GONIO_DB_WAIT_SECONDS).
    public var databaseWait: Double = 10
    /// PostgreSQL connections per event loop (GONIO_DB_POOL_PER_LOOP).
    public var databasePoolPerLoop: Int = 4
    /// PostgreSQL schemas to use (tests give each run its own); empty = the server default.
    public var postgresSearchPath: [String] = []
    /// bcrypt cost; 12 in use (about 0.25 s a hash here), lowered only by tests.
    public var passwordCost: Int

    public var secureCookies: Bool { publicURL?.lowercased().hasPrefix("https://") ?? false }

    public init(
        isProduction: Bool = false, dataDirectory: String = "./data", database: Database = .sqliteMemory,
        secret: [UInt8] = Array(repeating: 7, count: 32), hostname: String = "127.0.0.1", port: Int = 8080,
        publicURL: String? = nil, sessionPolicy: SessionPolicy = .standard, loginThrottle: LoginThrottle = .standard,
        trustedProxies: TrustedProxies = .none, compact: CompactMembership = .snapshot, seedDemoData: Bool = false,
        logLevel: String = "info", jsonLogs: Bool = false, passwordCost: Int = 12
    ) {
        self.isProduction = isProduction
        self.dataDirectory = dataDirectory
        self.database = database
        self.secret = secret
        self.hostname = hostname
        self.port = port
        self.publicURL = publicURL
        self.sessionPolicy = sessionPolicy
        self.loginThrottle = loginThrottle
        self.trustedProxies = trustedProxies
        self.compact = compact
        self.seedDemoData = seedDemoData
        self.logLevel = logLevel
        self.jsonLogs = jsonLogs
        self.passwordCost = passwordCost
    }

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads the environment. Fails fast: a malformed value or, in production, a missing secret
    /// stops start-up with a message naming the variable.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        func value(_ key: String) -> String? {
            guard let v = env[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        func minutes(_ key: String, default d: Double) throws -> Double {
            guard let raw = value(key) else { return d * 60 }
            guard let n = Double(raw), n > 0, n <= 7 * 24 * 60 else {
                throw Problem(description: "\(key) must be a number of minutes between 1 and 10080, not '\(raw)'.")
            }
            return n * 60
        }

        let production = value("GONIO_ENV")?.lowercased() == "production"
        let dataDir = value("GONIO_DATA_DIR") ?? "./data"

        let database: Database
        if let url = value("DATABASE_URL") {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw Problem(description: "DATABASE_URL must be a postgres:// URL; leave it unset to use SQLite.")
            }
            database = .postgres(url: url)
        } else {
            database = .sqliteFile(dataDir + "/gonio.sqlite")
        }

        let secret: [UInt8]
        if let raw = value("GONIO_SECRET") {
            guard raw.utf8.count >= 32 else { throw Problem(description: "GONIO_SECRET must be at least 32 characters.") }
            secret = Array(raw.utf8)
        } else if production {
            throw Problem(description: "GONIO_SECRET is required in production (at least 32 random characters).")
        } else {
            secret = try Self.developmentSecret(in: dataDir)
        }
        if production, case .sqliteFile = database, value("GONIO_ALLOW_SQLITE") != "1" {
            throw Problem(description: "DATABASE_URL is required in production (set GONIO_ALLOW_SQLITE=1 to run a single-node SQLite deployment on purpose).")
        }
        let poolText = value("GONIO_DB_POOL_PER_LOOP") ?? "4"
        guard let pool = Int(poolText), (1...64).contains(pool) else {
            throw Problem(description: "GONIO_DB_POOL_PER_LOOP must be a number from 1 to 64, not '\(poolText)'.")
        }
        let publicURL = value("GONIO_PUBLIC_URL")
        if production, publicURL == nil || !(publicURL ?? "").lowercased().hasPrefix("https://") {
            throw Problem(description: "GONIO_PUBLIC_URL is required in production and must be an https:// address (e.g. https://pt.example.org): cookies are marked Secure and HSTS is sent only then.")
        }

        if value("GONIO_TRUST_PROXY") != nil {
            throw Problem(description: "GONIO_TRUST_PROXY was replaced by GONIO_TRUSTED_PROXIES: list your proxies' addresses or CIDR ranges (e.g. 127.0.0.1,10.0.0.0/8).")
        }
        let trustedProxies: TrustedProxies
        do {
            trustedProxies = try TrustedProxies(parsing: value("GONIO_TRUSTED_PROXIES") ?? "")
        } catch {
            throw Problem(description: "GONIO_TRUSTED_PROXIES: \(error.message)")
        }
        func seconds(_ key: String, default d: Double) throws -> Double {
            guard let raw = value(key) else { return d }
            guard let n = Double(raw), n >= 1, n <= 3600 else {
                throw Problem(description: "\(key) must be a number of seconds between 1 and 3600, not '\(raw.prefix(40))'.")
            }
            return n
        }

        let portText = value("PORT") ?? "8080"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw Problem(description: "PORT must be a number between 1 and 65535, not '\(portText)'.")
        }

        var compact = CompactMembership.snapshot
        if let states = value("GONIO_PT_COMPACT_STATES") {
            do {
                let members = try states.split(separator: ",").map { try Jurisdiction(String($0)) }
                let asOf = try CalendarDay(value("GONIO_PT_COMPACT_AS_OF") ?? "1900-01-01")
                compact = CompactMembership(asOf: asOf, members: Set(members))
            } catch {
                throw Problem(description: "GONIO_PT_COMPACT_STATES must be comma-separated state codes (AZ,CO,...) and GONIO_PT_COMPACT_AS_OF a YYYY-MM-DD date: \(error)")
            }
        }

        var config = AppConfig(
            isProduction: production,
            dataDirectory: dataDir,
            database: database,
            secret: secret,
            hostname: value("HOST") ?? "127.0.0.1",
            port: port,
            publicURL: publicURL,
            sessionPolicy: SessionPolicy(
                idleTimeout: try minutes("GONIO_SESSION_IDLE_MINUTES", default: 30),
                absoluteTimeout: try minutes("GONIO_SESSION_ABSOLUTE_MINUTES", default: 12 * 60)
            ),
            loginThrottle: .standard,
            trustedProxies: trustedProxies,
            compact: compact,
            seedDemoData: !production && value("GONIO_SEED_DEMO") != "0",
            logLevel: value("LOG_LEVEL") ?? (production ? "notice" : "info"),
            jsonLogs: value("GONIO_LOG_FORMAT") == "json" || (production && value("GONIO_LOG_FORMAT") != "text")
        )
        config.databasePoolPerLoop = pool
        config.idleTimeout = try seconds("GONIO_IDLE_TIMEOUT_SECONDS", default: 15)
        config.bodyTimeout = try seconds("GONIO_BODY_TIMEOUT_SECONDS", default: 30)
        config.databaseWait = try seconds("GONIO_DB_WAIT_SECONDS", default: 10)
        config.runJobs = value("GONIO_JOBS") != "off"
        config.jobsPollSeconds = try seconds("GONIO_JOBS_POLL_SECONDS", default: 15)
        config.smtpURL = value("GONIO_SMTP_URL")
        if let from = value("GONIO_MAIL_FROM") { config.mailFrom = from }
        if let url = config.smtpURL { _ = try SMTPSettings(url: url, from: config.mailFrom) }
        if let raw = value("GONIO_CALL_EARLY_MINUTES") {
            guard let minutes = Int(raw), (0...10_080).contains(minutes) else {
                throw Problem(description: "GONIO_CALL_EARLY_MINUTES must be a whole number of minutes from 0 to 10080.")
            }
            config.callEarlyMinutes = minutes
        }
        if let raw = value("GONIO_POSE_MODEL_URL") {
            let url = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
            guard url.hasPrefix("/") || url.hasPrefix("https://") || url.hasPrefix("http://localhost") || url.hasPrefix("http://127.0.0.1"),
                  !url.contains(" "), !url.contains("'"), !url.contains(";")
            else {
                throw Problem(description: "GONIO_POSE_MODEL_URL is a path on this server (/pose-model) or an https:// address.")
            }
            config.poseModelURL = url
        }
        config.ice = try IceConfig(stun: value("GONIO_STUN_URLS"), turn: value("GONIO_TURN_URLS"), secret: value("GONIO_TURN_SECRET"),
                                   ttl: try seconds("GONIO_TURN_TTL_SECONDS", default: 3600))
        if let key = value("GONIO_STRIPE_SECRET_KEY") {
            guard let webhook = value("GONIO_STRIPE_WEBHOOK_SECRET"), !webhook.isEmpty, !key.isEmpty else {
                throw Problem(description: "GONIO_STRIPE_SECRET_KEY needs GONIO_STRIPE_WEBHOOK_SECRET: payments are confirmed only by signed webhooks.")
            }
            let base = value("GONIO_STRIPE_API_BASE") ?? "https://api.stripe.com"
            guard base.hasPrefix("https://") || base.hasPrefix("http://127.0.0.1") || base.hasPrefix("http://localhost") else {
                throw Problem(description: "GONIO_STRIPE_API_BASE is an https:// address (or a local one for tests).")
            }
            config.payments = PaymentSettings(apiBase: base.hasSuffix("/") ? String(base.dropLast()) : base, secretKey: key, webhookSecret: webhook)
        }
        if let raw = value("GONIO_MEDIA_MAX_MB") {
            guard let mb = Int(raw), (1...2048).contains(mb) else {
                throw Problem(description: "GONIO_MEDIA_MAX_MB must be a whole number of megabytes from 1 to 2048.")
            }
            config.mediaMaxBytes = mb * 1024 * 1024
        }
        return config
    }

    /// Outside production a random secret is made once and kept in the data directory, so
    /// sessions survive a restart without any set-up.
    static func developmentSecret(in dataDir: String) throws -> [UInt8] {
        let path = dataDir + "/secret"
        let fm = FileManager.default
        if let data = fm.contents(atPath: path), data.count >= 32 { return Array(data) }
        try fm.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        var bytes = [UInt8](repeating: 0, count: 48)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: .min ... .max, using: &rng) }
        guard fm.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw Problem(description: "Could not write \(path); check GONIO_DATA_DIR.")
        }
        return bytes
    }
}

public struct PaymentSettings: Sendable {
    public var apiBase: String
    public var secretKey: String
    public var webhookSecret: String

    public init(apiBase: String, secretKey: String, webhookSecret: String) {
        self.apiBase = apiBase
        self.secretKey = secretKey
        self.webhookSecret = webhookSecret
    }
}

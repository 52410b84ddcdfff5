import Vapor
import GonioCore

struct ConfigKey: StorageKey { typealias Value = AppConfig }

extension Application {
    var gonioConfig: AppConfig {
        get {
            guard let config = storage[ConfigKey.self] else { fatalError("configure(_:config:) sets AppConfig first") }
            return config
        }
        set { storage[ConfigKey.self] = newValue }
    }
}

extension CalendarDay {
    /// The UTC calendar day of an instant. A Gregorian date's parts are always a valid day.
    init(utc date: Date) {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        self = try! CalendarDay(year: parts.year!, month: parts.month!, day: parts.day!)
    }
}

extension Request {
    var config: AppConfig { application.gonioConfig }

    /// The caller's address: the socket peer, or the first X-Forwarded-For hop when Gonio is
    /// configured to sit behind a trusted proxy.
    var clientAddress: String {
        if config.trustProxy, let forwarded = headers.first(name: "X-Forwarded-For")?
            .split(separator: ",").first?.trimmingCharacters(in: .whitespaces), !forwarded.isEmpty {
            return String(forwarded.prefix(64))
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }

    /// Seconds since 1970, for Core rules that take `now`.
    var now: Date { Date() }

    var requestID: String? { logger[metadataKey: "request-id"].map { "\($0)" } }

    /// Today as a calendar day in UTC, for licence expiry checks. Licences expire at the end
    /// of the printed date in the issuing state's time; UTC can be a few hours off at the edges
    /// (noted as uncertain in the issue).
    var today: CalendarDay { CalendarDay(utc: now) }

    /// Whether the client wants a web page rather than JSON.
    var wantsHTML: Bool {
        !url.path.hasPrefix("/api/") && (headers.accept.mediaTypes.contains(.html) || headers.accept.isEmpty && method == .GET)
    }
}

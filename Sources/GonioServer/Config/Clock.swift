import Foundation

/// Where "now" comes from. The server reads the system clock; tests set one and move it, so
/// expiry, due dates and throttling windows can be tried without waiting.
struct GonioClock: Sendable {
    private let read: @Sendable () -> Date

    init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    func now() -> Date { read() }

    static let system = GonioClock { Date() }

    /// A clock that stands still at `date` until moved.
    static func manual(_ date: Date) -> (GonioClock, ManualTime) {
        let time = ManualTime(date)
        return (GonioClock { time.current }, time)
    }
}

/// The time a manual clock shows; `advance` moves it on.
final class ManualTime: @unchecked Sendable {
    private let lock = NSLock()
    private var date: Date

    init(_ date: Date) { self.date = date }

    var current: Date { lock.withLock { date } }

    func advance(by seconds: TimeInterval) {
        lock.withLock { date = date.addingTimeInterval(seconds) }
    }

    func set(_ date: Date) {
        lock.withLock { self.date = date }
    }
}

#if canImport(Foundation)
import Foundation

/// iCalendar (RFC 5545) text for visits: one event for a confirmation or a download, many for
/// a calendar feed. Events carry no health details: the visit type, the other person's name,
/// where it happens and a link back to Gonio.
public enum ICalendar {
    public struct Event: Equatable, Sendable {
        public var uid: String
        public var sequence: Int
        public var start: Date
        public var end: Date
        public var summary: String
        public var location: String?
        public var description: String?
        public var url: String?
        public var cancelled: Bool

        public init(uid: String, sequence: Int, start: Date, end: Date, summary: String, location: String? = nil,
                    description: String? = nil, url: String? = nil, cancelled: Bool = false) {
            self.uid = uid
            self.sequence = sequence
            self.start = start
            self.end = end
            self.summary = summary
            self.location = location
            self.description = description
            self.url = url
            self.cancelled = cancelled
        }
    }

    /// A VCALENDAR with `events`. `stamp` is when the text was made (DTSTAMP).
    public static func calendar(_ events: [Event], name: String? = nil, stamp: Date) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Gonio//Visits//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
        if let name { lines.append("X-WR-CALNAME:" + escape(name)) }
        for e in events {
            lines.append("BEGIN:VEVENT")
            lines.append("UID:" + escape(e.uid))
            lines.append("DTSTAMP:" + utc(stamp))
            lines.append("DTSTART:" + utc(e.start))
            lines.append("DTEND:" + utc(e.end))
            lines.append("SEQUENCE:\(max(0, e.sequence))")
            lines.append("SUMMARY:" + escape(e.summary))
            if let location = e.location { lines.append("LOCATION:" + escape(location)) }
            if let description = e.description { lines.append("DESCRIPTION:" + escape(description)) }
            if let url = e.url { lines.append("URL:" + url.filter { !$0.isNewline && $0 != " " }) }
            lines.append("STATUS:" + (e.cancelled ? "CANCELLED" : "CONFIRMED"))
            lines.append("TRANSP:OPAQUE")
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// `20261201T170000Z`.
    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ n: Int?, _ w: Int = 2) -> String {
            let s = String(n ?? 0)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return pad(c.year, 4) + pad(c.month) + pad(c.day) + "T" + pad(c.hour) + pad(c.minute) + pad(c.second) + "Z"
    }

    /// TEXT values escape backslash, semicolon, comma and line breaks (RFC 5545 §3.3.11).
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n": out += "\\n"
            case "\r": continue
            default:
                if let ascii = ch.asciiValue, ascii < 0x20 || ascii == 0x7F { continue }
                out.append(ch)
            }
        }
        return out
    }

    /// Lines longer than 75 octets continue on lines starting with a space (§3.1), never
    /// splitting a UTF-8 character.
    static func fold(_ line: String) -> String {
        var result = ""
        var count = 0
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            if count + size > 75 {
                result += "\r\n "
                count = 1
            }
            result.unicodeScalars.append(scalar)
            count += size
        }
        return result
    }
}
#endif

/// Secure messages between a patient's side and their care team: what a message may hold.
public struct MessageDraft: Equatable, Sendable {
    /// What a message may point at: an exercise of the plan, or one practice log ("is this pain normal?").
    public enum Reference: Equatable, Sendable {
        case exercise(String)
        case log(String)

        /// From its kind and id as sent ("exercise" or "log").
        public init(kind: String, id: String) throws(DomainError) {
            switch kind {
            case "exercise": self = .exercise(id)
            case "log": self = .log(id)
            default: throw .invalid("reference-invalid", "A reference's kind is exercise or log.")
            }
        }

        public var kind: String { if case .exercise = self { "exercise" } else { "log" } }
        public var id: String { switch self { case .exercise(let id), .log(let id): id } }
    }

    public struct Attachment: Equatable, Sendable {
        public var mediaType: String
        public var bytes: [UInt8]

        public init(mediaType: String, bytes: [UInt8]) {
            self.mediaType = mediaType
            self.bytes = bytes
        }
    }

    public var body: String
    public var reference: Reference?
    public var attachment: Attachment?

    public init(body: String, reference: Reference? = nil, attachment: Attachment? = nil) {
        self.body = body
        self.reference = reference
        self.attachment = attachment
    }

    public static let maxLength = 4000
    public static let maxAttachmentBytes = 5 << 20
    /// Photos only: what phones take and browsers show; checked by their first bytes too.
    public static let imageTypes = ["image/jpeg", "image/png", "image/webp"]

    public func validated() throws(DomainError) -> MessageDraft {
        var out = self
        out.body = body.trimmingWhitespace()
        guard out.body.count <= Self.maxLength else { throw .invalid("message-too-long", "A message is at most \(Self.maxLength) characters.") }
        guard !out.body.isEmpty || attachment != nil else { throw .invalid("message-empty", "Write a message or attach a photo.") }
        guard !out.body.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F }) else {
            throw .invalid("message-invalid", "The message has characters that cannot be shown.")
        }
        if let reference {
            guard (1...80).contains(reference.id.count), reference.id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw .invalid("reference-invalid", "A reference is an exercise id or a log id.")
            }
        }
        if let a = attachment {
            guard Self.imageTypes.contains(a.mediaType) else { throw .invalid("attachment-type", "Attach a photo: JPEG, PNG or WebP.") }
            guard !a.bytes.isEmpty, a.bytes.count <= Self.maxAttachmentBytes else {
                throw .invalid("attachment-too-large", "A photo is at most \(Self.maxAttachmentBytes >> 20) MB.")
            }
            guard Self.sniff(a.bytes) == a.mediaType else { throw .invalid("attachment-type", "The file is not the kind of image it says it is.") }
        }
        return out
    }

    /// The image type its first bytes say, or nil.
    public static func sniff(_ b: [UInt8]) -> String? {
        if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return "image/jpeg" }
        if b.count >= 8, b.prefix(8).elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if b.count >= 12, b.prefix(4).elementsEqual([0x52, 0x49, 0x46, 0x46]), b[8..<12].elementsEqual([0x57, 0x45, 0x42, 0x50]) { return "image/webp" }
        return nil
    }
}

/// How quickly the care team answers: for each message from the patient's side, the time to
/// the next answer from the care team in the same conversation.
public enum ResponseTimes {
    public struct Sent: Sendable {
        public var thread: String
        public var at: Double
        public var fromCareTeam: Bool

        public init(thread: String, at: Double, fromCareTeam: Bool) {
            self.thread = thread
            self.at = at
            self.fromCareTeam = fromCareTeam
        }
    }

    /// Seconds from the first unanswered patient-side message to the care team's answer, one per
    /// answer; a run of patient messages counts from its first.
    public static func waits(_ messages: [Sent]) -> [Double] {
        var out: [Double] = []
        for thread in Set(messages.map(\.thread)) {
            var waitingSince: Double?
            for m in messages.filter({ $0.thread == thread }).sorted(by: { $0.at < $1.at }) {
                if m.fromCareTeam {
                    if let since = waitingSince { out.append(m.at - since) }
                    waitingSince = nil
                } else if waitingSince == nil {
                    waitingSince = m.at
                }
            }
        }
        return out.sorted()
    }

    public static func median(_ sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// "2 h 15 min", "35 min", "3 days".
    public static func words(_ seconds: Double) -> String {
        let minutes = Int((seconds / 60).rounded())
        if minutes < 60 { return "\(max(1, minutes)) min" }
        let hours = minutes / 60
        if hours < 48 { return minutes % 60 == 0 ? "\(hours) h" : "\(hours) h \(minutes % 60) min" }
        return "\(Int((Double(hours) / 24).rounded())) days"
    }
}

import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// One email: plain text, optionally with an iCalendar attachment.
struct OutgoingMail: Sendable, Equatable {
    var to: String
    var subject: String
    var text: String
    /// RFC 5545 text, attached as `invite.ics` (text/calendar; method=PUBLISH).
    var calendar: String?
}

/// Sends reminders and visit confirmations; jobs depend on this, tests may record instead.
protocol MailSender: Sendable {
    func send(_ mail: OutgoingMail) async throws
}

// MARK: - Settings

/// Where and how to hand mail over, from one URL (e.g. `smtp://user:secret@mail.example.org:587`).
struct SMTPSettings: Sendable, Equatable {
    enum Security: String, Sendable {
        /// Plain text throughout (`?starttls=never`).
        case none
        /// Upgrade with STARTTLS when the server offers it (see `startTLSRequired`).
        case startTLS
        /// TLS from the first byte (`smtps://`).
        case tls
    }

    var host: String
    var port: Int
    var username: String?
    var password: String?
    var security: Security
    /// With `.startTLS`: refuse to send when the server does not offer it (`?starttls=required`),
    /// rather than carrying on in plain text.
    var startTLSRequired = false
    var from: String
    /// The name Gonio gives itself in EHLO: the sender's domain, which is stable, where the
    /// machine's own name is often a container id.
    var heloName: String

    /// Parses `smtp://[user:password@]host[:port]` (port 25 by default; STARTTLS is used when the server offers it, unless `?starttls=never`; `?starttls=required` refuses to send without it) or `smtps://...` (TLS from the start, port 465 by default). User and password are percent-decoded. Throws AppConfig.Problem (see Sources/GonioServer/Config/AppConfig.swift) with a clear message on anything malformed (no host, bad port, other schemes, a `from` that is not an email address).
    init(url: String, from: String) throws {
        // Messages never repeat the URL: it may hold a password.
        func problem(_ message: String) -> AppConfig.Problem {
            AppConfig.Problem(description: "The SMTP URL (GONIO_SMTP_URL) \(message)")
        }
        guard let schemeEnd = url.range(of: "://") else {
            throw problem("must look like smtp://[user:password@]host[:port] or smtps://...")
        }
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case "smtp": security = .startTLS; port = 25
        case "smtps": security = .tls; port = 465
        default: throw problem("must start with smtp:// or smtps://.")
        }
        var rest = url[schemeEnd.upperBound...]

        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...] == "/" else { throw problem("must not have a path.") }
            rest = rest[..<slash]
        }

        // The last @ ends the credentials, so an unencoded @ in a password still parses.
        var hostAndPort = rest
        username = nil
        password = nil
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            hostAndPort = rest[rest.index(after: at)...]
            guard let colon = credentials.firstIndex(of: ":") else {
                throw problem("has a user name but no password (smtp://user:password@host).")
            }
            guard let user = String(credentials[..<colon]).removingPercentEncoding,
                  let secret = String(credentials[credentials.index(after: colon)...]).removingPercentEncoding
            else { throw problem("has a malformed %-escape in its user name or password.") }
            guard !user.isEmpty else { throw problem("has a password but no user name.") }
            guard !secret.isEmpty else { throw problem("has a user name but no password (smtp://user:password@host).") }
            username = user
            password = secret
        }

        var portText: Substring?
        if hostAndPort.hasPrefix("[") {
            // An IPv6 address: [::1]:25.
            guard let close = hostAndPort.firstIndex(of: "]") else { throw problem("has an unclosed [ in its host.") }
            host = String(hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close])
            let after = hostAndPort[hostAndPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw problem("has something after its host that is not a port.") }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw problem("has a malformed IPv6 host.")
            }
        } else {
            let parts = hostAndPort.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw problem("has more than one : after its host.") }
            host = String(parts[0])
            portText = parts.count == 2 ? parts[1] : nil
            guard !host.isEmpty else { throw problem("has no host (smtp://mail.example.org).") }
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }) else {
                throw problem("has a host with characters a host name cannot have.")
            }
        }
        if let portText {
            guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
                  let number = Int(portText), (1...65_535).contains(number)
            else { throw problem("must have a port between 1 and 65535.") }
            port = number
        }

        for item in query.split(separator: "&") {
            guard item == "starttls=never" || item == "starttls=required" else {
                throw problem("has an unknown option; only ?starttls=never or ?starttls=required are understood.")
            }
            guard security != .tls else { throw problem("cannot set starttls with smtps://, which is TLS from the start.") }
            guard security == .startTLS, !startTLSRequired else { throw problem("may set starttls only once.") }
            if item == "starttls=never" { security = .none } else { startTLSRequired = true }
        }

        if let reason = MailMessage.addressProblem(from) {
            throw AppConfig.Problem(description: "The sender address (GONIO_MAIL_FROM) is not an email address: it \(reason).")
        }
        self.from = from
        heloName = MailMessage.domain(of: from)
    }
}

// MARK: - Errors

/// The mail server said no, said nothing, or could not be reached.
struct SMTPError: Error, CustomStringConvertible {
    /// What Gonio was doing: the command without its arguments ("RCPT TO", "AUTH PLAIN"), so no
    /// address or credential ends up in a log; or "connect", "greeting".
    var command: String
    /// The server's reply as it came, or what went wrong instead.
    var reply: String

    var description: String { "SMTP \(command) failed: \(reply)" }
}

/// A mail that cannot be sent as it is: a malformed address or a line break in a header.
struct InvalidMail: Error, CustomStringConvertible {
    var description: String
}

// MARK: - The message (RFC 5322, MIME: RFC 2045-2047)

/// Builds the text sent after DATA. Everything it writes is 7-bit ASCII with CRLF line ends, so
/// no server needs 8BITMIME or SMTPUTF8 and nothing is re-encoded on the way.
enum MailMessage {
    static func render(_ mail: OutgoingMail, from: String, date: Date, id: UUID = UUID(),
                       boundary: String = "=_gonio_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")) throws -> String {
        if let reason = addressProblem(from) { throw InvalidMail(description: "The sender address \(reason).") }
        if let reason = addressProblem(mail.to) { throw InvalidMail(description: "The recipient address \(reason).") }
        var headers = [
            "Date: \(rfc5322Date(date))",
            "From: \(from)",
            "To: \(mail.to)",
            try subjectHeader(mail.subject),
            "Message-ID: <\(id.uuidString.lowercased())@\(domain(of: from))>",
            "MIME-Version: 1.0",
        ]
        let textPart = [
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            quotedPrintable(mail.text),
        ]
        guard let calendar = mail.calendar else {
            return (headers + textPart).joined(separator: "\r\n") + "\r\n"
        }
        // "=_" cannot occur in quoted-printable or base64 text, so the boundary never clashes.
        headers.append("Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
        let lines = headers + [
            "",
            "--\(boundary)",
        ] + textPart + [
            "--\(boundary)",
            "Content-Type: text/calendar; charset=utf-8; method=PUBLISH",
            "Content-Disposition: attachment; filename=\"invite.ics\"",
            "Content-Transfer-Encoding: base64",
            "",
            base64Lines(calendar),
            "--\(boundary)--",
        ]
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Why `address` cannot be used, or nil. Plain `local@domain` only: no display names, no
    /// spaces, controls or line breaks (so nothing can be smuggled into a header or an SMTP
    /// command), ASCII only (Gonio does not negotiate SMTPUTF8), at most 254 characters (RFC 5321).
    static func addressProblem(_ address: String) -> String? {
        guard !address.isEmpty else { return "is empty" }
        guard address.utf8.count <= 254 else { return "is longer than 254 characters" }
        guard address.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            return "may hold only ASCII letters, digits and punctuation: no spaces, line breaks or other characters"
        }
        guard !address.contains(where: { "<>()[]\\,;:\"".contains($0) }) else {
            return "must be a bare address (name@example.org), without a name, brackets or quotes"
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return "must have exactly one @" }
        guard !parts[0].isEmpty, parts[0].utf8.count <= 64 else { return "must have 1 to 64 characters before the @" }
        let domain = parts[1]
        guard !domain.isEmpty, !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains(".."),
              domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" })
        else { return "must have a domain name after the @" }
        return nil
    }

    /// The part after the @ of an address that passed `addressProblem`.
    static func domain(of address: String) -> String {
        address.split(separator: "@").last.map(String.init) ?? address
    }

    /// "Tue, 03 Mar 2026 14:05:09 +0000": RFC 5322 §3.3, always in UTC.
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute, .second], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { let n = n ?? 0; return n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    /// The whole `Subject:` header. Plain ASCII is folded at spaces to keep lines under 78
    /// characters; anything else becomes RFC 2047 encoded words, one per folded line.
    static func subjectHeader(_ subject: String) throws -> String {
        // A line break would end the header and start one of the sender's choosing.
        guard !subject.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) else {
            throw InvalidMail(description: "The subject may not hold line breaks or other control characters.")
        }
        let plain = subject.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        let words = subject.split(separator: " ", omittingEmptySubsequences: false)
        // "=?" would read as the start of an encoded word; a word too long to fold needs encoding too.
        if plain, !subject.contains("=?"), words.allSatisfy({ $0.utf8.count <= 60 }) {
            var lines = ["Subject:"]
            for word in words {
                if lines[lines.count - 1].utf8.count + 1 + word.utf8.count > 78, !word.isEmpty {
                    lines.append("")
                }
                lines[lines.count - 1] += " " + word
            }
            return lines.joined(separator: "\r\n")
        }
        // 39 bytes of UTF-8 make 52 base64 characters: "Subject: " plus one 64-character
        // encoded word stays under 78. Chunks end between scalars, never inside one.
        var chunks: [[UInt8]] = [[]]
        for scalar in subject.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunks[chunks.count - 1].count + bytes.count > 39 { chunks.append([]) }
            chunks[chunks.count - 1] += bytes
        }
        let encoded = chunks.map { "=?UTF-8?B?\(Data($0).base64EncodedString())?=" }
        return "Subject: " + encoded.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045 §6.7): lines of at most 76 characters, with soft breaks ("=" at
    /// the end of a line) where a long line is cut; the text's own line breaks become CRLF.
    static func quotedPrintable(_ text: String) -> String {
        lines(of: text).map(quotedPrintableLine).joined(separator: "\r\n")
    }

    private static func quotedPrintableLine(_ bytes: [UInt8]) -> String {
        var output: [String] = []
        var line = ""
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal: Bool
            switch byte {
            // Spaces and tabs are kept, except at a line's end, where mail software strips them.
            case 0x20, 0x09: literal = !isLast
            case 0x21...0x3C, 0x3E...0x7E: literal = true
            default: literal = false
            }
            var token = literal ? String(UnicodeScalar(byte)) : "=" + hex(byte)
            // Room for the token and the "=" of a soft break.
            if line.utf8.count + token.utf8.count > 75 {
                output.append(line + "=")
                line = ""
            }
            // A line starting "From " is mangled to ">From " in mbox files: hide its F.
            if line.isEmpty, bytes[index...].starts(with: "From ".utf8) { token = "=46" }
            line += token
        }
        output.append(line)
        return output.joined(separator: "\r\n")
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// The text's lines as UTF-8, whatever it used to end them (CRLF, LF or a lone CR).
    private static func lines(of text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = [[]]
        var afterCR = false
        for byte in text.utf8 {
            if byte == 0x0A, afterCR { afterCR = false; continue }
            afterCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D { lines.append([]) } else { lines[lines.count - 1].append(byte) }
        }
        return lines
    }

    /// Base64 in lines of 76 characters (RFC 2045 §6.8).
    static func base64Lines(_ text: String) -> String {
        let encoded = Array(Data(text.utf8).base64EncodedString().utf8)
        return stride(from: 0, to: encoded.count, by: 76)
            .map { String(decoding: encoded[$0..<min($0 + 76, encoded.count)], as: UTF8.self) }
            .joined(separator: "\r\n")
    }

    /// The message as sent after DATA: a line starting with "." gets a second one (RFC 5321
    /// §4.5.2), so no line of ours can end the message early; then the closing ".".
    static func dataTransfer(_ message: String) -> String {
        let stuffed = message.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }
        return stuffed.joined(separator: "\r\n") + (message.hasSuffix("\r\n") ? "" : "\r\n") + ".\r\n"
    }
}

// MARK: - The SMTP client

/// Hands mail to an SMTP server itself, over SwiftNIO: one connection per mail, one command at a
/// time (no pipelining), every reply checked.
struct SMTPMailer: MailSender {
    var settings: SMTPSettings
    var eventLoopGroup: any EventLoopGroup
    /// How long to wait for each reply (and for the connection to open).
    var replyTimeout: TimeAmount = .seconds(30)
    /// Certificates are checked against the system's roots and the host name; tests trust their own.
    var tlsConfiguration = TLSConfiguration.makeClientConfiguration()

    init(settings: SMTPSettings, eventLoopGroup: any EventLoopGroup) {
        self.settings = settings
        self.eventLoopGroup = eventLoopGroup
    }

    func send(_ mail: OutgoingMail) async throws {
        // Build first: a malformed mail never opens a connection.
        let message = try MailMessage.render(mail, from: settings.from, date: Date())
        let connection = try await connect()
        do {
            try await deliver(message, to: mail.to, over: connection)
            connection.close()
        } catch {
            connection.close()
            throw error
        }
    }

    private func deliver(_ message: String, to recipient: String, over connection: SMTPConnection) async throws {
        _ = try await connection.greeting()
        var hello = try await connection.exchange("EHLO \(settings.heloName)", command: "EHLO", expecting: [250])
        var encrypted = settings.security == .tls

        if settings.security == .startTLS {
            if hello.offers("STARTTLS") {
                _ = try await connection.exchange("STARTTLS", command: "STARTTLS", expecting: [220])
                try await connection.startTLS(try tlsContext(), serverHostname: Self.serverName(settings.host))
                // What the server said before TLS may have been tampered with: ask again (RFC 3207 §4.2).
                hello = try await connection.exchange("EHLO \(settings.heloName)", command: "EHLO", expecting: [250])
                encrypted = true
            } else if settings.startTLSRequired {
                throw SMTPError(command: "STARTTLS", reply: "the server does not offer STARTTLS, and the SMTP URL requires it (?starttls=required)")
            }
        }

        if let username = settings.username {
            guard encrypted || Self.isLocal(settings.host) else {
                throw SMTPError(command: "AUTH PLAIN", reply: "refusing to send the password over an unencrypted connection to \(settings.host); use smtps:// or a server that offers STARTTLS")
            }
            guard hello.authMechanisms.contains("PLAIN") else {
                throw SMTPError(command: "AUTH PLAIN", reply: "the server does not offer AUTH PLAIN (its EHLO reply: \(hello.text))")
            }
            // RFC 4616: authorization id (empty), user and password, NUL-separated.
            let token = Data(([0] + Array(username.utf8) + [0] + Array((settings.password ?? "").utf8))).base64EncodedString()
            _ = try await connection.exchange("AUTH PLAIN \(token)", command: "AUTH PLAIN", expecting: [235])
        }

        _ = try await connection.exchange("MAIL FROM:<\(settings.from)>", command: "MAIL FROM", expecting: [250])
        _ = try await connection.exchange("RCPT TO:<\(recipient)>", command: "RCPT TO", expecting: [250, 251])
        _ = try await connection.exchange("DATA", command: "DATA", expecting: [354])
        _ = try await connection.exchange(MailMessage.dataTransfer(message), command: "DATA (message)", expecting: [250], isCommand: false)
        // The server has taken the mail; a failed goodbye does not make it undelivered.
        _ = try? await connection.exchange("QUIT", command: "QUIT", expecting: [221])
    }

    private func connect() async throws -> SMTPConnection {
        let host = settings.host
        let port = settings.port
        let timeout = replyTimeout
        let tls: NIOSSLContext? = settings.security == .tls ? try tlsContext() : nil
        let serverName = Self.serverName(host)
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler(timeout: timeout))
                }
            }
        // The reply handler is taken in the same event-loop turn as the connection completes:
        // a server that refuses the TLS handshake at once could otherwise close the pipeline first.
        let connected: (any Channel, NIOLoopBound<SMTPReplyHandler>)
        do {
            connected = try await bootstrap.connect(host: host, port: port).flatMapThrowing { channel in
                (channel, NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop))
            }.get()
        } catch {
            throw SMTPError(command: "connect", reply: "could not connect to \(host):\(port): \(error)")
        }
        return SMTPConnection(channel: connected.0, replies: connected.1)
    }

    private func tlsContext() throws -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: tlsConfiguration)
        } catch {
            throw SMTPError(command: "TLS", reply: "could not set up TLS: \(error)")
        }
    }

    /// The name for SNI and certificate checks; an IP address is not a valid SNI name, and NIOSSL
    /// then checks the certificate against the address it connected to.
    static func serverName(_ host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    /// A password may cross an unencrypted connection only when it never leaves this machine.
    static func isLocal(_ host: String) -> Bool {
        ["127.0.0.1", "localhost", "::1"].contains(host.lowercased())
    }
}

/// An open connection: the channel, and the handler that pairs each command with its reply.
private struct SMTPConnection: Sendable {
    let channel: any Channel
    let replies: NIOLoopBound<SMTPReplyHandler>

    /// The server's first words: 220 when it will take mail.
    func greeting() async throws -> SMTPReply {
        let replies = self.replies
        let reply = try await channel.eventLoop.flatSubmit { replies.value.greeting() }.get()
        guard reply.code == 220 else { throw SMTPError(command: "greeting", reply: reply.text) }
        return reply
    }

    /// Sends `line` (a command, or with `isCommand: false` the whole message), waits for the
    /// reply and checks its code.
    func exchange(_ line: String, command: String, expecting codes: Set<Int>, isCommand: Bool = true) async throws -> SMTPReply {
        let replies = self.replies
        let text = isCommand ? line + "\r\n" : line
        let reply = try await channel.eventLoop.flatSubmit { replies.value.send(text, command: command) }.get()
        guard codes.contains(reply.code) else { throw SMTPError(command: command, reply: reply.text) }
        return reply
    }

    func startTLS(_ context: NIOSSLContext, serverHostname: String?) async throws {
        let channel = self.channel
        do {
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: context, serverHostname: serverHostname), position: .first)
            }.get()
        } catch {
            throw SMTPError(command: "STARTTLS", reply: "could not start TLS: \(error)")
        }
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// One reply: its code and the text of all its lines.
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    var text: String { lines.map { "\(code) \($0)" }.joined(separator: " / ") }

    /// Whether an EHLO reply lists `keyword` (the first line is the server's greeting).
    func offers(_ keyword: String) -> Bool {
        lines.dropFirst().contains { $0.split(separator: " ").first?.uppercased() == keyword }
    }

    /// The mechanisms of the EHLO reply's AUTH line ("AUTH PLAIN LOGIN", or the old "AUTH=PLAIN").
    var authMechanisms: Set<String> {
        guard let line = lines.dropFirst().first(where: { $0.uppercased().hasPrefix("AUTH ") || $0.uppercased().hasPrefix("AUTH=") })
        else { return [] }
        return Set(line.dropFirst(5).split(separator: " ").map { $0.uppercased() })
    }
}

/// Reads the server's lines into replies and hands each to the command waiting for it. SMTP here
/// is strictly one command, one reply: anything the server sends that nobody asked for is an
/// error. That also stops a STARTTLS injection, where plain text sent after "220 go ahead" would
/// otherwise be read as if it had come over TLS.
final class SMTPReplyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var context: ChannelHandlerContext?
    private var received = ByteBuffer()
    /// The lines of a multi-line reply ("250-...") read so far.
    private var lines: [String] = []
    private var code = 0
    private var waiting: (command: String, promise: EventLoopPromise<SMTPReply>, timer: Scheduled<Void>)?
    /// The server speaks first, maybe before anyone asks: the greeting is awaited from the start.
    private var greetingReply: EventLoopFuture<SMTPReply>?
    /// Once set, the conversation is over and every command fails with it.
    private var broken: SMTPError?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        greetingReply = awaitReply(to: "greeting", on: context.eventLoop)
        context.fireChannelActive()
    }

    func greeting() -> EventLoopFuture<SMTPReply> {
        guard let context else { preconditionFailure("SMTPReplyHandler is not in a pipeline") }
        return greetingReply ?? context.eventLoop.makeFailedFuture(SMTPError(command: "greeting", reply: "not connected"))
    }

    /// Writes `text` (it carries its own line ends) and waits for the reply.
    func send(_ text: String, command: String) -> EventLoopFuture<SMTPReply> {
        guard let context else { preconditionFailure("SMTPReplyHandler is not in a pipeline") }
        let reply = awaitReply(to: command, on: context.eventLoop)
        if broken == nil {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
        }
        return reply
    }

    private func awaitReply(to command: String, on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        if let broken {
            promise.fail(SMTPError(command: command, reply: broken.reply))
            return promise.futureResult
        }
        precondition(waiting == nil, "one SMTP command at a time")
        let seconds = Double(timeout.nanoseconds) / 1e9
        let shown = seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
        let timer = eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            fail(SMTPError(command: command, reply: "no reply within \(shown) seconds"))
        }
        waiting = (command, promise, timer)
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        while broken == nil, let line = nextLine() {
            guard let waiting else {
                fail(SMTPError(command: "(between commands)", reply: "the server sent a reply nobody asked for: \(line.prefix(80))"))
                return
            }
            // "250-text" continues a reply, "250 text" (or a bare "250") ends it (RFC 5321 §4.2.1).
            let scalars = Array(line.unicodeScalars)
            guard scalars.count >= 3, let lineCode = Int(String(String.UnicodeScalarView(scalars[0..<3]))), (200...599).contains(lineCode),
                  scalars.count == 3 || scalars[3] == " " || scalars[3] == "-",
                  lines.isEmpty || lineCode == code
            else {
                fail(SMTPError(command: waiting.command, reply: "not an SMTP reply: \(line.prefix(80))"))
                return
            }
            code = lineCode
            lines.append(scalars.count > 4 ? String(String.UnicodeScalarView(scalars[4...])) : "")
            guard scalars.count == 3 || scalars[3] == " " else { continue }

            let reply = SMTPReply(code: code, lines: lines)
            lines = []
            guard received.readableBytes == 0 else {
                fail(SMTPError(command: waiting.command, reply: "the server sent more than one reply at once (after \(reply.text))"))
                return
            }
            self.waiting = nil
            waiting.timer.cancel()
            waiting.promise.succeed(reply)
        }
        // A line this long is no SMTP reply (they are at most 512 characters): stop reading.
        if received.readableBytes > 4096 {
            fail(SMTPError(command: waiting?.command ?? "(between commands)", reply: "the server sent an over-long line"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPError(command: waiting?.command ?? "(between commands)", reply: "the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(SMTPError(command: waiting?.command ?? "(between commands)", reply: "\(error)"))
    }

    /// Ends the conversation: the waiting command (if any) fails, and so does every later one.
    private func fail(_ error: SMTPError) {
        if broken == nil { broken = error }
        if let waiting {
            self.waiting = nil
            waiting.timer.cancel()
            waiting.promise.fail(error)
        }
        context?.close(promise: nil)
    }

    /// The next complete line without its CRLF (a bare LF is tolerated), or nil.
    private func nextLine() -> String? {
        guard let newline = received.readableBytesView.firstIndex(of: UInt8(ascii: "\n")),
              var bytes = received.readBytes(length: newline - received.readerIndex + 1)
        else { return nil }
        bytes.removeLast()
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        if received.readableBytes == 0 { received.clear() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

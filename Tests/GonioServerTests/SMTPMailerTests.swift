import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Testing
@testable import GonioServer
#if canImport(Glibc)
import Glibc
#endif

/// The SMTP sender: its settings, the message it writes, and real conversations with a real mail
/// server (aiosmtpd) and with a scripted one for what a real server will not do on demand.
@Suite struct SMTPMailerTests {
    // MARK: Settings

    struct GoodURL: Sendable, CustomStringConvertible {
        var url: String
        var host: String
        var port: Int
        var username: String? = nil
        var password: String? = nil
        var security: SMTPSettings.Security
        var required = false
        var description: String { url }
    }

    @Test(arguments: [
        GoodURL(url: "smtp://mail.example.org", host: "mail.example.org", port: 25, security: .startTLS),
        GoodURL(url: "smtp://mail.example.org:587?starttls=required", host: "mail.example.org", port: 587,
                security: .startTLS, required: true),
        GoodURL(url: "SMTP://127.0.0.1:2525/?starttls=never", host: "127.0.0.1", port: 2525, security: .none),
        GoodURL(url: "smtps://clinic%40example.org:p%40ss%3Aw%2Frd@mail.example.org", host: "mail.example.org", port: 465,
                username: "clinic@example.org", password: "p@ss:w/rd", security: .tls),
        GoodURL(url: "smtps://relay:secret@[::1]:1465", host: "::1", port: 1465, username: "relay", password: "secret", security: .tls),
    ])
    func settingsParseAGoodURL(_ good: GoodURL) throws {
        let settings = try SMTPSettings(url: good.url, from: "reminders@clinic.example")
        #expect(settings.host == good.host)
        #expect(settings.port == good.port)
        #expect(settings.username == good.username)
        #expect(settings.password == good.password)
        #expect(settings.security == good.security)
        #expect(settings.startTLSRequired == good.required)
        #expect(settings.from == "reminders@clinic.example")
        #expect(settings.heloName == "clinic.example")
    }

    @Test(arguments: [
        ("http://mail.example.org", "smtp:// or smtps://"),
        ("mail.example.org:25", "must look like smtp://"),
        ("smtp://", "no host"),
        ("smtp://:2525", "no host"),
        ("smtp://mail.example.org:0", "port between 1 and 65535"),
        ("smtp://mail.example.org:65536", "port between 1 and 65535"),
        ("smtp://mail.example.org:25x", "port between 1 and 65535"),
        ("smtp://mail.example.org:", "port between 1 and 65535"),
        ("smtp://mail.example.org:25:26", "more than one :"),
        ("smtp://mail example.org", "characters a host name cannot have"),
        ("smtp://mail.example.org/inbox", "must not have a path"),
        ("smtp://mail.example.org?tls=yes", "unknown option"),
        ("smtp://mail.example.org?starttls=sometimes", "unknown option"),
        ("smtps://mail.example.org?starttls=never", "TLS from the start"),
        ("smtp://relay@mail.example.org", "no password"),
        ("smtp://relay:@mail.example.org", "no password"),
        ("smtp://:topsecret@mail.example.org", "no user name"),
        ("smtp://relay:%zztopsecret@mail.example.org", "%-escape"),
    ])
    func settingsRefuseABadURL(url: String, expected: String) {
        let problem = #expect(throws: AppConfig.Problem.self) {
            try SMTPSettings(url: url, from: "reminders@clinic.example")
        }
        #expect(problem?.description.contains(expected) == true, "\(problem?.description ?? "no error")")
        #expect(problem?.description.contains("GONIO_SMTP_URL") == true)
        // The URL may hold a password: messages never repeat it.
        #expect(problem?.description.contains("topsecret") == false)
    }

    @Test(arguments: ["", "reminders", "a@b@clinic.example", "Clinic <reminders@clinic.example>",
                      "reminders@clinic.example\r\nBcc: everyone@example.org", "réception@clinic.example", "reminders@", "@clinic.example",
                      "reminders@clinic..example", String(repeating: "a", count: 250) + "@x.org"])
    func settingsRefuseASenderThatIsNotAnAddress(from: String) {
        let problem = #expect(throws: AppConfig.Problem.self) { try SMTPSettings(url: "smtp://mail.example.org", from: from) }
        #expect(problem?.description.contains("GONIO_MAIL_FROM") == true)
    }

    @Test func onlyLoopbackMayCarryAPasswordInPlainText() {
        #expect(SMTPMailer.isLocal("127.0.0.1"))
        #expect(SMTPMailer.isLocal("localhost"))
        #expect(SMTPMailer.isLocal("LOCALHOST"))
        #expect(!SMTPMailer.isLocal("mail.example.org"))
        #expect(!SMTPMailer.isLocal("localhost.example.org"))
        #expect(!SMTPMailer.isLocal("10.0.0.1"))
        // An IP address is no SNI name; a host name is.
        #expect(SMTPMailer.serverName("192.0.2.1") == nil)
        #expect(SMTPMailer.serverName("mail.example.org") == "mail.example.org")
    }

    // MARK: The message

    @Test(arguments: [
        ("café", "caf=C3=A9"),
        ("1 + 1 = 2", "1 + 1 =3D 2"),
        ("ends in a space \nand a tab\t", "ends in a space=20\r\nand a tab=09"),
        ("one\ntwo\r\nthree\rfour", "one\r\ntwo\r\nthree\r\nfour"),
        ("Hello\nFrom the clinic", "Hello\r\n=46rom the clinic"),
        ("", ""),
    ])
    func quotedPrintableEncodesShortText(text: String, expected: String) {
        #expect(MailMessage.quotedPrintable(text) == expected)
    }

    @Test(arguments: [
        String(repeating: "Slow squats, heels down. ", count: 12),
        String(repeating: "Übung: Kniebeugen – 3 × 10, langsam; 膝の運動 🦵 ", count: 9),
        String(repeating: "=", count: 100) + "\n" + String(repeating: "é", count: 80) + " \n.\n" + String(repeating: "x", count: 75) + "From you",
    ])
    func quotedPrintableKeepsLinesShortAndRoundTrips(text: String) {
        let encoded = MailMessage.quotedPrintable(text)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.count > 2, "a long text is cut into lines")
        for line in lines {
            #expect(line.utf8.count <= 76, "\(line)")
            #expect(line.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }, "7-bit only: \(line)")
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"), "no trailing white space: \(line)")
        }
        #expect(Self.decodeQuotedPrintable(encoded) == text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func aPlainSubjectStaysReadableAndFolds() throws {
        #expect(try MailMessage.subjectHeader("Your visit tomorrow at 9:30") == "Subject: Your visit tomorrow at 9:30")
        let long = Array(repeating: "Reminder: your physical therapy visit", count: 4).joined(separator: " ")
        let header = try MailMessage.subjectHeader(long)
        let lines = header.components(separatedBy: "\r\n")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") }, "continuation lines are folded")
        #expect(header.replacingOccurrences(of: "\r\n", with: "") == "Subject: " + long)
    }

    @Test(arguments: ["Rappel : séance de kinésithérapie demain à 9 h 30",
                      "🦵 " + String(repeating: "膝のリハビリ ", count: 12),
                      "Looks like =?UTF-8?B?ZXZpbA==?= but is not",
                      "A\ttab"])
    func otherSubjectsBecomeEncodedWords(subject: String) throws {
        let header = try MailMessage.subjectHeader(subject)
        #expect(header.hasPrefix("Subject: =?UTF-8?B?"))
        let lines = header.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 && $0.unicodeScalars.allSatisfy(\.isASCII) })
        #expect(Self.decodeEncodedWords(header) == subject)
    }

    @Test(arguments: ["Your visit\r\nBcc: everyone@example.org", "Your visit\nBcc: x@example.org", "Your visit\r", "nul\u{0}"])
    func aSubjectWithALineBreakIsRefused(subject: String) {
        #expect(throws: InvalidMail.self) { try MailMessage.subjectHeader(subject) }
        let mail = OutgoingMail(to: "patient@example.org", subject: subject, text: "Hi", calendar: nil)
        #expect(throws: InvalidMail.self) { try MailMessage.render(mail, from: "reminders@clinic.example", date: Date()) }
    }

    @Test(arguments: ["patient@example.org\r\nBcc: everyone@example.org", "patient@example.org\nX: y", "patient@example.org>\r\nRCPT TO:<x@evil.example",
                      "patient@example.org, everyone@example.org", "Pat <patient@example.org>", "patient", "pat@ient@example.org",
                      "pat ient@example.org", "patient@exa mple.org", "", String(repeating: "p", count: 64) + "@" + String(repeating: "e", count: 186) + ".org",
                      String(repeating: "p", count: 65) + "@example.org"])
    func aRecipientThatIsNotOneAddressIsRefused(to: String) {
        let mail = OutgoingMail(to: to, subject: "Your visit", text: "Hi", calendar: nil)
        let error = #expect(throws: InvalidMail.self) { try MailMessage.render(mail, from: "reminders@clinic.example", date: Date()) }
        #expect(error?.description.contains("recipient") == true)
    }

    @Test func theLongestAddressIsAccepted() throws {
        let to = String(repeating: "p", count: 64) + "@" + String(repeating: "e", count: 185) + ".org"
        #expect(to.utf8.count == 254)
        let message = try MailMessage.render(OutgoingMail(to: to, subject: "s", text: "t"), from: "a@b.example", date: Date())
        #expect(message.contains("\r\nTo: \(to)\r\n"))
    }

    @Test func aPlainMessageHasItsHeadersAndQuotedPrintableText() throws {
        let date = Date(timeIntervalSince1970: 1_772_546_709)  // 2026-03-03 14:05:09 UTC
        let id = UUID(uuidString: "6F1C1A52-3A2B-4C55-9E0B-7D9A0B1C2D3E")!
        let mail = OutgoingMail(to: "patient@example.org", subject: "Visite confirmée", text: "À demain.\n.\nFrom Gonio")
        let message = try MailMessage.render(mail, from: "reminders@clinic.example", date: date, id: id)
        let (headers, body) = try Self.split(message)
        #expect(headers == [
            "Date: Tue, 03 Mar 2026 14:05:09 +0000",
            "From: reminders@clinic.example",
            "To: patient@example.org",
            "Subject: =?UTF-8?B?VmlzaXRlIGNvbmZpcm3DqWU=?=",
            "Message-ID: <6f1c1a52-3a2b-4c55-9e0b-7d9a0b1c2d3e@clinic.example>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ])
        #expect(body == "=C3=80 demain.\r\n.\r\n=46rom Gonio\r\n")
        #expect(!message.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "no bare line feeds")
        #expect(!message.replacingOccurrences(of: "\r\n", with: "").contains("\r"), "no bare carriage returns")
        // On the wire the lone "." line is doubled, and a final "." line ends the message.
        #expect(MailMessage.dataTransfer(message).hasSuffix("=C3=80 demain.\r\n..\r\n=46rom Gonio\r\n.\r\n"))
    }

    @Test func aMessageWithAnInviteIsMultipart() throws {
        let calendar = Self.invite(summary: "Séance de kinésithérapie")
        let mail = OutgoingMail(to: "patient@example.org", subject: "Your visit", text: "See you soon.", calendar: calendar)
        let message = try MailMessage.render(mail, from: "reminders@clinic.example", date: Date(), boundary: "=_b")
        let (headers, body) = try Self.split(message)
        #expect(headers.contains("Content-Type: multipart/mixed; boundary=\"=_b\""))
        #expect(!headers.contains { $0.hasPrefix("Content-Transfer-Encoding") })
        let parts = body.components(separatedBy: "--=_b")
        try #require(parts.count == 4, "preamble, two parts, closing")
        #expect(parts[3] == "--\r\n")
        #expect(parts[1] == "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nSee you soon.\r\n")
        let invite = parts[2].components(separatedBy: "\r\n\r\n")
        try #require(invite.count == 2)
        #expect(invite[0] == "\r\nContent-Type: text/calendar; charset=utf-8; method=PUBLISH\r\nContent-Disposition: attachment; filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64")
        let lines = invite[1].components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count > 3)
        #expect(lines.dropLast().allSatisfy { $0.utf8.count == 76 } && lines.last!.utf8.count <= 76)
        let decoded = try #require(Data(base64Encoded: lines.joined()))
        #expect(String(decoding: decoded, as: UTF8.self) == calendar)
    }

    // MARK: Real delivery (aiosmtpd)

    @Test func deliversToARealSMTPServer() async throws {
        try await Self.withAiosmtpdServer { server in
            let port = server.port
            let mailer = SMTPMailer(settings: try SMTPSettings(url: "smtp://127.0.0.1:\(port)", from: "reminders@clinic.example"),
                                    eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            let text = "Bonjour,\n\nVotre séance de kinésithérapie est demain à 9 h 30. "
                + String(repeating: "Échauffement doux, puis exercices du genou. ", count: 6)
                + "\n.\nFrom your clinic \n-- \nGonio"
            try await mailer.send(OutgoingMail(to: "patient@example.org", subject: "Rappel : séance demain à 9 h 30", text: text))
            let calendar = Self.invite(summary: "Séance de kinésithérapie – genou")
            try await mailer.send(OutgoingMail(to: "second.patient@example.org", subject: "Your visit is booked",
                                               text: "See you on Tuesday.", calendar: calendar))

            // STARTTLS is required but aiosmtpd (without a certificate) does not offer it: nothing is sent.
            let strict = SMTPMailer(settings: try SMTPSettings(url: "smtp://127.0.0.1:\(port)?starttls=required", from: "reminders@clinic.example"),
                                    eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            let refused = await #expect(throws: SMTPError.self) {
                try await strict.send(OutgoingMail(to: "third.patient@example.org", subject: "Never sent", text: "-"))
            }
            #expect(refused?.command == "STARTTLS")
            // A password with no TLS: refused here only because the server offers no AUTH.
            let withPassword = SMTPMailer(settings: try SMTPSettings(url: "smtp://u:p@127.0.0.1:\(port)", from: "reminders@clinic.example"),
                                          eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            let noAuth = await #expect(throws: SMTPError.self) {
                try await withPassword.send(OutgoingMail(to: "third.patient@example.org", subject: "Never sent", text: "-"))
            }
            #expect(noAuth?.description.contains("AUTH PLAIN") == true)

            // Python's email package reads what arrived: an independent decoder.
            let received = try Self.readMaildir(server.maildir)
            try #require(received.count == 2, "\(received)")
            let first = received[0], second = received[1]
            #expect(first["rcpt"] as? String == "patient@example.org")
            #expect(first["mailFrom"] as? String == "reminders@clinic.example")
            #expect(first["to"] as? String == "patient@example.org")
            #expect(first["subject"] as? String == "Rappel : séance demain à 9 h 30")
            #expect(first["multipart"] as? Bool == false)
            #expect(Self.lineFeeds(first["text"] as? String) == text)
            #expect(first["calendar"] is NSNull)
            #expect((first["messageID"] as? String)?.hasSuffix("@clinic.example>") == true)
            let sent = try #require(first["date"] as? Double)
            #expect(abs(sent - Date().timeIntervalSince1970) < 300)

            #expect(second["rcpt"] as? String == "second.patient@example.org")
            #expect(second["subject"] as? String == "Your visit is booked")
            #expect(second["multipart"] as? Bool == true)
            #expect(Self.lineFeeds(second["text"] as? String) == "See you on Tuesday.")
            #expect(second["calendar"] as? String == calendar)
            #expect(second["calendarMethod"] as? String == "PUBLISH")
            #expect(second["filename"] as? String == "invite.ics")
            #expect(first["messageID"] as? String != second["messageID"] as? String)
            for message in received {
                #expect((message["defects"] as? [String]) == [], "\(message["defects"] ?? "")")
            }
        }
    }

    @Test(arguments: ["smtp://localhost:PORT?starttls=required", "smtps://localhost:PORT"])
    func sendsOverTLSAndChecksTheCertificate(url: String) async throws {
        try await Self.withAiosmtpdServer(tls: url.hasPrefix("smtps") ? .fromTheStart : .startTLS) { server in
            let settings = try SMTPSettings(url: url.replacingOccurrences(of: "PORT", with: "\(server.port)"), from: "reminders@clinic.example")
            var mailer = SMTPMailer(settings: settings, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            // The server's own certificate is in no system's roots: refused, and nothing is sent.
            let untrusted = await #expect(throws: SMTPError.self) {
                try await mailer.send(OutgoingMail(to: "patient@example.org", subject: "Never sent", text: "-"))
            }
            #expect(untrusted?.command == (settings.security == .tls ? "greeting" : "EHLO"))
            #expect(untrusted?.reply.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(untrusted?.description ?? "")")

            let certificate = try #require(server.certificate)
            mailer.tlsConfiguration.trustRoots = .file(certificate)
            try await mailer.send(OutgoingMail(to: "patient@example.org", subject: "Sent over TLS", text: "Nobody read this on the way."))
            let received = try Self.readMaildir(server.maildir)
            #expect(received.map { $0["subject"] as? String } == ["Sent over TLS"])
            #expect(Self.lineFeeds(received.first?["text"] as? String) == "Nobody read this on the way.")
        }
    }

    // MARK: Scripted conversations

    @Test func aRefusedRecipientNamesTheCommandAndTheReply() async throws {
        let server = try await ScriptedSMTPServer.start { command in
            command.hasPrefix("RCPT TO:") ? "550 5.1.1 Mailbox unavailable\r\n" : nil
        }
        defer { server.stop() }
        let error = await #expect(throws: SMTPError.self) {
            try await server.mailer().send(OutgoingMail(to: "patient@example.org", subject: "s", text: "t"))
        }
        #expect(error?.command == "RCPT TO")
        #expect(error?.reply == "550 5.1.1 Mailbox unavailable")
        #expect(error?.description == "SMTP RCPT TO failed: 550 5.1.1 Mailbox unavailable")
        #expect(!server.commands.contains("DATA"))
    }

    @Test func authPlainSendsTheCredentialsOverLoopback() async throws {
        // RFC 4616: base64 of "\0user\0password".
        let expected = "AUTH PLAIN " + Data("\u{0}clinic@example.org\u{0}p@ss word".utf8).base64EncodedString()
        let server = try await ScriptedSMTPServer.start { command in
            switch command {
            case _ where command.hasPrefix("EHLO"): "250-mail.test greets you\r\n250-SIZE 1000000\r\n250-AUTH LOGIN PLAIN\r\n250 8BITMIME\r\n"
            case expected: "235 2.7.0 Authentication successful\r\n"
            case _ where command.hasPrefix("AUTH"): "535 5.7.8 Bad credentials\r\n"
            default: nil
            }
        }
        defer { server.stop() }
        try await server.mailer(url: "smtp://clinic%40example.org:p%40ss%20word@127.0.0.1:\(server.port)")
            .send(OutgoingMail(to: "patient@example.org", subject: "s", text: "t"))
        #expect(server.commands == ["EHLO clinic.example", expected, "MAIL FROM:<reminders@clinic.example>",
                                    "RCPT TO:<patient@example.org>", "DATA", "QUIT"])
        #expect(server.messages.count == 1)
    }

    @Test func aReplyGluedToTheSTARTTLSGoAheadIsRefused() async throws {
        // Plain text after "220 go ahead" would be read as if it had come over TLS.
        let server = try await ScriptedSMTPServer.start { command in
            switch command {
            case _ where command.hasPrefix("EHLO"): "250-mail.test\r\n250 STARTTLS\r\n"
            case "STARTTLS": "220 2.0.0 Ready to start TLS\r\n250-mail.test\r\n250 AUTH PLAIN\r\n"
            default: nil
            }
        }
        defer { server.stop() }
        let error = await #expect(throws: SMTPError.self) {
            try await server.mailer(url: "smtp://u:p@127.0.0.1:\(server.port)").send(OutgoingMail(to: "patient@example.org", subject: "s", text: "t"))
        }
        #expect(error?.command == "STARTTLS")
        #expect(error?.reply.contains("more than one reply") == true, "\(error?.description ?? "")")
        #expect(server.commands == ["EHLO clinic.example", "STARTTLS"])
    }

    @Test func aSilentServerTimesOut() async throws {
        let server = try await ScriptedSMTPServer.start(greeting: nil) { _ in nil }
        defer { server.stop() }
        var mailer = try server.mailer()
        mailer.replyTimeout = .seconds(1)
        let started = Date()
        let error = await #expect(throws: SMTPError.self) {
            try await mailer.send(OutgoingMail(to: "patient@example.org", subject: "s", text: "t"))
        }
        #expect(error?.command == "greeting")
        #expect(error?.reply == "no reply within 1 seconds")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func anUnreachableServerFailsToConnect() async throws {
        let port = try await Self.freePort()
        let mailer = SMTPMailer(settings: try SMTPSettings(url: "smtp://127.0.0.1:\(port)", from: "reminders@clinic.example"),
                                eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let error = await #expect(throws: SMTPError.self) {
            try await mailer.send(OutgoingMail(to: "patient@example.org", subject: "s", text: "t"))
        }
        #expect(error?.command == "connect")
    }

    @Test func aMalformedMailNeverOpensAConnection() async throws {
        let server = try await ScriptedSMTPServer.start { _ in nil }
        defer { server.stop() }
        await #expect(throws: InvalidMail.self) {
            try await server.mailer().send(OutgoingMail(to: "patient@example.org\r\nBcc: all@example.org", subject: "s", text: "t"))
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(server.connections == 0)
    }

    #if os(Linux)
    /// 127.0.0.2 is loopback on Linux, but not one of the names the mailer trusts with a password.
    @Test func aPasswordNeverCrossesPlainTextToAnotherHost() async throws {
        let server = try await ScriptedSMTPServer.start(host: "127.0.0.2") { command in
            command.hasPrefix("EHLO") ? "250-mail.test\r\n250 AUTH PLAIN\r\n" : nil
        }
        defer { server.stop() }
        let error = await #expect(throws: SMTPError.self) {
            try await server.mailer(url: "smtp://u:p@127.0.0.2:\(server.port)").send(OutgoingMail(to: "patient@example.org", subject: "s", text: "t"))
        }
        #expect(error?.command == "AUTH PLAIN")
        #expect(error?.reply.contains("unencrypted") == true)
        #expect(server.commands == ["EHLO clinic.example"])
    }
    #endif
}

// MARK: - Helpers

extension SMTPMailerTests {
    static func invite(summary: String) -> String {
        [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Gonio//Visits//EN", "METHOD:PUBLISH",
            "BEGIN:VEVENT", "UID:visit-42@clinic.example", "DTSTAMP:20260303T140509Z",
            "DTSTART:20260304T093000Z", "DTEND:20260304T101500Z", "SUMMARY:\(summary)",
            "END:VEVENT", "END:VCALENDAR", "",
        ].joined(separator: "\r\n")
    }

    /// The header lines (unfolded) and the body of a rendered message.
    static func split(_ message: String) throws -> (headers: [String], body: String) {
        let range = try #require(message.range(of: "\r\n\r\n"))
        let headers = String(message[..<range.lowerBound]).replacingOccurrences(of: "\r\n ", with: " ")
        return (headers.components(separatedBy: "\r\n"), String(message[range.upperBound...]))
    }

    /// Quoted-printable decoding, written apart from the encoder to check it.
    static func decodeQuotedPrintable(_ encoded: String) -> String {
        var bytes: [UInt8] = []
        let lines = encoded.components(separatedBy: "\r\n")
        for (number, line) in lines.enumerated() {
            var chars = Array(line.utf8)
            let soft = chars.last == UInt8(ascii: "=")
            if soft { chars.removeLast() }
            var i = 0
            while i < chars.count {
                if chars[i] == UInt8(ascii: "="), i + 2 < chars.count, let byte = UInt8(String(decoding: chars[i + 1...i + 2], as: UTF8.self), radix: 16) {
                    bytes.append(byte)
                    i += 3
                } else {
                    bytes.append(chars[i])
                    i += 1
                }
            }
            if !soft, number < lines.count - 1 { bytes += [13, 10] }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The text of a Subject header made of RFC 2047 B-encoded words.
    static func decodeEncodedWords(_ header: String) -> String? {
        var bytes: [UInt8] = []
        let value = header.dropFirst("Subject: ".count).replacingOccurrences(of: "\r\n ", with: " ")
        for word in value.split(separator: " ") {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="),
                  let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) else { return nil }
            bytes += data
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func lineFeeds(_ text: String?) -> String? {
        text?.replacingOccurrences(of: "\r\n", with: "\n").trimmingSuffix("\n")
    }

    /// A port nothing listens on (just now).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    /// Runs a program to its end; returns its exit status and what it printed.
    @discardableResult
    static func run(_ arguments: [String], stderr: FileHandle? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = stderr ?? FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    enum ServerTLS { case none, startTLS, fromTheStart }

    struct Aiosmtpd {
        var port: Int
        var maildir: String
        /// Its self-signed certificate (for localhost and 127.0.0.1), when it speaks TLS.
        var certificate: String?
    }

    /// A plain real SMTP server: its port and Maildir (ReminderTests use it too).
    static func withAiosmtpd(_ body: (_ port: Int, _ maildir: String) async throws -> Void) async throws {
        try await withAiosmtpdServer { server in try await body(server.port, server.maildir) }
    }

    /// A real SMTP server (aiosmtpd) on a free port, storing what it receives in a Maildir.
    static func withAiosmtpdServer(tls: ServerTLS = .none, _ body: (Aiosmtpd) async throws -> Void) async throws {
        let check = try run(["python3", "-c", "import aiosmtpd"])
        try #require(check.status == 0, "aiosmtpd cannot be imported by python3: run `pip install -r Tests/requirements.txt`")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gonio-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let maildir = directory.appendingPathComponent("mbox").path
        let logPath = directory.appendingPathComponent("aiosmtpd.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }

        var certificate: String?
        var tlsArguments: [String] = []
        if tls != .none {
            let cert = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
            let made = try run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
            try #require(made.status == 0, "openssl could not make a test certificate")
            certificate = cert
            tlsArguments = tls == .startTLS ? ["--tlscert", cert, "--tlskey", key] : ["--smtpscert", cert, "--smtpskey", key]
        }

        let port = try await freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)"] + tlsArguments
            + ["-c", "aiosmtpd.handlers.Mailbox", maildir]
        server.standardOutput = log
        server.standardError = log
        try server.run()
        defer {
            // Not terminate(): a child of Foundation's Process inherits the spawning thread's
            // signal mask, in which SIGTERM is blocked, so aiosmtpd would never see it.
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }

        // Ready when the port takes connections: at most 10 s.
        let deadline = Date().addingTimeInterval(10)
        while true {
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get() {
                try? await channel.close()
                break
            }
            let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            try #require(server.isRunning, "aiosmtpd exited: \(output)")
            try #require(Date() < deadline, "aiosmtpd did not listen on port \(port) within 10 s: \(output)")
            try await Task.sleep(for: .milliseconds(100))
        }
        try await body(Aiosmtpd(port: port, maildir: maildir, certificate: certificate))
    }

    /// Every message in the Maildir as Python's email package reads it, by recipient.
    static func readMaildir(_ maildir: String) throws -> [[String: Any]] {
        let script = #"""
        import email, email.policy, json, mailbox, sys
        out = []
        box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
        for key in box.keys():
            msg = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
            entry = dict(rcpt=msg["X-RcptTo"], mailFrom=msg["X-MailFrom"], to=str(msg["To"]), subject=str(msg["Subject"]),
                         messageID=msg["Message-ID"], date=msg["Date"].datetime.timestamp(), multipart=msg.is_multipart(),
                         text=None, calendar=None, calendarMethod=None, filename=None, defects=[])
            for part in msg.walk():
                entry["defects"] += [repr(d) for d in part.defects]
                if part.get_content_type() == "text/plain":
                    entry["text"] = part.get_content()
                elif part.get_content_type() == "text/calendar":
                    entry["calendar"] = part.get_payload(decode=True).decode("utf-8")
                    entry["calendarMethod"] = part.get_param("method")
                    entry["filename"] = part.get_filename()
            out.append(entry)
        print(json.dumps(sorted(out, key=lambda m: m["rcpt"])))
        """#
        let result = try run(["python3", "-c", script, maildir], stderr: FileHandle.standardError)
        try #require(result.status == 0, "reading the Maildir failed")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}

// MARK: - A scripted SMTP server

/// A mail server on loopback that answers from a script, for what a real one will not do on
/// demand: refuse, fall silent, or answer out of turn. Commands the script leaves to it get the
/// usual happy answers.
final class ScriptedSMTPServer: Sendable {
    let channel: any Channel
    let port: Int
    private let log: NIOLockedValueBox<(commands: [String], messages: [String], connections: Int)>

    var commands: [String] { log.withLockedValue { $0.commands } }
    var messages: [String] { log.withLockedValue { $0.messages } }
    var connections: Int { log.withLockedValue { $0.connections } }

    private init(channel: any Channel, log: NIOLockedValueBox<(commands: [String], messages: [String], connections: Int)>) throws {
        self.channel = channel
        self.port = try #require(channel.localAddress?.port)
        self.log = log
    }

    static func start(host: String = "127.0.0.1", greeting: String? = "220 mail.test ESMTP ready\r\n",
                      script: @escaping @Sendable (String) -> String?) async throws -> ScriptedSMTPServer {
        let log = NIOLockedValueBox<(commands: [String], messages: [String], connections: Int)>(([], [], 0))
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(Session(greeting: greeting, script: script, log: log))
                }
            }
            .bind(host: host, port: 0).get()
        return try ScriptedSMTPServer(channel: channel, log: log)
    }

    func mailer(url: String? = nil) throws -> SMTPMailer {
        SMTPMailer(settings: try SMTPSettings(url: url ?? "smtp://127.0.0.1:\(port)", from: "reminders@clinic.example"),
                   eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
    }

    func stop() {
        channel.close(promise: nil)
    }

    private final class Session: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let greeting: String?
        let script: @Sendable (String) -> String?
        let log: NIOLockedValueBox<(commands: [String], messages: [String], connections: Int)>
        var received: [UInt8] = []
        var message: [String]?

        init(greeting: String?, script: @escaping @Sendable (String) -> String?,
             log: NIOLockedValueBox<(commands: [String], messages: [String], connections: Int)>) {
            self.greeting = greeting
            self.script = script
            self.log = log
        }

        func channelActive(context: ChannelHandlerContext) {
            log.withLockedValue { $0.connections += 1 }
            if let greeting { context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: greeting)), promise: nil) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += Array(buffer: unwrapInboundIn(data))
            while let end = received.firstIndex(of: 10) {
                let line = String(decoding: received[..<end], as: UTF8.self).trimmingSuffix("\r")
                received.removeSubrange(...end)
                if var lines = message {
                    if line == "." {
                        message = nil
                        log.withLockedValue { $0.messages.append(lines.joined(separator: "\r\n")) }
                        answer("250 2.0.0 Queued\r\n", context: context)
                    } else {
                        lines.append(line)
                        message = lines
                    }
                    continue
                }
                log.withLockedValue { $0.commands.append(line) }
                let reply = script(line) ?? Self.usual(line)
                if line == "DATA", reply.hasPrefix("354") { message = [] }
                answer(reply, context: context)
            }
        }

        func answer(_ reply: String, context: ChannelHandlerContext) {
            guard !reply.isEmpty else { return }
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: reply)), promise: nil)
        }

        static func usual(_ line: String) -> String {
            switch line {
            case _ where line.hasPrefix("EHLO"): "250-mail.test\r\n250 SIZE 1000000\r\n"
            case _ where line.hasPrefix("MAIL FROM:"), _ where line.hasPrefix("RCPT TO:"): "250 2.1.0 OK\r\n"
            case "DATA": "354 End data with <CR><LF>.<CR><LF>\r\n"
            case "QUIT": "221 2.0.0 Bye\r\n"
            default: "500 5.5.2 Unknown command\r\n"
            }
        }
    }
}

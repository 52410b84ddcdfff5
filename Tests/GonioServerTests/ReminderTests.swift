import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// Visit messages and reminders: queued with the booking, sent by the job worker as Gonio
/// itself, in Gonio and by email (through a real SMTP server), never twice, never stale, and
/// still there after a restart.
@Suite struct ReminderTests {
    static let monday = ISO8601DateFormatter().date(from: "2026-11-30T16:00:00Z")!

    static func book(_ app: Application, start: String) async throws -> String {
        let therapist = try await app.therapistID(of: Demo.therapist)
        let maria = try await app.patientID(of: Demo.patient)
        let r = try await app.send(.POST, "/api/v1/visits", token: try await app.token(Demo.patient),
                                   json: VisitAPITests.booking(therapist, maria, start))
        #expect(r.status == .created, "\(r.text)")
        return r.object["id"] as? String ?? ""
    }

    static func messages(_ app: Application, _ email: String) async throws -> [String] {
        let user = try #require(try await UserModel.query(on: app.db).filter(\.$email == email).first())
        return try await NotificationModel.query(on: app.db).filter(\.$user.$id == user.requireID()).sort(\.$createdAt).all().map(\.title)
    }

    @Test func aBookingIsConfirmedThenRemindedADayAndAnHourBefore() async throws {
        let (clock, time) = GonioClock.manual(Self.monday)
        try await withTestApp(history: true, clock: clock) { app in
            try await JobRunner.runDue(app)  // what the demo history queued
            let before = try await Self.messages(app, Demo.patient).count
            // Thursday 3 December 15:00 in Los Angeles.
            _ = try await Self.book(app, start: "2026-12-03T23:00:00Z")
            #expect(try await JobRunner.runDue(app) >= 1)
            var titles = try await Self.messages(app, Demo.patient)
            #expect(titles.count == before + 1 && titles.last?.hasPrefix("Your visit is booked: Thursday 3 December, 15:00") == true, "\(titles)")
            let outbox = try #require(try await OutboxMessageModel.query(on: app.db).sort(\.$createdAt, .descending).first())
            #expect(outbox.toAddress == Demo.patient && outbox.status == .logged && outbox.hasCalendar)
            #expect(!outbox.body.lowercased().contains("knee"), "no health details in email")
            // Nothing more for it until a day before (the demo's own visit is reminded meanwhile).
            time.set(ISO8601DateFormatter().date(from: "2026-12-02T22:59:00Z")!)
            try await JobRunner.runDue(app)
            #expect(try await Self.messages(app, Demo.patient).allSatisfy { !$0.contains("Thursday 3 December, 15:00") || $0.hasPrefix("Your visit is booked") })
            time.set(ISO8601DateFormatter().date(from: "2026-12-02T23:00:01Z")!)
            try await JobRunner.runDue(app)
            titles = try await Self.messages(app, Demo.patient)
            #expect(titles.last?.hasPrefix("Reminder: visit tomorrow") == true, "\(titles)")
            time.set(ISO8601DateFormatter().date(from: "2026-12-03T22:00:01Z")!)
            try await JobRunner.runDue(app)
            titles = try await Self.messages(app, Demo.patient)
            #expect(titles.last?.hasPrefix("Your visit starts soon: Thursday 3 December, 15:00") == true, "\(titles)")
            #expect(try await JobRunner.runDue(app) == 0, "each once")
            // The jobs ran as Gonio itself, audited.
            let entries = try await AuditEntryModel.query(on: app.db).filter(\.$action == "visit.read").filter(\.$actorRole == "system:\(ReminderService.visitJob)").count()
            #expect(entries >= 3)
        }
    }

    @Test func aMovedOrCancelledVisitIsNotRemindedOfItsOldTime() async throws {
        let (clock, time) = GonioClock.manual(Self.monday)
        try await withTestApp(history: true, clock: clock) { app in
            try await JobRunner.runDue(app)
            let id = try await Self.book(app, start: "2026-12-03T23:00:00Z")
            let token = try await app.token(Demo.patient)
            let moved = try await app.send(.PATCH, "/api/v1/visits/\(id)", token: token, json: ["start": "2026-12-04T22:00:00Z"])
            #expect(moved.status == .ok)
            try await JobRunner.runDue(app)
            var titles = try await Self.messages(app, Demo.patient)
            #expect(titles.suffix(2).last?.hasPrefix("Your visit has moved: Friday 4 December") == true, "\(titles)")
            // A day before the old time: nothing; a day before the new time: the reminder.
            time.set(ISO8601DateFormatter().date(from: "2026-12-02T23:00:01Z")!)
            try await JobRunner.runDue(app)
            #expect(!(try await Self.messages(app, Demo.patient)).contains { $0.hasPrefix("Reminder") && $0.contains("Thursday 3 December, 15:00") })
            time.set(ISO8601DateFormatter().date(from: "2026-12-03T22:00:01Z")!)
            try await JobRunner.runDue(app)
            titles = try await Self.messages(app, Demo.patient)
            #expect(titles.contains { $0.hasPrefix("Reminder: visit tomorrow, Friday 4 December") }, "\(titles)")
            // Cancelled: told so, and the hour-before reminder never comes.
            let fresh = try await app.token(Demo.patient)
            #expect(try await app.send(.POST, "/api/v1/visits/\(id)/cancel", token: fresh).status == .ok)
            try await JobRunner.runDue(app)
            titles = try await Self.messages(app, Demo.patient)
            #expect(titles.last?.hasPrefix("Visit cancelled") == true)
            time.set(ISO8601DateFormatter().date(from: "2026-12-04T21:00:01Z")!)
            try await JobRunner.runDue(app)
            #expect(!(try await Self.messages(app, Demo.patient)).contains { $0.hasPrefix("Your visit starts soon: Friday 4 December") })
        }
    }

    @Test func quietHoursAndEmailChoiceAreKept() async throws {
        let (clock, _) = GonioClock.manual(Self.monday)
        try await withTestApp(history: true, clock: clock) { app in
            try await JobRunner.runDue(app)
            let token = try await app.token(Demo.patient)
            let saved = try await app.send(.PUT, "/api/v1/me/reminders", token: token,
                                           json: ["emailReminders": false, "quietStart": "20:00", "quietEnd": "09:30", "practiceReminderAt": "18:00"])
            #expect(saved.status == .ok, "\(saved.text)")
            let bad = try await app.send(.PUT, "/api/v1/me/reminders", token: token, json: ["emailReminders": true, "quietStart": "25:00", "quietEnd": "08:00"])
            #expect(bad.status == .unprocessableEntity)
            let emails = try await OutboxMessageModel.query(on: app.db).count()
            // Friday 10:00 local: the hour-before reminder (09:00) falls in quiet hours and moves to 09:30.
            let id = try await Self.book(app, start: "2026-12-04T18:00:00Z")
            let hour = try #require(try await JobModel.query(on: app.db).filter(\.$key == "visit/\(id.uppercased())/hour-before/0").first())
            #expect(hour.runAt == ISO8601DateFormatter().date(from: "2026-12-04T17:30:00Z"))
            try await JobRunner.runDue(app)
            #expect(try await OutboxMessageModel.query(on: app.db).count() == emails, "email turned off")
            // The daily exercise reminder is queued for 18:00 local.
            let practice = try #require(try await JobModel.query(on: app.db).filter(\.$kind == ReminderService.practiceJob).first())
            #expect(practice.runAt == ISO8601DateFormatter().date(from: "2026-12-01T02:00:00Z"))
        }
    }

    @Test func aPrivateCalendarFeedListsTheVisitsUntilItIsStopped() async throws {
        try await withTestApp(history: true) { app in
            let token = try await app.token(Demo.patient)
            let created = try await app.send(.POST, "/api/v1/me/calendar-feed", token: token)
            #expect(created.status == .created)
            let url = try #require(created.object["url"] as? String)
            let path = try #require(url.range(of: "/calendar/").map { String(url[$0.lowerBound...]) })
            let feed = try await app.send(.GET, path)
            #expect(feed.status == .ok && feed.headers.contentType?.subType == "calendar", "\(feed.status) \(feed.text.prefix(200))")
            #expect(feed.text.components(separatedBy: "BEGIN:VEVENT").count - 1 == 2, "Maria's two visits")
            #expect(feed.text.contains("Follow-up with Dana Whitaker"))
            // A new address replaces the old; stopping it ends it.
            let second = try await app.send(.POST, "/api/v1/me/calendar-feed", token: token)
            #expect(try await app.send(.GET, path).status == .notFound)
            let newPath = try #require((second.object["url"] as? String).flatMap { u in u.range(of: "/calendar/").map { String(u[$0.lowerBound...]) } })
            #expect(try await app.send(.GET, newPath).status == .ok)
            #expect(try await app.send(.DELETE, "/api/v1/me/calendar-feed", token: token).status == .noContent)
            #expect(try await app.send(.GET, newPath).status == .notFound)
            #expect(try await app.send(.GET, "/calendar/not-a-token.ics").status == .notFound)
            // The therapist's feed has their whole calendar (Maria's and James's two each, Robert's discharge visit).
            let dana = try await app.send(.POST, "/api/v1/me/calendar-feed", token: try await app.token(Demo.therapist))
            let danaPath = try #require((dana.object["url"] as? String).flatMap { u in u.range(of: "/calendar/").map { String(u[$0.lowerBound...]) } })
            #expect(try await app.send(.GET, danaPath).text.components(separatedBy: "BEGIN:VEVENT").count - 1 == 5)
        }
    }

    @Test func queuedJobsSurviveARestartAndAreTakenOnce() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gonio-jobs-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let (clock, _) = GonioClock.manual(Self.monday)
        guard ProcessInfo.processInfo.environment["DATABASE_URL"] == nil else { return }  // a file's restart; PostgreSQL keeps data anyway
        try await withTestApp(history: true, onDisk: true, clock: clock, adjust: { $0.database = .sqliteFile(path) }) { app in
            try await JobRunner.runDue(app)
            _ = try await Self.book(app, start: "2026-12-03T23:00:00Z")
        }
        // A new process on the same database finds the confirmation waiting, and two workers
        // racing for it send it once.
        try await withTestApp(onDisk: true, clock: clock, adjust: { $0.database = .sqliteFile(path) }) { app in
            async let a = JobRunner.runDue(app, worker: "a")
            async let b = JobRunner.runDue(app, worker: "b")
            let done = try await a + b
            #expect(done == 1)
            let titles = try await Self.messages(app, Demo.patient)
            #expect(titles.count { $0.hasPrefix("Your visit is booked") } == 2, "the demo's next visit and this one: \(titles)")
        }
    }

    @Test func remindersAreDeliveredByARealMailServer() async throws {
        try await SMTPMailerTests.withAiosmtpd { port, maildir in
            let (clock, _) = GonioClock.manual(Self.monday)
            try await withTestApp(history: true, clock: clock, adjust: {
                $0.smtpURL = "smtp://127.0.0.1:\(port)"
                $0.mailFrom = "visits@gonio.example"
            }) { app in
                try await JobRunner.runDue(app)
                _ = try await Self.book(app, start: "2026-12-03T23:00:00Z")
                try await JobRunner.runDue(app)
                let mail = try SMTPMailerTests.readMaildir(maildir)
                let confirmation = try #require(mail.last { ($0["subject"] as? String)?.hasPrefix("Your visit is booked: Thursday 3 December") == true })
                #expect((confirmation["rcpt"] as? String)?.contains(Demo.patient) == true)
                #expect((confirmation["calendar"] as? String)?.contains("BEGIN:VEVENT") == true)
                #expect(try await OutboxMessageModel.query(on: app.db).filter(\.$status == .sent).count() >= 1)
            }
        }
    }
}

import Vapor
import Fluent
import GonioCore

/// Messages in Gonio, how each person wants to be reminded, their private calendar feed, and
/// (outside production) the outbox of emails Gonio sent or would have sent.
struct NotificationRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.notifications, use: listAPI)
        routes.api.get(Paths.API.reminderSettings, use: settingsAPI)
        routes.api.put(Paths.API.reminderSettings, use: saveSettingsAPI)
        routes.api.post(Paths.API.calendarFeed, use: createFeedAPI)
        routes.api.delete(Paths.API.calendarFeed, use: revokeFeedAPI)
        routes.openAPI.get(Paths.calendarFeed, use: feed)

        routes.web.get(Paths.notifications, use: page)
        routes.web.post(Paths.notificationSettings, use: saveSettings)
        routes.web.post(Paths.notificationFeed, use: feedForm)
        routes.web.get(Paths.outbox, use: outbox)
    }

    // MARK: Settings

    struct Settings: Content {
        var emailReminders: Bool
        /// "HH:MM" local time of the daily exercise reminder; null for none.
        var practiceReminderAt: String?
        var quietStart: String
        var quietEnd: String
        var calendarFeed: Bool?
    }

    static func settings(_ s: UserSettingsModel) -> Settings {
        Settings(emailReminders: s.emailReminders, practiceReminderAt: s.practiceReminderAt, quietStart: s.quietStart, quietEnd: s.quietEnd,
                 calendarFeed: s.calendarTokenHash != nil)
    }

    /// Saves a person's settings and, for a patient with a daily reminder, queues the next one.
    static func save(_ ctx: CallContext, _ input: Settings) async throws -> UserSettingsModel {
        let user = try ctx.requireUser()
        let practice = try input.practiceReminderAt.flatMap { $0.isEmpty ? nil : try ClockTime($0).description }
        let quiet = QuietHours(start: try ClockTime(input.quietStart), end: try ClockTime(input.quietEnd))
        return try await ctx.transaction { tx in
            let reminders = ReminderService(ctx: tx)
            let settings = try await reminders.settings(for: user.userID)
            settings.emailReminders = input.emailReminders
            settings.practiceReminderAt = practice
            settings.quietStart = quiet.start.description
            settings.quietEnd = quiet.end.description
            settings.updatedAt = tx.now
            try await settings.save(on: tx.db)
            if let patientID = user.patientID, practice != nil {
                let patient = try await tx.gate.authorize(.practiceToday, patientID: patientID, resource: "patient/\(patientID)/reminders")
                try await reminders.schedulePractice(patientID: patientID, userID: user.userID, zone: patient.timeZone.timeZone)
            }
            try await tx.audit.record(.init(action: "settings.reminders", resource: "user/\(user.userID)/settings", outcome: .allowed))
            return settings
        }
    }

    func settingsAPI(req: Request) async throws -> Settings {
        let ctx = req.context
        return Self.settings(try await ReminderService(ctx: ctx).settings(for: try ctx.requireUser().userID))
    }

    func saveSettingsAPI(req: Request) async throws -> Settings {
        let ctx = req.context
        _ = try ctx.requireUser()
        return Self.settings(try await Self.save(ctx, try req.content.decode(Settings.self)))
    }

    // MARK: Calendar feed

    struct Feed: Content {
        var url: String
    }

    /// A new secret feed address (any earlier one stops working). The token is shown only now.
    static func newFeed(_ ctx: CallContext) async throws -> String {
        let user = try ctx.requireUser()
        let token = Secrets.newToken()
        try await ctx.transaction { tx in
            let settings = try await ReminderService(ctx: tx).settings(for: user.userID)
            settings.calendarTokenHash = Secrets.keyedHash("calendar:" + token, secret: tx.config.secret)
            settings.updatedAt = tx.now
            try await settings.save(on: tx.db)
            try await tx.audit.record(.init(action: "calendar-feed.create", resource: "user/\(user.userID)/calendar", outcome: .allowed))
        }
        return (ctx.config.publicURL ?? "http://localhost:\(ctx.config.port)") + Paths.calendarFeed(token + ".ics")
    }

    static func revokeFeed(_ ctx: CallContext) async throws {
        let user = try ctx.requireUser()
        try await ctx.transaction { tx in
            let settings = try await ReminderService(ctx: tx).settings(for: user.userID)
            guard settings.calendarTokenHash != nil else { return }
            settings.calendarTokenHash = nil
            settings.updatedAt = tx.now
            try await settings.save(on: tx.db)
            try await tx.audit.record(.init(action: "calendar-feed.revoke", resource: "user/\(user.userID)/calendar", outcome: .allowed))
        }
    }

    func createFeedAPI(req: Request) async throws -> Response {
        try await Feed(url: try await Self.newFeed(req.context)).encodeResponse(status: .created, for: req)
    }

    func revokeFeedAPI(req: Request) async throws -> HTTPStatus {
        try await Self.revokeFeed(req.context)
        return .noContent
    }

    /// The feed itself: no sign-in, the secret address is the key. It holds the person's visits
    /// (a patient's own, a therapist's calendar) from 30 days back to 335 ahead, read as that person.
    func feed(req: Request) async throws -> Response {
        guard let raw = req.parameters.get("token"), raw.hasSuffix(".ics"), raw.count <= 80 else { throw Self.noFeed }
        let token = String(raw.dropLast(4))
        let app = req.application
        let hash = Secrets.keyedHash("calendar:" + token, secret: app.gonioConfig.secret)
        guard let settings = try await UserSettingsModel.query(on: req.database).filter(\.$calendarTokenHash == hash).with(\.$user).first(),
              let holder = try await CurrentUser.load(userID: settings.$user.id, on: req.database, now: req.context.now)
        else { throw Self.noFeed }
        var ctx = req.context
        ctx.principal = .user(holder)
        let visits = try await VisitService(ctx: ctx).visits(from: ctx.now.addingTimeInterval(-30 * 86_400), to: ctx.now.addingTimeInterval(335 * 86_400))
        let events = visits.map { v in
            VisitRoutes.event(v, patientName: v.$patient.value?.$user.value?.name ?? "patient", forPatient: holder.role != .therapist,
                              base: ctx.config.publicURL)
        }
        return VisitRoutes.calendarResponse(ICalendar.calendar(events, name: "Gonio visits", stamp: ctx.now))
    }

    static let noFeed = DomainError.notFound("calendar-not-found", "This calendar address is not (or no longer) in use.")

    // MARK: Notifications

    struct NotificationDTO: Content {
        var id: UUID
        var title: String
        var body: String
        var link: String?
        var createdAt: Date
        var read: Bool
    }

    static func notifications(_ ctx: CallContext, limit: Int = 50) async throws -> [NotificationModel] {
        let user = try ctx.requireUser()
        return try await NotificationModel.query(on: ctx.db).filter(\.$user.$id == user.userID).sort(\.$createdAt, .descending).limit(limit).all()
    }

    func listAPI(req: Request) async throws -> [NotificationDTO] {
        try await Self.notifications(req.context).map {
            NotificationDTO(id: $0.id ?? UUID(), title: $0.title, body: $0.body, link: $0.link, createdAt: $0.createdAt, read: $0.readAt != nil)
        }
    }

    // MARK: Pages

    struct Row: Encodable {
        var when: String
        var title: String
        var body: String
        var link: String?
        var unread: Bool
    }

    struct PageContext: Encodable {
        var notifications: [Row]
        var emails: [Row]
        var emailReminders: Bool
        var practiceTime: String
        var quietStart: String
        var quietEnd: String
        var isPatient: Bool
        var hasFeed: Bool
        var feedURL: String?
        var settingsAction: String
        var feedAction: String
        var zone: String
    }

    func page(req: Request) async throws -> Response {
        try await render(req, feedURL: nil, message: nil)
    }

    func render(_ req: Request, feedURL: String?, message: String?) async throws -> Response {
        let ctx = req.context
        let user = try ctx.requireUser()
        let zone = try await zone(ctx, user)
        let items = try await Self.notifications(ctx)
        let format: (Date) -> String = { "\(CalendarDay(at: $0, in: zone).longName), \(VisitPages.clock($0, zone))" }
        let emails = try await OutboxMessageModel.query(on: ctx.db).filter(\.$user.$id == user.userID).sort(\.$createdAt, .descending).limit(20).all()
        let settings = try await ReminderService(ctx: ctx).settings(for: user.userID)
        // Reading the page marks the messages read.
        for n in items where n.readAt == nil {
            n.readAt = ctx.now
            try await n.update(on: ctx.db)
        }
        let context = PageContext(
            notifications: items.map { Row(when: format($0.createdAt), title: $0.title, body: $0.body, link: $0.link, unread: $0.readAt == ctx.now) },
            emails: emails.map { Row(when: format($0.createdAt), title: $0.subject, body: $0.body, link: nil, unread: false) },
            emailReminders: settings.emailReminders, practiceTime: settings.practiceReminderAt ?? "", quietStart: settings.quietStart,
            quietEnd: settings.quietEnd, isPatient: user.role == .patient, hasFeed: settings.calendarTokenHash != nil, feedURL: feedURL,
            settingsAction: Paths.notificationSettings(), feedAction: Paths.notificationFeed(),
            zone: zone.identifier.replacingOccurrences(of: "_", with: " "))
        return try await WebPage.render(req, "notifications", title: "Messages and reminders", context, notice: message ?? WebPage.notice(req, [
            "saved": "Your reminder settings are saved.", "revoked": "The calendar address no longer works.",
        ]))
    }

    private func zone(_ ctx: CallContext, _ user: CurrentUser) async throws -> TimeZone {
        if let patientID = user.patientID {
            return try await ctx.gate.authorize(.patientRead, patientID: patientID, resource: "notifications").timeZone.timeZone
        }
        return TimeZone(identifier: "UTC")!
    }

    struct SettingsForm: Content {
        var emailReminders: String?
        var practiceReminderAt: String?
        var quietStart: String
        var quietEnd: String
    }

    func saveSettings(req: Request) async throws -> Response {
        let form = try req.content.decode(SettingsForm.self)
        return try await WebPage.submitting({
            _ = try await Self.save(req.context, Settings(emailReminders: form.emailReminders == "on", practiceReminderAt: form.practiceReminderAt,
                                                          quietStart: form.quietStart, quietEnd: form.quietEnd))
            return WebPage.seeOther(Paths.notifications(query: ["notice": "saved"]))
        }, orShow: { message, _ in try await render(req, feedURL: nil, message: message) })
    }

    struct FeedForm: Content {
        var action: String
    }

    func feedForm(req: Request) async throws -> Response {
        let form = try req.content.decode(FeedForm.self)
        if form.action == "revoke" {
            try await Self.revokeFeed(req.context)
            return WebPage.seeOther(Paths.notifications(query: ["notice": "revoked"]))
        }
        return try await render(req, feedURL: try await Self.newFeed(req.context), message: "Your private calendar address is below. Keep it to yourself.")
    }

    /// Outside production: every email Gonio sent or would have sent, for the platform admin.
    func outbox(req: Request) async throws -> Response {
        let ctx = req.context
        _ = try ctx.requireUser(.platformAdmin)
        guard !ctx.config.isProduction else { throw DomainError.notFound() }
        let messages = try await OutboxMessageModel.query(on: ctx.db).sort(\.$createdAt, .descending).limit(100).all()
        struct Item: Encodable {
            var when: String
            var to: String
            var subject: String
            var body: String
            var status: String
            var calendar: Bool
        }
        let utc = TimeZone(identifier: "UTC")!
        return try await WebPage.render(req, "outbox", title: "Outbox", messages.map {
            Item(when: "\(CalendarDay(at: $0.createdAt, in: utc).longName), \(VisitPages.clock($0.createdAt, utc)) UTC", to: $0.toAddress,
                 subject: $0.subject, body: $0.body, status: $0.status.rawValue, calendar: $0.hasCalendar)
        })
    }
}

import Fluent
import Foundation
import GonioCore

/// Work to do at a time: claimed by one worker (of however many app instances), retried with
/// growing delays when it fails.
final class JobModel: Model, @unchecked Sendable {
    static let schema = "jobs"
    enum Status: String, Codable, Sendable, CaseIterable { case pending, running, done, failed }

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    /// Queued at most once while pending or running (e.g. `visit/<id>/day-before/<sequence>`).
    @OptionalField(key: "key") var key: String?
    @Field(key: "payload") var payload: String
    @Field(key: "run_at") var runAt: Date
    @Enum(key: "status") var status: Status
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "locked_at") var lockedAt: Date?
    @OptionalField(key: "locked_by") var lockedBy: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}
}

/// An email as Gonio sent it (or, without a mail server, would have sent it).
final class OutboxMessageModel: Model, @unchecked Sendable {
    static let schema = "outbox_messages"
    enum Status: String, Codable, Sendable, CaseIterable {
        case sent
        /// No mail server is configured (development): kept here to read on the outbox page.
        case logged
        case failed
    }

    @ID(key: .id) var id: UUID?
    @OptionalParent(key: "user_id") var user: UserModel?
    @Field(key: "to_address") var toAddress: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "has_calendar") var hasCalendar: Bool
    @Enum(key: "status") var status: Status
    @OptionalField(key: "error") var error: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A message in Gonio for one person.
final class NotificationModel: Model, @unchecked Sendable {
    static let schema = "notifications"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @OptionalField(key: "link") var link: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?

    init() {}
}

/// How a person wants to be reminded, and their private calendar feed.
final class UserSettingsModel: Model, @unchecked Sendable {
    static let schema = "user_settings"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "email_reminders") var emailReminders: Bool
    /// Local time of the daily exercise reminder ("HH:MM"), none when off.
    @OptionalField(key: "practice_reminder_at") var practiceReminderAt: String?
    @Field(key: "quiet_start") var quietStart: String
    @Field(key: "quiet_end") var quietEnd: String
    /// A keyed hash of the feed's secret token (the token itself is shown once).
    @OptionalField(key: "calendar_token_hash") var calendarTokenHash: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var quietHours: QuietHours {
        guard let start = try? ClockTime(quietStart), let end = try? ClockTime(quietEnd) else { return .standard }
        return QuietHours(start: start, end: end)
    }
}

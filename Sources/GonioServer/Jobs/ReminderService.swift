import Vapor
import Fluent
import GonioCore

/// Visit messages (confirmation, a day and an hour before, changes, cancellations) and the
/// daily exercise reminder: queued with the change that calls for them, sent by the job worker
/// in Gonio and by email. Emails carry no health details (`Reminders.visitMessage`).
struct ReminderService {
    let ctx: CallContext

    static let visitJob = "visit-message"
    static let practiceJob = "practice-reminder"
    static let messageJob = "message-notice"

    struct VisitMessage: Codable, Sendable {
        var visitID: UUID
        var kind: ReminderKind
        /// The visit's sequence when queued: a later change makes the message stale.
        var sequence: Int
    }

    struct PracticeMessage: Codable, Sendable {
        var patientID: UUID
    }

    /// A new secure message: who to tell, never what it says.
    struct MessageNotice: Codable, Sendable {
        var recipients: [UUID]
        var fromCareTeam: Bool
        var patientID: UUID
        var threadID: UUID
    }

    // MARK: Queueing (inside the change's transaction)

    /// The messages a visit's booking, move or cancellation calls for.
    func queue(after visit: VisitModel, _ kind: ReminderKind, patient: AuthorizedPatient) async throws {
        let queue = JobQueue(ctx: ctx)
        let id = try visit.requireID()
        try await queue.enqueue(Self.visitJob, key: "visit/\(id)/\(kind.rawValue)/\(visit.sequence)", at: ctx.now,
                                VisitMessage(visitID: id, kind: kind, sequence: visit.sequence))
        guard kind == .confirmation || kind == .changed else { return }
        let settings = try await self.settings(for: patient.userID)
        for (reminder, at) in Reminders.visitReminders(start: visit.startAt, now: ctx.now, quiet: settings.quietHours, zone: patient.timeZone.timeZone) {
            try await queue.enqueue(Self.visitJob, key: "visit/\(id)/\(reminder.rawValue)/\(visit.sequence)", at: at,
                                    VisitMessage(visitID: id, kind: reminder, sequence: visit.sequence))
        }
    }

    /// A person's settings, or the defaults (email on, quiet 21:00-08:00, no daily reminder).
    func settings(for userID: UUID) async throws -> UserSettingsModel {
        if let found = try await UserSettingsModel.query(on: ctx.db).filter(\.$user.$id == userID).first() { return found }
        let s = UserSettingsModel()
        s.$user.id = userID
        s.emailReminders = true
        s.quietStart = QuietHours.standard.start.description
        s.quietEnd = QuietHours.standard.end.description
        s.updatedAt = ctx.now
        return s
    }

    // MARK: Sending (the job worker, as Gonio itself)

    func perform(_ job: JobModel) async throws {
        var me = self
        me.firstAttempt = job.attempts <= 1
        try await me.run(job)
    }

    /// A retry after a failed email does not repeat the message in Gonio.
    var firstAttempt = true

    private func run(_ job: JobModel) async throws {
        let decoder = JSONDecoder()
        switch job.kind {
        case Self.visitJob:
            try await sendVisitMessage(try decoder.decode(VisitMessage.self, from: Data(job.payload.utf8)))
        case Self.practiceJob:
            try await sendPracticeReminder(try decoder.decode(PracticeMessage.self, from: Data(job.payload.utf8)))
        case Self.messageJob:
            try await sendMessageNotice(try decoder.decode(MessageNotice.self, from: Data(job.payload.utf8)))
        case CoverService.renewalJob:
            let renewal = try decoder.decode(CoverService.Renewal.self, from: Data(job.payload.utf8))
            guard let row = try await EnrollmentModel.find(renewal.enrollmentID, on: ctx.db) else { return }
            _ = try await ctx.gate.change(.subscriptionRenew, patientID: row.$patient.id, resource: "enrollment/\(renewal.enrollmentID)/renew") { patient, tx in
                try await CoverService(ctx: tx).renew(patient, enrollmentID: renewal.enrollmentID)?.id
            }
        default:
            throw Abort(.internalServerError, reason: "unknown job kind \(job.kind)")
        }
    }

    private func sendVisitMessage(_ message: VisitMessage) async throws {
        guard let found = try await VisitModel.find(message.visitID, on: ctx.db) else { return }
        let patient = try await ctx.gate.authorize(.visitRead, patientID: found.$patient.id, resource: "visit/\(message.visitID)/message")
        let visit = try await VisitService(ctx: ctx).visit(message.visitID, of: patient)
        // A later change replaced this message; a reminder of a visit no longer booked is not sent.
        guard visit.sequence == message.sequence else { return }
        if [.dayBefore, .hourBefore, .confirmation, .changed].contains(message.kind), visit.status != .booked { return }
        let therapist = visit.therapist.$user.value?.name ?? "your therapist"
        let zone = patient.timeZone.timeZone
        let text = Reminders.visitMessage(message.kind, visitType: visit.visitTypeName, therapist: therapist,
                                          when: VisitPages.when(visit.startAt, visit.endAt, in: zone), video: visit.modality == .video,
                                          location: visit.location, link: link(Paths.visitsPage()))
        let calendar = [.confirmation, .changed, .cancelled].contains(message.kind)
            ? ICalendar.calendar([VisitRoutes.event(visit, patientName: patient.name, forPatient: true, base: ctx.config.publicURL)], stamp: ctx.now)
            : nil
        try await deliver(to: patient.userID, email: patient.email, subject: text.subject, body: text.text, link: Paths.visitsPage(), calendar: calendar)
    }

    private func sendPracticeReminder(_ message: PracticeMessage) async throws {
        let patient = try await ctx.gate.authorize(.practiceToday, patientID: message.patientID, resource: "patient/\(message.patientID)/practice-reminder")
        let settings = try await settings(for: patient.userID)
        guard let time = settings.practiceReminderAt.flatMap({ try? ClockTime($0) }) else { return }
        let today = try await PracticeService(ctx: ctx).today(patient)
        if !today.items.isEmpty, today.nextSession != nil {
            let text = Reminders.visitMessage(.practice, visitType: "", therapist: "", when: "", video: false, location: nil,
                                              link: link(Paths.player(patient.id)))
            try await deliver(to: patient.userID, email: patient.email, subject: text.subject, body: text.text, link: Paths.player(patient.id),
                              calendar: nil, emailWanted: settings.emailReminders)
        }
        let next = Reminders.nextPractice(after: ctx.now.addingTimeInterval(60), at: time, quiet: settings.quietHours, zone: patient.timeZone.timeZone)
        try await JobQueue(ctx: ctx).enqueue(Self.practiceJob, key: "practice/\(patient.id)", at: next, message)
    }

    /// Tells each recipient there is a new message, with a link to it; the message itself stays
    /// in Gonio (email is not a safe place for health information).
    private func sendMessageNotice(_ notice: MessageNotice) async throws {
        let path = Paths.threadPage(notice.patientID, notice.threadID)
        for userID in notice.recipients {
            guard let user = try await UserModel.find(userID, on: ctx.db) else { continue }
            let from = notice.fromCareTeam ? "your care team" : "a patient you care for"
            try await deliver(to: userID, email: user.email, subject: "New message in Gonio",
                              body: "Hello \(user.name),\n\nYou have a new message from \(from) in Gonio. For your privacy it is not included in this email; sign in to read it:\n\(link(path))\n",
                              link: path, calendar: nil)
        }
    }

    /// Queues the next daily exercise reminder for a patient (after they set a time).
    func schedulePractice(patientID: UUID, userID: UUID, zone: TimeZone) async throws {
        let settings = try await settings(for: userID)
        guard let time = settings.practiceReminderAt.flatMap({ try? ClockTime($0) }) else { return }
        let next = Reminders.nextPractice(after: ctx.now, at: time, quiet: settings.quietHours, zone: zone)
        try await JobQueue(ctx: ctx).enqueue(Self.practiceJob, key: "practice/\(patientID)", at: next, PracticeMessage(patientID: patientID))
    }

    private func link(_ path: String) -> String { (ctx.config.publicURL ?? "http://localhost:\(ctx.config.port)") + path }

    /// A message in Gonio, and by email when the person wants email: sent through the mail
    /// server, or kept in the outbox when none is configured.
    func deliver(to userID: UUID, email: String, subject: String, body: String, link: String?, calendar: String?,
                 emailWanted: Bool? = nil) async throws {
        if firstAttempt {
            let notification = NotificationModel()
            notification.$user.id = userID
            notification.title = subject
            notification.body = body
            notification.link = link
            notification.createdAt = ctx.now
            try await notification.create(on: ctx.db)
        }
        let wanted: Bool
        if let emailWanted { wanted = emailWanted } else { wanted = try await settings(for: userID).emailReminders }
        guard wanted else { return }
        let outbox = OutboxMessageModel()
        outbox.$user.id = userID
        outbox.toAddress = email
        outbox.subject = subject
        outbox.body = body
        outbox.hasCalendar = calendar != nil
        outbox.createdAt = ctx.now
        if let mailer = ctx.mailer {
            do {
                try await mailer.send(OutgoingMail(to: email, subject: subject, text: body, calendar: calendar))
                outbox.status = .sent
            } catch {
                outbox.status = .failed
                outbox.error = String(String(describing: error).prefix(500))
                try await outbox.create(on: ctx.db)
                throw error
            }
        } else {
            outbox.status = .logged
        }
        try await outbox.create(on: ctx.db)
    }
}

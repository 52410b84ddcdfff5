import Vapor
import Fluent
import GonioCore

/// Secure messaging for one patient: conversations between the patient's side (the patient and
/// caregivers with the message scope) and their care team. Messages may carry a photo and point
/// at an exercise or a practice log. Everyone on the other side is told there is a new message,
/// in Gonio and by email when they want email, never with its content. Runs inside the gate.
struct MessageService {
    let ctx: CallContext

    struct MessageView: Content {
        var id: UUID
        var threadId: UUID
        var senderName: String
        var senderRole: String
        var mine: Bool
        var body: String
        var reference: Reference?
        var attachment: String?
        var createdAt: Date
    }

    struct Reference: Content {
        var kind: String
        var id: String
        /// What it points at, in words ("Heel slides", "Heel slides on Monday 30 November").
        var label: String
    }

    struct ThreadView: Content {
        var id: UUID
        var patientId: UUID
        var subject: String
        var lastMessageAt: Date
        var unread: Int
        var messages: [MessageView]?
    }

    struct Input: Content {
        struct Attachment: Content {
            var mediaType: String
            /// Base64.
            var data: String
        }
        var subject: String?
        var body: String
        var reference: Reference?
        var attachment: Attachment?

        struct Reference: Content {
            var kind: String
            var id: String
        }

        func draft() throws -> MessageDraft {
            let ref = try reference.map { try MessageDraft.Reference(kind: $0.kind, id: $0.id) }
            var attached: MessageDraft.Attachment?
            if let a = attachment {
                guard a.data.count <= (MessageDraft.maxAttachmentBytes / 3 + 1) * 4 + 8 else {
                    throw DomainError.invalid("attachment-too-large", "A photo is at most \(MessageDraft.maxAttachmentBytes >> 20) MB.")
                }
                guard let bytes = Data(base64Encoded: a.data) else {
                    throw DomainError.invalid("attachment-invalid", "Send the photo's bytes as base64.")
                }
                attached = .init(mediaType: a.mediaType, bytes: Array(bytes))
            }
            return try MessageDraft(body: body, reference: ref, attachment: attached).validated()
        }
    }

    // MARK: Reading

    func threads(_ patient: AuthorizedPatient) async throws -> [ThreadView] {
        let user = try ctx.requireUser()
        let threads = try await ThreadModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).sort(\.$lastMessageAt, .descending).limit(200).all()
        let unread = try await unreadCounts(threads.compactMap(\.id), user: user.userID)
        return threads.map { ThreadView(id: $0.id!, patientId: patient.id, subject: $0.subject, lastMessageAt: $0.lastMessageAt, unread: unread[$0.id!] ?? 0) }
    }

    /// Unread messages (from others) per conversation, for `user`.
    func unreadCounts(_ threadIDs: [UUID], user: UUID) async throws -> [UUID: Int] {
        guard !threadIDs.isEmpty else { return [:] }
        let reads = try await ThreadReadModel.query(on: ctx.db).filter(\.$thread.$id ~~ threadIDs).filter(\.$user.$id == user).all()
        let readAt = Dictionary(reads.map { ($0.$thread.id, $0.readAt) }, uniquingKeysWith: max)
        let messages = try await SecureMessageModel.query(on: ctx.db).filter(\.$thread.$id ~~ threadIDs)
            .field(\.$id).field(\.$thread.$id).field(\.$sender.$id).field(\.$createdAt).all()
        var out: [UUID: Int] = [:]
        for m in messages where m.$sender.id != user && m.createdAt > (readAt[m.$thread.id] ?? .distantPast) {
            out[m.$thread.id, default: 0] += 1
        }
        return out
    }

    /// Unread messages for `user` across the patients given (a dashboard, the menu).
    func unread(for patients: [AuthorizedPatient]) async throws -> [UUID: Int] {
        guard let user = ctx.user, !patients.isEmpty else { return [:] }
        let threads = try await ThreadModel.query(on: ctx.db).filter(\.$patient.$id ~~ patients.map(\.id)).all()
        let counts = try await unreadCounts(threads.compactMap(\.id), user: user.userID)
        var out: [UUID: Int] = [:]
        for t in threads { out[t.$patient.id, default: 0] += counts[t.id!] ?? 0 }
        return out
    }

    /// One conversation with its messages, marked read for the reader.
    func thread(_ patient: AuthorizedPatient, id: UUID, markRead: Bool = true) async throws -> ThreadView {
        let user = try ctx.requireUser()
        guard let thread = try await ThreadModel.query(on: ctx.db).filter(\.$id == id).filter(\.$patient.$id == patient.id).first() else {
            throw DomainError.notFound("thread-not-found", "No such conversation for this patient.")
        }
        let messages = try await SecureMessageModel.query(on: ctx.db).filter(\.$thread.$id == id).sort(\.$createdAt).all()
        let unread = try await unreadCounts([id], user: user.userID)[id] ?? 0
        if markRead { try await self.markRead(id, user: user.userID) }
        let labels = try await referenceLabels(patient, messages)
        return ThreadView(id: id, patientId: patient.id, subject: thread.subject, lastMessageAt: thread.lastMessageAt, unread: unread,
                          messages: messages.map { view($0, reader: user.userID, labels: labels) })
    }

    func view(_ m: SecureMessageModel, reader: UUID, labels: [String: String]) -> MessageView {
        MessageView(id: m.id!, threadId: m.$thread.id, senderName: m.senderName, senderRole: m.senderRole, mine: m.$sender.id == reader, body: m.body,
                    reference: m.refKind.flatMap { kind in m.refID.map { Reference(kind: kind, id: $0, label: labels["\(kind):\($0)"] ?? $0) } },
                    attachment: m.attachmentType == nil ? nil : Paths.API.messageAttachment(m.id!), createdAt: m.createdAt)
    }

    private func referenceLabels(_ patient: AuthorizedPatient, _ messages: [SecureMessageModel]) async throws -> [String: String] {
        let refs = messages.compactMap { m in m.refKind.flatMap { k in m.refID.map { (k, $0) } } }
        guard !refs.isEmpty else { return [:] }
        let exercises = try await PlanService(ctx: ctx).exercises(for: patient)
        var out: [String: String] = [:]
        let logIDs = refs.filter { $0.0 == "log" }.compactMap { UUID(uuidString: $0.1) }
        let logs = logIDs.isEmpty ? [] : try await PracticeService(ctx: ctx).logs(patient, ids: logIDs)
        for (kind, id) in refs {
            if kind == "exercise" { out["\(kind):\(id)"] = exercises(id)?.name ?? id }
            if kind == "log", let log = logs.first(where: { $0.id?.uuidString.lowercased() == id.lowercased() }) {
                let day = (try? CalendarDay(log.day))?.longName ?? log.day
                out["\(kind):\(id)"] = "\(exercises(log.exerciseID)?.name ?? log.exerciseID) on \(day)" + (log.report.worstPain.map { ", pain \($0)/10" } ?? "")
            }
        }
        return out
    }

    func markRead(_ threadID: UUID, user: UUID) async throws {
        if let row = try await ThreadReadModel.query(on: ctx.db).filter(\.$thread.$id == threadID).filter(\.$user.$id == user).first() {
            row.readAt = ctx.now
            try await row.update(on: ctx.db)
        } else {
            let row = ThreadReadModel()
            row.$thread.id = threadID
            row.$user.id = user
            row.readAt = ctx.now
            try await insertingUniquely(or: .conflict("read-twice", "Opened twice at once; reload.")) { try await row.create(on: ctx.db) }
        }
    }

    /// A message's photo, for those who may read the conversation.
    func attachment(_ patient: AuthorizedPatient, messageID: UUID) async throws -> (type: String, data: Data) {
        guard let m = try await SecureMessageModel.query(on: ctx.db).filter(\.$id == messageID).filter(\.$patient.$id == patient.id).first(),
              let type = m.attachmentType, let data = m.attachment else {
            throw DomainError.notFound("attachment-not-found", "No such photo.")
        }
        return (type, data)
    }

    /// The patient a message belongs to, before the gate (nil: no such message).
    static func patientID(ofMessage id: UUID, on db: any Database) async throws -> UUID? {
        try await SecureMessageModel.find(id, on: db)?.$patient.id
    }

    static func patientID(ofThread id: UUID, on db: any Database) async throws -> UUID? {
        try await ThreadModel.find(id, on: db)?.$patient.id
    }

    // MARK: Writing

    /// Starts a conversation with its first message.
    func start(_ patient: AuthorizedPatient, subject raw: String?, _ draft: MessageDraft) async throws -> ThreadView {
        let subject = (raw ?? "").trimmingWhitespace()
        guard (1...120).contains(subject.count), !subject.contains(where: { $0.isNewline }) else {
            throw DomainError.invalid("subject-invalid", "Give the conversation a subject of 1 to 120 characters.")
        }
        let thread = ThreadModel()
        thread.id = UUID()
        thread.$patient.id = patient.id
        thread.subject = subject
        thread.$createdBy.id = ctx.user?.userID
        thread.createdAt = ctx.now
        thread.lastMessageAt = ctx.now
        try await thread.create(on: ctx.db)
        _ = try await send(patient, thread: thread, draft)
        return try await self.thread(patient, id: thread.id!, markRead: false)
    }

    func reply(_ patient: AuthorizedPatient, threadID: UUID, _ draft: MessageDraft) async throws -> MessageView {
        try await ctx.lockRow(ThreadModel.self, id: threadID)
        guard let thread = try await ThreadModel.query(on: ctx.db).filter(\.$id == threadID).filter(\.$patient.$id == patient.id).first() else {
            throw DomainError.notFound("thread-not-found", "No such conversation for this patient.")
        }
        return try await send(patient, thread: thread, draft)
    }

    private func send(_ patient: AuthorizedPatient, thread: ThreadModel, _ draft: MessageDraft) async throws -> MessageView {
        let user = try ctx.requireUser()
        if case .log(let id) = draft.reference {
            guard let uuid = UUID(uuidString: id), try await !PracticeService(ctx: ctx).logs(patient, ids: [uuid]).isEmpty else {
                throw DomainError.invalid("reference-invalid", "That log is not one of this patient's.")
            }
        }
        let m = SecureMessageModel()
        m.id = UUID()
        m.$thread.id = thread.id!
        m.$patient.id = patient.id
        m.$sender.id = user.userID
        m.senderName = user.name
        m.senderRole = user.role.rawValue
        m.body = draft.body
        m.refKind = draft.reference?.kind
        m.refID = draft.reference?.id
        m.attachmentType = draft.attachment?.mediaType
        m.attachment = draft.attachment.map { Data($0.bytes) }
        m.createdAt = ctx.now
        try await m.create(on: ctx.db)
        thread.lastMessageAt = ctx.now
        try await thread.update(on: ctx.db)
        try await markRead(thread.id!, user: user.userID)
        // The other side hears of it (not what it says), through the job queue: in this transaction.
        let recipients = try await otherSide(patient, sender: user)
        if !recipients.isEmpty {
            try await JobQueue(ctx: ctx).enqueue(ReminderService.messageJob, key: "message/\(m.id!)", at: ctx.now,
                                                 ReminderService.MessageNotice(recipients: recipients, fromCareTeam: user.role == .therapist,
                                                                               patientID: patient.id, threadID: thread.id!))
        }
        let labels = try await referenceLabels(patient, [m])
        return view(m, reader: user.userID, labels: labels)
    }

    /// Who is told of a message: the care team when the patient's side writes, and the patient
    /// and caregivers who may message when the care team writes (never the sender).
    func otherSide(_ patient: AuthorizedPatient, sender: CurrentUser) async throws -> [UUID] {
        let care = CareService(ctx: ctx)
        var out: [UUID]
        if sender.role == .therapist {
            let caregivers = try await care.caregiverLinks(patient).filter { $0.revokedAt == nil && $0.expiresAt > ctx.now && $0.scopes.set.contains(.message) }
            out = [patient.userID] + caregivers.map(\.$caregiver.id)
        } else {
            out = try await care.careTeam(patient).filter { $0.verification == .verified }.map(\.$user.id)
        }
        return Array(Set(out)).filter { $0 != sender.userID }.sorted { $0.uuidString < $1.uuidString }
    }

    /// The care team's response times for this patient: the median wait, and how many answers.
    func responseTimes(_ patient: AuthorizedPatient) async throws -> (median: Double?, answers: Int) {
        let messages = try await SecureMessageModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
            .field(\.$id).field(\.$thread.$id).field(\.$senderRole).field(\.$createdAt).all()
        let waits = ResponseTimes.waits(messages.map { .init(thread: $0.$thread.id.uuidString, at: $0.createdAt.timeIntervalSince1970, fromCareTeam: $0.fromCareTeam) })
        return (ResponseTimes.median(waits), waits.count)
    }
}

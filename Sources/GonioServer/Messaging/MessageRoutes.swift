import Vapor
import Fluent
import GonioCore

/// Secure messaging: the API and the pages (an inbox of the patients one may message, a
/// patient's conversations, one conversation). A conversation's id or a message's id leads to
/// its patient first, then everything goes through the gate like all patient data.
struct MessageRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.threads, use: threadsAPI)
        routes.api.post(Paths.API.threads, use: startAPI)
        routes.api.get(Paths.API.thread, use: threadAPI)
        routes.api.post(Paths.API.threadMessages, use: replyAPI)
        routes.api.get(Paths.API.messageAttachment, use: attachmentAPI)
        routes.api.get(Paths.API.unread, use: unreadAPI)

        routes.web.get(Paths.inbox, use: inbox)
        routes.web.get(Paths.messagesPage, use: patientPage)
        routes.web.post(Paths.messagesPage, use: startPage)
        routes.web.get(Paths.threadPage, use: threadPage)
        routes.web.post(Paths.threadPage, use: replyPage)
        routes.web.get(Paths.messageAttachmentPage, use: attachmentPage)
    }

    static func resource(_ id: UUID) -> String { "patient/\(id)/messages" }

    static func threadPatient(_ req: Request) async throws -> (UUID, UUID) {
        let tid = try req.uuidParameter("threadID")
        guard let pid = try await MessageService.patientID(ofThread: tid, on: req.db) else {
            throw DomainError.notFound("thread-not-found", "No such conversation.")
        }
        return (tid, pid)
    }

    // MARK: API

    func threadsAPI(req: Request) async throws -> [MessageService.ThreadView] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.messageList, patientID: id, resource: Self.resource(id))
        return try await MessageService(ctx: ctx).threads(patient)
    }

    func startAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let thread = try await req.context.gate.change(.messageSend, patientID: id, resource: Self.resource(id)) { patient, tx in
            let input = try req.content.decode(MessageService.Input.self)
            return try await MessageService(ctx: tx).start(patient, subject: input.subject, try input.draft())
        }
        return try await thread.encodeResponse(status: .created, for: req)
    }

    func threadAPI(req: Request) async throws -> MessageService.ThreadView {
        let ctx = req.context
        let (tid, pid) = try await Self.threadPatient(req)
        let patient = try await ctx.gate.authorize(.messageRead, patientID: pid, resource: Self.resource(pid) + "/\(tid)")
        return try await MessageService(ctx: ctx).thread(patient, id: tid)
    }

    func replyAPI(req: Request) async throws -> Response {
        let (tid, pid) = try await Self.threadPatient(req)
        let message = try await req.context.gate.change(.messageSend, patientID: pid, resource: Self.resource(pid) + "/\(tid)") { patient, tx in
            let input = try req.content.decode(MessageService.Input.self)
            return try await MessageService(ctx: tx).reply(patient, threadID: tid, try input.draft())
        }
        return try await message.encodeResponse(status: .created, for: req)
    }

    func attachmentAPI(req: Request) async throws -> Response {
        let ctx = req.context
        let mid = try req.uuidParameter("messageID")
        guard let pid = try await MessageService.patientID(ofMessage: mid, on: req.db) else {
            throw DomainError.notFound("attachment-not-found", "No such photo.")
        }
        return try await Self.photo(req, patientID: pid, messageID: mid)
    }

    /// The same photo for Gonio's pages, by the patient in the path (the gate first).
    func attachmentPage(req: Request) async throws -> Response {
        try await Self.photo(req, patientID: try req.uuidParameter("patientID"), messageID: try req.uuidParameter("messageID"))
    }

    static func photo(_ req: Request, patientID pid: UUID, messageID mid: UUID) async throws -> Response {
        let ctx = req.context
        let patient = try await ctx.gate.authorize(.messageRead, patientID: pid, resource: Self.resource(pid) + "/attachments/\(mid)")
        let (type, data) = try await MessageService(ctx: ctx).attachment(patient, messageID: mid)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: type)
        headers.replaceOrAdd(name: .contentDisposition, value: "inline")
        // Images only; never run as a page (the CSP and nosniff come from SecurityHeaders).
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    struct Unread: Content {
        struct PerPatient: Content {
            var patientId: UUID
            var name: String
            var unread: Int
        }
        var total: Int
        var patients: [PerPatient]
    }

    /// Unread messages for the caller, per patient they may message (the first 100).
    func unreadAPI(req: Request) async throws -> Unread {
        let ctx = req.context
        _ = try ctx.requireUser()
        let page = try await ctx.gate.list(.messageList, page: try ListPage(page: 1, per: ListPage.maxPer), resource: "messages/unread")
        let counts = try await MessageService(ctx: ctx).unread(for: page.items)
        let rows = page.items.map { Unread.PerPatient(patientId: $0.id, name: $0.name, unread: counts[$0.id] ?? 0) }
        return Unread(total: rows.reduce(0) { $0 + $1.unread }, patients: rows)
    }

    // MARK: Pages

    struct InboxRow: Encodable {
        var name: String
        var unread: Int
        var link: String
    }

    func inbox(req: Request) async throws -> Response {
        let ctx = req.context
        let user = try ctx.requireUser()
        if user.role == .patient, let own = user.patientID { return WebPage.seeOther(Paths.messagesPage(own)) }
        let page = try await ctx.gate.list(.messageList, page: try ListPage(page: 1, per: ListPage.maxPer), resource: "messages")
        let counts = try await MessageService(ctx: ctx).unread(for: page.items)
        struct Context: Encodable { var rows: [InboxRow] }
        return try await WebPage.render(req, "messages-inbox", title: "Messages", Context(rows: page.items.map {
            InboxRow(name: $0.name, unread: counts[$0.id] ?? 0, link: Paths.messagesPage($0.id))
        }.sorted { ($0.unread > 0 ? 0 : 1, $0.name) < ($1.unread > 0 ? 0 : 1, $1.name) }))
    }

    struct ThreadRow: Encodable {
        var subject: String
        var when: String
        var unread: Int
        var link: String
    }

    struct Choice: Encodable {
        var value: String
        var label: String
    }

    struct MessageRow: Encodable {
        var who: String
        var mine: Bool
        var when: String
        var body: String
        var reference: String?
        var attachment: String?
    }

    struct PageContext: Encodable {
        var patientName: String
        var isSelf: Bool
        var threads: [ThreadRow]
        var thread: ThreadInfo?
        var action: String
        var references: [Choice]
        var responseTime: String?
        var back: String
        var maxMB: Int
    }

    struct ThreadInfo: Encodable {
        var subject: String
        var messages: [MessageRow]
    }

    static func render(_ req: Request, patientID: UUID, threadID: UUID?, message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = req.context
        let op: PatientOperation = threadID == nil ? .messageList : .messageRead
        let patient = try await ctx.gate.authorize(op, patientID: patientID, resource: resource(patientID) + (threadID.map { "/\($0)" } ?? ""))
        let service = MessageService(ctx: ctx)
        let time = DateFormatter()
        time.dateStyle = .medium
        time.timeStyle = .short
        time.timeZone = patient.timeZone.timeZone
        let threads = try await service.threads(patient)
        var info: ThreadInfo?
        if let threadID {
            let t = try await service.thread(patient, id: threadID)
            info = ThreadInfo(subject: t.subject, messages: (t.messages ?? []).map {
                MessageRow(who: $0.mine ? "You" : "\($0.senderName) (\($0.senderRole))", mine: $0.mine, when: time.string(from: $0.createdAt), body: $0.body,
                           reference: $0.reference.map { "About: \($0.label)" },
                           attachment: $0.attachment == nil ? nil : Paths.messageAttachmentPage(patientID, $0.id))
            })
        }
        // What a message may point at: the plan's exercises and the last two weeks' logs.
        var references: [Choice] = []
        if patient.may(.viewClinical) || patient.may(.logPractice) {
            let plans = PlanService(ctx: ctx)
            if let current = try await plans.active(patient) {
                let exercises = try await plans.exercises(for: patient, ids: current.content.items.map(\.exerciseID))
                references += current.content.items.map { Choice(value: "exercise:\($0.exerciseID)", label: "Exercise: \(exercises($0.exerciseID)?.name ?? $0.exerciseID)") }
                let logs = try await PracticeService(ctx: ctx).history(patient, since: patient.day(at: ctx.now).adding(days: -14)).suffix(20).reversed()
                references += logs.map { log in
                    let day = (try? CalendarDay(log.day))?.longName ?? log.day
                    return Choice(value: "log:\(log.id!.uuidString)", label: "Log: \(exercises(log.exerciseID)?.name ?? log.exerciseID), \(day)"
                                  + (log.report.worstPain.map { ", pain \($0)/10" } ?? ""))
                }
            }
        }
        var responseTime: String?
        if ctx.user?.role == .therapist {
            let (median, answers) = try await service.responseTimes(patient)
            responseTime = median.map { "Care team's median response time: \(ResponseTimes.words($0)) (\(answers) answer\(answers == 1 ? "" : "s"))." }
        }
        let context = PageContext(
            patientName: patient.name, isSelf: ctx.user?.patientID == patientID,
            threads: threads.map { ThreadRow(subject: $0.subject, when: time.string(from: $0.lastMessageAt), unread: $0.unread, link: Paths.threadPage(patientID, $0.id)) },
            thread: info, action: threadID.map { Paths.threadPage(patientID, $0) } ?? Paths.messagesPage(patientID), references: references,
            responseTime: responseTime, back: Paths.messagesPage(patientID), maxMB: MessageDraft.maxAttachmentBytes >> 20)
        return try await WebPage.render(req, "messages", title: info?.subject ?? "Messages", context, notice: WebPage.notice(req, [
            "sent": "Your message is sent. The care team is told there is a new message (not what it says).",
            "sent-team": "Your message is sent. The patient is told there is a new message (not what it says).",
        ]), error: message, status: status)
    }

    func patientPage(req: Request) async throws -> Response {
        try await Self.render(req, patientID: try req.uuidParameter("patientID"), threadID: nil, message: nil)
    }

    func threadPage(req: Request) async throws -> Response {
        let pid = try req.uuidParameter("patientID")
        let tid = try req.uuidParameter("threadID")
        return try await Self.render(req, patientID: pid, threadID: tid, message: nil)
    }

    struct Form: Content {
        var subject: String?
        var body: String?
        var reference: String?
        var photo: File?
    }

    static func draft(_ form: Form) throws -> MessageDraft {
        var ref: MessageDraft.Reference?
        if let r = form.reference, !r.isEmpty {
            let parts = r.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw DomainError.invalid("reference-invalid", "Choose what the message is about from the list.") }
            ref = try MessageDraft.Reference(kind: parts[0], id: parts[1])
        }
        var attachment: MessageDraft.Attachment?
        if let photo = form.photo, photo.data.readableBytes > 0 {
            let bytes = Array(photo.data.readableBytesView)
            attachment = .init(mediaType: MessageDraft.sniff(bytes) ?? photo.contentType?.description ?? "application/octet-stream", bytes: bytes)
        }
        return try MessageDraft(body: form.body ?? "", reference: ref, attachment: attachment).validated()
    }

    func startPage(req: Request) async throws -> Response {
        let pid = try req.uuidParameter("patientID")
        do {
            let thread = try await req.context.gate.change(.messageSend, patientID: pid, resource: Self.resource(pid)) { patient, tx in
                let form = try req.content.decode(Form.self)
                return try await MessageService(ctx: tx).start(patient, subject: form.subject, try Self.draft(form)).id
            }
            return WebPage.seeOther(Paths.threadPage(pid, thread, query: ["notice": req.context.user?.role == .therapist ? "sent-team" : "sent"]))
        } catch let error as DomainError where error.kind == .invalid {
            return try await Self.render(req, patientID: pid, threadID: nil, message: error.message, status: .unprocessableEntity)
        }
    }

    func replyPage(req: Request) async throws -> Response {
        let pid = try req.uuidParameter("patientID")
        let tid = try req.uuidParameter("threadID")
        do {
            _ = try await req.context.gate.change(.messageSend, patientID: pid, resource: Self.resource(pid) + "/\(tid)") { patient, tx in
                let form = try req.content.decode(Form.self)
                return try await MessageService(ctx: tx).reply(patient, threadID: tid, try Self.draft(form)).id
            }
            return WebPage.seeOther(Paths.threadPage(pid, tid, query: ["notice": req.context.user?.role == .therapist ? "sent-team" : "sent"]))
        } catch let error as DomainError where error.kind == .invalid {
            return try await Self.render(req, patientID: pid, threadID: tid, message: error.message, status: .unprocessableEntity)
        }
    }
}

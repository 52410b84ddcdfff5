import Vapor
import Fluent
import GonioCore

/// Money and insurance: a patient's invoices with their payments and balance (the patient and
/// the clinic's admins), payments recorded at the front desk and refunds (admins), coverage
/// records (read by the patient, kept by admins), and the remote-monitoring ledger (the care
/// team's therapist, who logs the time, and the admins' worklist).
struct BillingRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.invoices, use: invoicesAPI)
        routes.api.post(Paths.API.invoices, use: issueAPI)
        routes.api.post(Paths.API.invoicePayments, use: paymentAPI)
        routes.api.get(Paths.API.coverage, use: coverageAPI)
        routes.api.put(Paths.API.coverageRank, use: saveCoverageAPI)
        routes.api.get(Paths.API.rtm, use: rtmAPI)
        routes.api.get(Paths.API.rtmWorklist, use: worklistAPI)
        routes.web.get(Paths.rtmWorklist, use: worklistPage)
        routes.api.post(Paths.API.invoiceCheckout, use: checkoutAPI)
        routes.api.get(Paths.API.visitCost, use: visitCostAPI)
        routes.api.post(Paths.API.slidingScale, use: applyAPI)
        routes.api.post(Paths.API.slidingScaleDecision, use: decideAPI)
        routes.api.post(Paths.API.enrollments, use: enrollAPI)
        routes.api.post(Paths.API.invoicePlan, use: planAPI)
        routes.web.post(Paths.slidingScalePage, use: applyPage)
        routes.web.post(Paths.slidingScaleDecisionPage, use: decidePage)
        routes.openAPI.post(Paths.API.paymentWebhook, use: webhook)
        routes.web.get(Paths.billingPage, use: page)
        // A link, not a form: the provider's page is another origin, and a form's redirect there
        // would be refused by our own form-action policy. It changes nothing in Gonio.
        routes.web.get(Paths.billingPay, use: payPage)
        routes.web.post(Paths.billingRecord, use: recordPage)
        routes.api.post(Paths.API.rtmTime, use: rtmTimeAPI)
    }

    static func resource(_ id: UUID) -> String { "patient/\(id)/billing" }

    struct PaymentView: Content {
        var id: UUID
        var amount: String
        var amountMinor: Int64
        var method: String
        var reference: String?
        var recordedAt: Date

        init(_ p: PaymentModel, currency: String) {
            id = p.id ?? UUID()
            amountMinor = p.amountMinor
            amount = Money(minor: p.method == PaymentMethod.refund.rawValue ? -p.amountMinor : p.amountMinor, currency: currency).description
            method = p.method
            reference = p.reference
            recordedAt = p.recordedAt
        }
    }

    struct InvoiceView: Content {
        var id: UUID
        var number: String
        var description: String
        var status: String
        var issuedOn: String
        var dueOn: String
        var currency: String
        var totalMinor: Int64
        var paidMinor: Int64
        var balanceMinor: Int64
        var total: String
        var balance: String
        var lines: [InvoiceLine]
        var visitId: UUID?
        var payments: [PaymentView]

        init(_ i: InvoiceModel, payments: [PaymentModel]) {
            id = i.id ?? UUID()
            number = i.number
            description = i.description
            status = i.status
            issuedOn = i.issuedOn
            dueOn = i.dueOn
            currency = i.currency
            totalMinor = i.totalMinor
            paidMinor = i.paidMinor
            balanceMinor = i.totalMinor - i.paidMinor
            total = Money(minor: i.totalMinor, currency: i.currency).description
            balance = Money(minor: balanceMinor, currency: i.currency).description
            lines = i.lines.value
            visitId = i.$visit.id
            self.payments = payments.map { PaymentView($0, currency: i.currency) }
        }
    }

    func invoicesAPI(req: Request) async throws -> [InvoiceView] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.invoiceList, patientID: id, resource: Self.resource(id) + "/invoices")
        let service = BillingService(ctx: ctx)
        let invoices = try await service.invoices(patient)
        let payments = try await service.payments(invoices: invoices.compactMap(\.id))
        return invoices.map { InvoiceView($0, payments: payments[$0.id ?? UUID()] ?? []) }
    }

    struct InvoiceInput: Content {
        var description: String
        var lines: [InvoiceLine]
        var dueInDays: Int?
        var visitId: UUID?
    }

    func issueAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let view = try await req.context.gate.change(.invoiceIssue, patientID: id, resource: Self.resource(id) + "/invoices") { patient, tx in
            let input = try req.content.decode(InvoiceInput.self)
            guard (1...365).contains(input.dueInDays ?? 30) else { throw DomainError.invalid("due-invalid", "dueInDays is 1 to 365.") }
            if let visit = input.visitId { _ = try await VisitService(ctx: tx).visit(visit, of: patient) }
            let row = try await BillingService(ctx: tx).issue(patient, description: input.description, lines: input.lines,
                                                              visitID: input.visitId, dueInDays: input.dueInDays ?? 30)
            return InvoiceView(row, payments: [])
        }
        return try await view.encodeResponse(status: .created, for: req)
    }

    /// The invoice's patient, or 404 (an unknown id, or a malformed one).
    static func patientOf(_ req: Request) async throws -> (invoiceID: UUID, patientID: UUID) {
        let invoiceID = try req.uuidParameter("invoiceID")
        guard let invoice = try await InvoiceModel.find(invoiceID, on: req.context.db) else {
            throw DomainError.notFound("invoice-not-found", "No such invoice.")
        }
        return (invoiceID, invoice.$patient.id)
    }

    func paymentAPI(req: Request) async throws -> Response {
        let (invoiceID, patientID) = try await Self.patientOf(req)
        let (view, created) = try await req.context.gate.change(.paymentRecord, patientID: patientID,
                                                                resource: "invoice/\(invoiceID)/payments") { patient, tx in
            let input = try req.content.decode(BillingService.PaymentInput.self)
            let result = try await BillingService(ctx: tx).record(patient, invoiceID: invoiceID, input)
            let invoice = try await InvoiceModel.find(invoiceID, on: tx.db)!
            let payments = try await BillingService(ctx: tx).payments(invoices: [invoiceID])[invoiceID] ?? []
            return (InvoiceView(invoice, payments: payments), result.created)
        }
        return try await view.encodeResponse(status: created ? .created : .ok, for: req)
    }

    // MARK: Cost, sliding scale, enrolments

    func visitCostAPI(req: Request) async throws -> VisitCost.Estimate {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.visitCost, patientID: id, resource: Self.resource(id) + "/visit-cost")
        let type = (try? req.query.get(String.self, at: "visitType")) ?? ""
        guard VisitType.standard.contains(where: { $0.id == type }) else {
            throw DomainError.invalid("visit-type-unknown", "visitType is one of \(VisitType.standard.map(\.id).joined(separator: ", ")).")
        }
        guard let modality = (try? req.query.get(String.self, at: "modality")).flatMap(VisitModality.init(rawValue:)) else {
            throw DomainError.invalid("modality-invalid", "modality is video or in-person.")
        }
        return try await CoverService(ctx: ctx).estimate(patient, visitType: type, modality: modality)
    }

    struct SlidingScaleView: Content {
        var status: String
        var discountPercent: Int
        var application: CoverService.Application
        var decidedAt: Date?

        init(_ row: SlidingScaleModel) {
            status = row.status
            discountPercent = row.discountPercent
            application = row.application.value
            decidedAt = row.decidedAt
        }
    }

    struct ApplicationInput: Content {
        var householdSize: Int
        var annualIncome: Int
    }

    func applyAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let view = try await req.context.gate.change(.discountApply, patientID: id, resource: Self.resource(id) + "/sliding-scale") { patient, tx in
            let input = try req.content.decode(ApplicationInput.self)
            return SlidingScaleView(try await CoverService(ctx: tx).apply(patient, householdSize: input.householdSize, annualIncome: input.annualIncome))
        }
        return try await view.encodeResponse(status: .created, for: req)
    }

    struct DecisionInput: Content {
        var approve: Bool
        var discountPercent: Int?
    }

    func decideAPI(req: Request) async throws -> SlidingScaleView {
        let id = try req.uuidParameter("patientID")
        return try await req.context.gate.change(.discountDecide, patientID: id, resource: Self.resource(id) + "/sliding-scale") { patient, tx in
            let input = try req.content.decode(DecisionInput.self)
            return SlidingScaleView(try await CoverService(ctx: tx).decide(patient, approve: input.approve, discountPercent: input.discountPercent))
        }
    }

    struct EnrollmentView: Content {
        var id: UUID
        var kind: String
        var itemId: String
        var name: String
        var visits: Int
        var startsOn: String
        var endsOn: String
        var invoiceId: UUID?
        /// A subscription's next period follows this one unless it was ended (`cancelledOn`).
        var cancelledOn: String?
        var renews: Bool

        init(_ e: EnrollmentModel) {
            id = e.id ?? UUID()
            kind = e.kind
            itemId = e.itemID
            name = e.name
            visits = e.visits
            startsOn = e.startsOn
            endsOn = e.endsOn
            invoiceId = e.$invoice.id
            cancelledOn = e.cancelledOn
            renews = e.kind == "subscription" && e.cancelledOn == nil
        }
    }

    struct PlanInput: Content {
        var instalments: Int
        var firstDue: CalendarDay
        var everyDays: Int?
    }

    struct PlanView: Content {
        struct Line: Content { var dueOn: CalendarDay; var amountMinor: Int64; var amount: String; var state: PaymentPlan.State }
        var invoiceId: UUID
        var instalments: [Line]
    }

    static func planView(_ plan: InstalmentScheduleModel, invoice: InvoiceModel, today: CalendarDay) -> PlanView {
        let schedule = plan.instalments.value
        let states = PaymentPlan.states(schedule, paidTowardsPlan: invoice.paidMinor - plan.paidBeforeMinor, today: today)
        return PlanView(invoiceId: plan.$invoice.id, instalments: zip(schedule, states).map {
            PlanView.Line(dueOn: $0.dueOn, amountMinor: $0.amountMinor, amount: Money(minor: $0.amountMinor, currency: invoice.currency).description, state: $1)
        })
    }

    func planAPI(req: Request) async throws -> Response {
        let (invoiceID, patientID) = try await Self.patientOf(req)
        let view = try await req.context.gate.change(.paymentPlanCreate, patientID: patientID, resource: "invoice/\(invoiceID)/plan") { patient, tx in
            let input = try req.content.decode(PlanInput.self)
            let plan = try await BillingService(ctx: tx).makePlan(patient, invoiceID: invoiceID, instalments: input.instalments,
                                                                  firstDue: input.firstDue, everyDays: input.everyDays ?? 30)
            let invoice = try await InvoiceModel.find(invoiceID, on: tx.db)!
            return Self.planView(plan, invoice: invoice, today: patient.day(at: tx.now))
        }
        return try await view.encodeResponse(status: .created, for: req)
    }

    func enrollAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        struct Input: Content { var itemId: String }
        let (view, resumed) = try await req.context.gate.change(.enrollmentCreate, patientID: id, resource: Self.resource(id) + "/enrollments") { patient, tx in
            let result = try await CoverService(ctx: tx).enroll(patient, itemID: try req.content.decode(Input.self).itemId)
            return (EnrollmentView(result.row), result.resumed)
        }
        return try await view.encodeResponse(status: resumed ? .ok : .created, for: req)
    }

    func applyPage(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        struct Form: Content { var householdSize: String?; var annualIncome: String? }
        do {
            _ = try await req.context.gate.change(.discountApply, patientID: id, resource: Self.resource(id) + "/sliding-scale") { patient, tx in
                let form = try req.content.decode(Form.self)
                guard let size = form.householdSize.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
                    throw DomainError.invalid("household-invalid", "Give the number of people in the household.")
                }
                let incomeText = (form.annualIncome ?? "").filter { $0 != "," && $0 != "$" }.trimmingCharacters(in: .whitespaces)
                guard let income = Int(incomeText) else { throw DomainError.invalid("income-invalid", "Give the household's yearly income in whole dollars.") }
                return try await CoverService(ctx: tx).apply(patient, householdSize: size, annualIncome: income).requireID()
            }
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await render(req, message: error.message, status: HTTPResponseStatus(domain: error))
        }
        return WebPage.seeOther(Paths.billingPage(id, query: ["notice": "applied"]))
    }

    func decidePage(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        struct Form: Content { var decision: String?; var discountPercent: String? }
        do {
            _ = try await req.context.gate.change(.discountDecide, patientID: id, resource: Self.resource(id) + "/sliding-scale") { patient, tx in
                let form = try req.content.decode(Form.self)
                let percent = form.discountPercent.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                return try await CoverService(ctx: tx).decide(patient, approve: form.decision == "approve", discountPercent: percent).requireID()
            }
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await render(req, message: error.message, status: HTTPResponseStatus(domain: error))
        }
        return WebPage.seeOther(Paths.billingPage(id, query: ["notice": "decided"]))
    }

    // MARK: Card payments

    struct CheckoutView: Content {
        /// Where to send the patient: the provider's checkout page.
        var url: String
    }

    /// Starts the provider's checkout for what is owed. The payment is recorded only when the
    /// provider's signed webhook says it was paid.
    static func checkout(_ req: Request, invoiceID: UUID, patientID: UUID) async throws -> String {
        let ctx = req.context
        guard let settings = ctx.config.payments else {
            throw DomainError.conflict("payments-off", "Online payment is not set up at this clinic: pay at the front desk.")
        }
        let patient = try await ctx.gate.authorize(.invoicePay, patientID: patientID, resource: "invoice/\(invoiceID)/checkout")
        let invoice = try await BillingService(ctx: ctx).payable(patient, invoiceID: invoiceID)
        let owed = Money(minor: invoice.totalMinor - invoice.paidMinor, currency: invoice.currency)
        let base = ctx.config.publicURL ?? "http://\(req.headers.first(name: .host) ?? "127.0.0.1")"
        let back = base + Paths.billingPage(patientID)
        let session = try await StripeProvider(settings: settings, client: req.client).checkout(
            invoiceID: invoiceID, description: "\(invoice.number): \(invoice.description)", amount: owed,
            successURL: back + "?notice=paid", cancelURL: back + "?notice=not-paid",
            idempotencyKey: "gonio-\(invoiceID.uuidString)-\(invoice.paidMinor)")
        return session.url
    }

    func checkoutAPI(req: Request) async throws -> CheckoutView {
        let (invoiceID, patientID) = try await Self.patientOf(req)
        return CheckoutView(url: try await Self.checkout(req, invoiceID: invoiceID, patientID: patientID))
    }

    /// The provider's webhook: signed, applied once per event, never trusted without the
    /// signature. Unknown event types are acknowledged and ignored.
    func webhook(req: Request) async throws -> Response {
        let ctx = req.context
        guard let settings = ctx.config.payments else { throw DomainError.notFound() }
        let payload = req.body.string ?? ""
        guard let event = try StripeProvider.verify(payload: payload, signature: req.headers.first(name: "Stripe-Signature") ?? "",
                                                    secret: settings.webhookSecret, now: ctx.now) else {
            return try await ["received": true].encodeResponse(for: req)
        }
        var system = ctx
        system.principal = .system("payments")
        let applied = try await system.transaction { tx in try await BillingService(ctx: tx).applyProviderPayment(event) }
        return try await ["received": true, "applied": applied].encodeResponse(for: req)
    }

    struct CoverageView: Content {
        var rank: String
        var coverage: Coverage
        var updatedAt: Date
        /// The KX threshold for the year and how far the running total is from it (Medicare).
        var therapyThreshold: String?
        var kxApplies: Bool?
        /// Medicare: the year's allowed amounts so far (entered from elsewhere, plus this
        /// clinic's coded visits), the KX running total.
        var medicareRunningTotal: String?
    }

    func coverageAPI(req: Request) async throws -> [CoverageView] {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.coverageRead, patientID: id, resource: Self.resource(id) + "/coverage")
        let year = patient.day(at: ctx.now).year
        var views: [CoverageView] = []
        for row in try await BillingService(ctx: ctx).coverages(patient) {
            let c = row.coverage.value
            let threshold = c.payerKind == .medicare ? TherapyThreshold.threshold(year: year) : nil
            let total = c.payerKind == .medicare
                ? try await CodingService(ctx: ctx).medicareRunningTotal(patient, baseline: c.medicareAllowedThisYearMinor ?? 0, year: year) : nil
            views.append(CoverageView(rank: row.rank, coverage: c, updatedAt: row.updatedAt, therapyThreshold: threshold?.description,
                                      kxApplies: threshold.map { t in (total ?? 0) > t.minor },
                                      medicareRunningTotal: total.map { Money(minor: $0).description }))
        }
        return views
    }

    func saveCoverageAPI(req: Request) async throws -> CoverageView {
        let id = try req.uuidParameter("patientID")
        let rawRank = String((req.parameters.get("rank") ?? "").prefix(20))
        return try await req.context.gate.change(.coverageSave, patientID: id, resource: Self.resource(id) + "/coverage/\(rawRank)") { patient, tx in
            guard let rank = Coverage.Rank(rawValue: rawRank) else {
                throw DomainError.notFound("rank-unknown", "Coverage is primary or secondary.")
            }
            let row = try await BillingService(ctx: tx).saveCoverage(patient, rank: rank, try req.content.decode(Coverage.self))
            return CoverageView(rank: row.rank, coverage: row.coverage.value, updatedAt: row.updatedAt, therapyThreshold: nil, kxApplies: nil,
                                medicareRunningTotal: nil)
        }
    }

    func rtmAPI(req: Request) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.rtmRead, patientID: id, resource: Self.resource(id) + "/rtm")
        let service = RTMService(ctx: ctx)
        let episode = try await service.episode(patient)
        let start: CalendarDay
        if let raw = try? req.query.get(String.self, at: "start") {
            guard let day = try? CalendarDay(raw) else { throw DomainError.invalid("start-invalid", "start is a day, YYYY-MM-DD.") }
            start = day
        } else {
            start = service.currentPeriod(patient, episode: episode)
        }
        var month: CalendarDay?
        if let raw = try? req.query.get(String.self, at: "month") {
            guard raw.count == 7, let day = try? CalendarDay(raw + "-01") else { throw DomainError.invalid("month-invalid", "month is YYYY-MM.") }
            month = day
        }
        let format = (try? req.query.get(String.self, at: "format")) ?? "json"
        guard format == "json" || format == "csv" else { throw DomainError.invalid("format-invalid", "format is json or csv.") }
        let ledger = try await service.ledger(patient, start: start, month: month, episode: episode)
        guard format == "csv" else { return try await ledger.encodeResponse(for: req) }
        return .csv(RTMService.csv(ledger, patientName: patient.name), filename: "rtm-\(ledger.periodStart).csv")
    }

    struct WorklistRow: Content {
        var patientId: UUID
        var name: String
        var dataDays: Int
        var minutes: Int
        var interactive: Bool
        var device: String?
        var management: [String]
        var setupSupported: Bool
        /// The 30-day period counted from the patient's first data that ends in the month (or,
        /// when none does, the one running at the month's end). While it runs (`periodComplete`
        /// false) its device and set-up codes are what the days so far support: billed at its end.
        var periodStart: CalendarDay
        var periodEnd: CalendarDay
        var periodComplete: Bool
    }

    struct Worklist: Content {
        var month: String
        var periodStart: CalendarDay
        var rows: [WorklistRow]
    }

    /// The month's remote-monitoring worklist: for each patient the caller may bill for, the
    /// 30-day period (counted from their first data in the episode) that ends in the month with
    /// its device and set-up codes (so far, while it runs), and the month's management minutes
    /// and codes. Patients with nothing to bill are left out.
    static func worklist(_ req: Request) async throws -> Worklist {
        let ctx = req.context
        _ = try ctx.requireUser()
        let today = CalendarDay(utc: ctx.now)
        var first = try CalendarDay(year: today.year, month: today.month, day: 1)
        if let raw = try? req.query.get(String.self, at: "month") {
            guard let day = try? CalendarDay(raw + "-01") else { throw DomainError.invalid("month-invalid", "month is YYYY-MM.") }
            first = day
        }
        let last = try CalendarDay(year: first.year, month: first.month, day: CalendarDay.daysIn(month: first.month, year: first.year))
        let page = try await ctx.gate.list(.rtmRead, page: try ListPage(page: 1, per: ListPage.maxPer), resource: "rtm/worklist")
        var rows: [WorklistRow] = []
        let service = RTMService(ctx: ctx)
        for patient in page.items {
            let episode = try await service.episode(patient)
            let began = episode.monitoring
            let ending = began.flatMap { RTMPeriod.starts(endingFrom: first, to: last, monitoringStart: $0).last }
            let running = began.flatMap { RTMPeriod.start(containing: min(last, patient.day(at: ctx.now)), monitoringStart: $0) }
            let start = ending ?? running ?? first
            let l = try await service.ledger(patient, start: start, month: first, episode: episode)
            let complete = l.periodEnd < patient.day(at: ctx.now)
            guard l.device != nil || l.setupSupported || !l.management.isEmpty else { continue }
            rows.append(WorklistRow(patientId: patient.id, name: patient.name, dataDays: l.dataDays.count, minutes: l.minutes,
                                    interactive: l.interactive, device: l.device, management: l.management, setupSupported: l.setupSupported,
                                    periodStart: l.periodStart, periodEnd: l.periodEnd, periodComplete: complete))
        }
        return Worklist(month: String(first.description.prefix(7)), periodStart: first, rows: rows)
    }

    func worklistAPI(req: Request) async throws -> Worklist { try await Self.worklist(req) }

    func worklistPage(req: Request) async throws -> Response {
        let list = try await Self.worklist(req)
        struct Row: Encodable {
            var name: String; var period: String; var days: Int; var minutes: Int; var interactive: String; var codes: String; var evidence: String
        }
        struct Context: Encodable { var month: String; var rows: [Row]; var previous: String; var next: String }
        let first = list.periodStart
        let previous = first.adding(days: -1), next = first.adding(days: 31)
        return try await WebPage.render(req, "rtm", title: "Remote monitoring", Context(
            month: first.longName.split(separator: " ").dropFirst().joined(separator: " "),
            rows: list.rows.map { r in
                Row(name: r.name, period: "\(r.periodStart.longName) to \(r.periodEnd.longName)\(r.periodComplete ? "" : " (running)")",
                    days: r.dataDays, minutes: r.minutes, interactive: r.interactive ? "Yes" : "No",
                    codes: Self.worklistCodes(r),
                    evidence: Paths.API.rtm(r.patientId, query: ["start": r.periodStart.description, "month": String(first.description.prefix(7)),
                                                                 "format": "csv"]))
            },
            previous: Paths.rtmWorklist(query: ["month": String(previous.description.prefix(7))]),
            next: Paths.rtmWorklist(query: ["month": String(next.description.prefix(7))])))
    }

    /// The codes in words: a running period's device and set-up codes are "so far".
    static func worklistCodes(_ r: WorklistRow) -> String {
        let period = [r.setupSupported ? "98975" : nil, r.device].compactMap { $0 }.joined(separator: ", ")
        let month = r.management.joined(separator: ", ")
        let periodText = period.isEmpty ? nil : r.periodComplete ? period : "\(period) so far (bill after \(r.periodEnd.longName))"
        return [periodText, month.isEmpty ? nil : month].compactMap { $0 }.joined(separator: "; ")
    }

    func rtmTimeAPI(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let entry = try await req.context.gate.change(.rtmLog, patientID: id, resource: Self.resource(id) + "/rtm/time") { patient, tx in
            let row = try await RTMService(ctx: tx).log(patient, try req.content.decode(RTMService.TimeInput.self))
            return RTMService.Ledger.TimeEntry(id: row.id ?? UUID(), day: row.day, minutes: row.minutes, interactive: row.interactive,
                                               activity: row.activity, recordedBy: row.$recordedBy.id, recordedAt: row.recordedAt)
        }
        return try await entry.encodeResponse(status: .created, for: req)
    }

    // MARK: Page

    struct PageContext: Encodable {
        struct Row: Encodable {
            var id: String
            var number: String
            var description: String
            var issuedOn: String
            var dueOn: String
            var total: String
            var balance: String
            var status: String
            var open: Bool
            var lines: [String]
            var payments: [Link]
            var payLink: String?
            var recordAction: String?
            /// The desk returns money paid on the invoice (up to what was paid).
            var refundAction: String?
            var paid: String
            /// A payment plan's instalments in words.
            var instalments: [String]
        }

        var patientName: String
        var isSelf: Bool
        var owed: String
        var rows: [Row]
        var coverage: [String]
        var onlinePayment: Bool
        var desk: Bool
        var message: String?
        struct Link: Encodable { var label: String; var href: String }
        /// The sliding scale: where the patient stands, and the forms.
        var discountLine: String?
        var applyAction: String?
        var decideAction: String?
        var suggestedPercent: Int?
        var covers: [Cover]
        struct Cover: Encodable { var text: String; var endAction: String? }
        var statement: String
        /// The desk's forms: visits held without an invoice, enrolling, a one-line invoice.
        var visitsToInvoice: [Link]
        struct Option: Encodable { var value: String; var label: String }
        var enrollAction: String?
        var enrollOptions: [Option]
        var issueAction: String?
        /// Superbills of the coded visits.
        var superbills: [Link]
    }

    func page(req: Request) async throws -> Response {
        try await render(req, message: nil, status: .ok)
    }

    func render(_ req: Request, message: String?, status: HTTPResponseStatus) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.invoiceList, patientID: id, resource: Self.resource(id), also: [.coverageRead])
        let service = BillingService(ctx: ctx)
        let invoices = try await service.invoices(patient)
        let payments = try await service.payments(invoices: invoices.compactMap(\.id))
        let desk = patient.may(.manageBilling)
        let online = ctx.config.payments != nil
        let plans = try await service.plans(invoices: invoices.compactMap(\.id))
        let today = patient.day(at: ctx.now)
        let owed = invoices.filter { $0.status == InvoiceStatus.open.rawValue }.reduce(Int64(0)) { $0 + $1.totalMinor - $1.paidMinor }
        let time = DateFormatter()
        time.dateStyle = .medium
        time.timeZone = patient.timeZone.timeZone
        let rows = invoices.map { i -> PageContext.Row in
            let open = i.status == InvoiceStatus.open.rawValue && i.totalMinor > i.paidMinor
            let iid = i.id ?? UUID()
            return PageContext.Row(
                id: iid.uuidString, number: i.number, description: i.description,
                issuedOn: ((try? CalendarDay(i.issuedOn))?.longName) ?? i.issuedOn, dueOn: ((try? CalendarDay(i.dueOn))?.longName) ?? i.dueOn,
                total: Money(minor: i.totalMinor, currency: i.currency).description, balance: Money(minor: i.totalMinor - i.paidMinor, currency: i.currency).description,
                status: i.status, open: open,
                lines: i.lines.value.map { "\($0.description)\($0.quantity > 1 ? " × \($0.quantity)" : ""): \(Money(minor: $0.amountMinor, currency: i.currency))" },
                payments: (payments[iid] ?? []).map { p in
                    let view = PaymentView(p, currency: i.currency)
                    return PageContext.Link(label: "\(time.string(from: p.recordedAt)): \(view.amount) by \(p.method)\(p.reference.map { " (\($0))" } ?? "")",
                                            href: Paths.receiptPage(id, view.id))
                },
                payLink: open && online ? Paths.billingPay(id, iid) : nil,
                recordAction: open && desk ? Paths.billingRecord(id, iid) : nil,
                refundAction: desk && i.paidMinor > 0 && i.status != InvoiceStatus.void.rawValue ? Paths.billingRecord(id, iid) : nil,
                paid: Money(minor: i.paidMinor, currency: i.currency).description,
                instalments: plans[iid].map { plan in
                    Self.planView(plan, invoice: i, today: today).instalments.map { "\($0.amount) due \($0.dueOn.longName): \($0.state.rawValue.replacingOccurrences(of: "-", with: " "))" }
                } ?? [])
        }
        let coverageRows = try await service.coverages(patient)
        let coverage = coverageRows.map { row -> String in
            let c = row.coverage.value
            let checked = c.eligibilityCheckedOn.map { " on \($0.longName)" } ?? ""
            let by = c.eligibilityCheckedBy.map { " by \($0)" } ?? ""
            return "\(row.rank.capitalized): \(c.payerName), member \(c.memberId) (\(c.eligibility.rawValue)\(checked)\(by))"
        }
        // Medicare's running total towards the therapy threshold (KX).
        var medicareLines: [String] = []
        for row in coverageRows where row.coverage.value.payerKind == .medicare {
            let year = patient.day(at: ctx.now).year
            guard let threshold = TherapyThreshold.threshold(year: year) else { continue }
            let total = try await CodingService(ctx: ctx).medicareRunningTotal(patient, baseline: row.coverage.value.medicareAllowedThisYearMinor ?? 0, year: year)
            medicareLines.append("Medicare therapy so far this year: \(Money(minor: total)) of the \(threshold) threshold" + (total > threshold.minor ? " (KX applies)." : "."))
        }
        let cover = CoverService(ctx: ctx)
        let scaleRow = try await cover.slidingScale(patient)
        let prices = try await CodingService(ctx: ctx).prices(clinicID: patient.clinicID).list
        let hasScale = prices.slidingScale != nil
        let scaleLine: String? = scaleRow.map { row in
            let a = row.application.value
            switch row.status {
            case "approved": return "Sliding scale: \(row.discountPercent)% off what you are charged (household of \(a.householdSize), \(a.percentOfGuideline)% of the \(a.year) poverty guideline)."
            case "declined": return "Sliding scale: the application of \((a.appliedOn).longName) was declined."
            default: return "Sliding scale: applied on \(a.appliedOn.longName) (household of \(a.householdSize), \(a.percentOfGuideline)% of the \(a.year) poverty guideline; the scale suggests \(a.suggestedPercent)% off). Waiting for the clinic."
            }
        }
        let mayApply = hasScale && patient.may(.viewBilling) && !desk && scaleRow?.status != "pending"
        let context = PageContext(patientName: patient.name, isSelf: ctx.user?.patientID == id, owed: Money(minor: owed).description,
                                  rows: rows, coverage: coverage + medicareLines, onlinePayment: online, desk: desk, message: message,
                                  discountLine: scaleLine, applyAction: mayApply ? Paths.slidingScalePage(id) : nil,
                                  decideAction: scaleRow?.status == "pending" && desk ? Paths.slidingScaleDecisionPage(id) : nil,
                                  suggestedPercent: scaleRow?.application.value.suggestedPercent,
                                  covers: try await Self.covers(cover.enrollments(patient), patientID: id, today: today),
                                  statement: Paths.statementPage(id),
                                  visitsToInvoice: desk ? try await service.uninvoicedVisits(patient).map { v in
                                      PageContext.Link(label: "\(v.visitTypeName) (\(v.modality == .video ? "video" : "in person")), \(patient.day(at: v.startAt).longName)",
                                                       href: Paths.visitInvoicePage(id, try v.requireID()))
                                  } : [],
                                  enrollAction: desk ? Paths.enrollPage(id) : nil,
                                  enrollOptions: desk ? Self.enrollOptions(prices) : [],
                                  issueAction: desk ? Paths.invoiceIssuePage(id) : nil,
                                  superbills: try await CodingService(ctx: ctx).coded(patient).map { v in
                                      PageContext.Link(label: "\(v.visitTypeName), \(patient.day(at: v.startAt).longName)", href: Paths.superbill(id, try v.requireID()))
                                  })
        return try await WebPage.render(req, "billing", title: "Billing", context, notice: WebPage.notice(req, [
            "paid": "Thank you. The payment is recorded as soon as the payment service confirms it (usually within a minute).",
            "not-paid": "The payment was not made. Nothing was charged.",
            "recorded": "The payment is recorded.",
            "refunded": "The refund is recorded. Return the money the way it was paid.",
            "applied": "Your application is sent. The clinic will decide and the discount applies from then.",
            "decided": "The decision is saved.",
            "issued": "The invoice is issued.",
            "enrolled": "The patient is enrolled and its invoice issued.",
            "ended": "The subscription is ended: it stays in force to the end of the period paid for, and no further period is charged.",
        ]), error: message, status: status)
    }

    static func enrollOptions(_ prices: PriceList) -> [PageContext.Option] {
        prices.packages.map { PageContext.Option(value: $0.id, label: "\($0.name): \(Money(minor: $0.priceMinor, currency: prices.currency))") }
            + prices.subscriptions.map { PageContext.Option(value: $0.id, label: "\($0.name): \(Money(minor: $0.monthlyMinor, currency: prices.currency)) every 30 days") }
    }

    /// The packages and subscriptions in words: a subscription's periods run as one line, with
    /// the button to end it while it renews.
    static func covers(_ rows: [EnrollmentModel], patientID: UUID, today: CalendarDay) -> [PageContext.Cover] {
        let long = { (raw: String) in ((try? CalendarDay(raw))?.longName) ?? raw }
        var seen: Set<String> = []
        return rows.compactMap { e in
            let plural = e.visits == 1 ? "" : "s"
            guard e.kind == "subscription" else {
                return PageContext.Cover(text: "\(e.name): package, \(e.visits) visit\(plural), \(long(e.startsOn)) to \(long(e.endsOn))", endAction: nil)
            }
            // Newest first: the first row of an item is its current or last period.
            guard seen.insert(e.itemID).inserted else { return nil }
            let first = rows.last { $0.itemID == e.itemID }?.startsOn ?? e.startsOn
            let running = e.endsOn >= today.description
            let state = !running ? "ended on \(long(e.endsOn))"
                : e.cancelledOn != nil ? "ends on \(long(e.endsOn)); not renewed"
                : "renews on \(long((try? CalendarDay(e.endsOn).adding(days: 1).description) ?? e.endsOn))"
            return PageContext.Cover(text: "\(e.name): subscription since \(long(first)), \(e.visits) visit\(plural) a period; \(state)",
                                     endAction: running && e.cancelledOn == nil ? e.id.map { Paths.enrollmentCancelPage(patientID, $0) } : nil)
        }
    }

    func payPage(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let invoiceID = try req.uuidParameter("invoiceID")
        do {
            return req.redirect(to: try await Self.checkout(req, invoiceID: invoiceID, patientID: id), redirectType: .normal)
        } catch let error as DomainError where error.kind == .conflict || error.kind == .unavailable {
            return try await render(req, message: error.message, status: HTTPResponseStatus(domain: error))
        }
    }

    func recordPage(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let invoiceID = try req.uuidParameter("invoiceID")
        do {
            let method = try await req.context.gate.change(.paymentRecord, patientID: id, resource: "invoice/\(invoiceID)/payments") { patient, tx in
                let input = try req.content.decode(BillingService.PaymentInput.self)
                return try await BillingService(ctx: tx).record(patient, invoiceID: invoiceID, input).payment.method
            }
            return WebPage.seeOther(Paths.billingPage(id, query: ["notice": method == PaymentMethod.refund.rawValue ? "refunded" : "recorded"]))
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await render(req, message: error.message, status: HTTPResponseStatus(domain: error))
        }
    }
}

import Vapor
import Fluent
import GonioCore

/// Invoices, payments and refunds, and coverage records. Money changes run inside the gate's
/// change, on the invoice's row: a payment is checked against what is owed and written in the
/// same transaction, so two payments at once cannot both take the last dollar.
struct BillingService {
    let ctx: CallContext

    func invoices(_ patient: AuthorizedPatient) async throws -> [InvoiceModel] {
        try await InvoiceModel.query(on: ctx.db).filter(\.$patient.$id == patient.id)
            .sort(\.$issuedOn, .descending).sort(\.$number, .descending).all()
    }

    func payments(invoices ids: [UUID]) async throws -> [UUID: [PaymentModel]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await PaymentModel.query(on: ctx.db).filter(\.$invoice.$id ~~ ids).sort(\.$recordedAt).all()
        return Dictionary(grouping: rows, by: { $0.$invoice.id })
    }

    /// Issues an invoice numbered in the clinic's sequence for the year (INV-2026-0007).
    func issue(_ patient: AuthorizedPatient, description: String, lines raw: [InvoiceLine], visitID: UUID? = nil,
               dueInDays: Int = 30, currency: String = "USD", issuedOn: CalendarDay? = nil, slidingScale: Bool = true) async throws -> InvoiceModel {
        // The sliding scale applies to what the patient is charged from its approval on.
        let lines = InvoiceRules.withDiscount(try InvoiceRules.validate(raw), percent: slidingScale ? try await CoverService(ctx: ctx).discount(patient) : 0,
                                              currency: currency)
        let text = description.trimmingWhitespace()
        guard (1...200).contains(text.count) else { throw DomainError.invalid("description-invalid", "Describe the invoice in 1 to 200 characters.") }
        try await ctx.lockRow(ClinicModel.self, id: patient.clinicID)
        let today = issuedOn ?? patient.day(at: ctx.now)
        let prefix = "INV-\(today.year)-"
        let count = try await InvoiceModel.query(on: ctx.db).filter(\.$clinic.$id == patient.clinicID).filter(\.$number >= prefix)
            .filter(\.$number < prefix + "~").count()
        let row = InvoiceModel()
        row.id = UUID()
        row.$patient.id = patient.id
        row.$clinic.id = patient.clinicID
        row.number = prefix + String(count + 1).leftPadded(to: 4)
        row.description = text
        row.issuedOn = today.description
        row.dueOn = today.adding(days: dueInDays).description
        row.currency = currency
        row.totalMinor = InvoiceRules.total(lines)
        row.paidMinor = 0
        row.status = InvoiceRules.status(total: row.totalMinor, paid: 0).rawValue
        row.lines = StoredJSON(lines)
        row.$visit.id = visitID
        row.createdAt = ctx.now
        try await row.create(on: ctx.db)
        return row
    }

    /// The invoice of a visit that has taken place, once (checked on the visit's row): nothing
    /// when a package or subscription covers it; the copay when the primary coverage has one;
    /// the clinic's price, less the sliding scale, when the patient pays for themselves. Without
    /// a copay an insured patient's share waits for the payer's decision (its explanation of
    /// benefits), so Gonio does not guess it on an invoice.
    func invoiceVisit(_ patient: AuthorizedPatient, visitID: UUID) async throws -> InvoiceModel {
        let visit = try await VisitService(ctx: ctx).visit(visitID, of: patient, locking: true)
        guard visit.tookPlace(by: ctx.now) else {
            throw DomainError.conflict("visit-not-held", "A visit is invoiced once it has taken place.")
        }
        guard try await InvoiceModel.query(on: ctx.db).filter(\.$visit.$id == visitID).first() == nil else {
            throw DomainError.conflict("visit-invoiced", "This visit already has its invoice.")
        }
        if let cover = try await CoverService(ctx: ctx).covering(patient, visit: visit) {
            throw DomainError.conflict("visit-covered", "\(cover.name) covers this visit: there is nothing to invoice.")
        }
        let prices = try await CodingService(ctx: ctx).prices(clinicID: patient.clinicID).list
        guard let price = prices.visitPrice(type: visit.visitType, modality: visit.modality) else {
            throw DomainError.invalid("visit-unpriced", "The clinic has no price for a \(visit.visitTypeName.lowercased()) \(visit.modality == .video ? "by video" : "in person").")
        }
        let label = "\(visit.visitTypeName) (\(visit.modality == .video ? "video" : "in person")), \(patient.day(at: visit.startAt).longName)"
        if let coverage = try await coverages(patient).first(where: { $0.rank == Coverage.Rank.primary.rawValue })?.coverage.value {
            guard let copay = coverage.copayMinor else {
                throw DomainError.conflict("awaiting-payer", "\(coverage.payerName) decides the patient's share (deductible, coinsurance): invoice it from the payer's explanation of benefits.")
            }
            guard copay > 0 else { throw DomainError.conflict("nothing-owed", "\(coverage.payerName) has no copay for this visit.") }
            return try await issue(patient, description: label, lines: [InvoiceLine(description: "\(label): copay, \(coverage.payerName)", unitMinor: copay)],
                                   visitID: visitID, currency: price.currency, slidingScale: false)
        }
        return try await issue(patient, description: label, lines: [InvoiceLine(description: label, code: "VISIT-\(visit.visitType)".prefix(40).description, unitMinor: price.minor)],
                               visitID: visitID, currency: price.currency)
    }

    /// Visits that have taken place without an invoice and not covered by a package or
    /// subscription, oldest first.
    func uninvoicedVisits(_ patient: AuthorizedPatient) async throws -> [VisitModel] {
        let invoiced = Set(try await invoices(patient).compactMap { $0.$visit.id })
        let enrollments = try await CoverService(ctx: ctx).enrollments(patient)
        let visits = try await VisitService(ctx: ctx).visits(of: patient)
        return visits.filter { visit in
            visit.tookPlace(by: ctx.now) && !invoiced.contains(visit.id ?? UUID())
                && CoverService.covering(visit, enrollments: enrollments, visits: visits, patient: patient) == nil
        }
    }

    struct PaymentInput: Content {
        /// Chosen by the client, so a retry is answered with the payment already kept.
        var id: UUID?
        var amount: String
        var method: PaymentMethod
        var reference: String?
    }

    /// Records a payment outside the provider (cash, terminal, cheque) or a refund.
    func record(_ patient: AuthorizedPatient, invoiceID: UUID, _ input: PaymentInput) async throws -> (payment: PaymentModel, created: Bool) {
        guard input.method.isOutside || input.method == .refund else {
            throw DomainError.invalid("method-invalid", "Record cash, terminal or cheque payments, or a refund; card payments come from the checkout.")
        }
        // The request is read in full first: a retry is the same payment, sent again.
        let reference = try PlanContent.text(input.reference, "The reference", 100)
        try await ctx.lockRow(InvoiceModel.self, id: invoiceID)
        guard let invoice = try await InvoiceModel.find(invoiceID, on: ctx.db), invoice.$patient.id == patient.id else {
            throw DomainError.notFound("invoice-not-found", "No such invoice for this patient.")
        }
        let amount = try Money.parse(input.amount, currency: invoice.currency)
        if let id = input.id, let existing = try await PaymentModel.find(id, on: ctx.db) {
            guard existing.$invoice.id == invoiceID, existing.method == input.method.rawValue, existing.amountMinor == amount.minor else {
                throw DomainError.conflict("payment-id-used", "A different payment already has this id.")
            }
            return (existing, false)
        }
        try InvoiceRules.check(amount: amount.minor, method: input.method, total: invoice.totalMinor, paid: invoice.paidMinor,
                               status: InvoiceStatus(rawValue: invoice.status) ?? .open)
        return (try await apply(invoice, amount: amount.minor, method: input.method, reference: reference, id: input.id, eventID: nil), true)
    }

    /// Writes a checked payment and brings the invoice's paid amount and status up to date.
    func apply(_ invoice: InvoiceModel, amount: Int64, method: PaymentMethod, reference: String?, id: UUID?, eventID: String?) async throws -> PaymentModel {
        let payment = PaymentModel()
        payment.id = id ?? UUID()
        payment.$invoice.id = try invoice.requireID()
        payment.$patient.id = invoice.$patient.id
        payment.amountMinor = amount
        payment.method = method.rawValue
        payment.reference = reference
        payment.providerEventID = eventID
        payment.$recordedBy.id = ctx.user?.userID
        payment.recordedAt = ctx.now
        try await payment.create(on: ctx.db)
        invoice.paidMinor += method == .refund ? -amount : amount
        invoice.status = InvoiceRules.status(total: invoice.totalMinor, paid: invoice.paidMinor).rawValue
        try await invoice.update(on: ctx.db)
        return payment
    }

    // MARK: Statements and receipts

    /// The patient's statement of account from `from` to `to` (days in the patient's zone).
    func statement(_ patient: AuthorizedPatient, from: CalendarDay, to: CalendarDay) async throws -> Statement.Account {
        let invoices = try await invoices(patient)
        let numbers = Dictionary(uniqueKeysWithValues: invoices.compactMap { i in i.id.map { ($0, i.number) } })
        let payments = try await payments(invoices: Array(numbers.keys)).values.joined()
        return try Statement.account(
            charges: invoices.compactMap { i in
                (try? CalendarDay(i.issuedOn)).map {
                    Statement.Charge(day: $0, invoice: i.number, description: i.description, amountMinor: i.totalMinor,
                                     void: i.status == InvoiceStatus.void.rawValue)
                }
            },
            payments: payments.compactMap { p in
                PaymentMethod(rawValue: p.method).map {
                    Statement.Payment(day: patient.day(at: p.recordedAt), invoice: numbers[p.$invoice.id] ?? "", method: $0,
                                      amountMinor: p.amountMinor, reference: p.reference)
                }
            },
            from: from, to: to, currency: invoices.first?.currency ?? "USD")
    }

    /// A payment or refund of this patient's, with its invoice, or 404.
    func receipt(_ patient: AuthorizedPatient, paymentID: UUID) async throws -> (payment: PaymentModel, invoice: InvoiceModel) {
        guard let payment = try await PaymentModel.find(paymentID, on: ctx.db), payment.$patient.id == patient.id,
              let invoice = try await InvoiceModel.find(payment.$invoice.id, on: ctx.db) else {
            throw DomainError.notFound("payment-not-found", "No such payment for this patient.")
        }
        return (payment, invoice)
    }

    // MARK: Payment plans

    func plans(invoices ids: [UUID]) async throws -> [UUID: InstalmentScheduleModel] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await InstalmentScheduleModel.query(on: ctx.db).filter(\.$invoice.$id ~~ ids).all().map { ($0.$invoice.id, $0) },
                          uniquingKeysWith: { a, _ in a })
    }

    /// Splits what is owed on an invoice into instalments, once (checked on the invoice's row).
    func makePlan(_ patient: AuthorizedPatient, invoiceID: UUID, instalments: Int, firstDue: CalendarDay, everyDays: Int) async throws -> InstalmentScheduleModel {
        try await ctx.lockRow(InvoiceModel.self, id: invoiceID)
        guard let invoice = try await InvoiceModel.find(invoiceID, on: ctx.db), invoice.$patient.id == patient.id else {
            throw DomainError.notFound("invoice-not-found", "No such invoice for this patient.")
        }
        guard try await plans(invoices: [invoiceID])[invoiceID] == nil else {
            throw DomainError.conflict("plan-exists", "This invoice already has a payment plan.")
        }
        let schedule = try PaymentPlan.schedule(balance: invoice.totalMinor - invoice.paidMinor, instalments: instalments, firstDue: firstDue,
                                                everyDays: everyDays, today: patient.day(at: ctx.now))
        let row = InstalmentScheduleModel()
        row.id = UUID()
        row.$invoice.id = invoiceID
        row.$patient.id = patient.id
        row.instalments = StoredJSON(schedule)
        row.paidBeforeMinor = invoice.paidMinor
        row.$createdBy.id = ctx.user?.userID
        row.createdAt = ctx.now
        try await row.create(on: ctx.db)
        return row
    }

    // MARK: Card payments

    /// The invoice, if it is this patient's and something is owed on it.
    func payable(_ patient: AuthorizedPatient, invoiceID: UUID) async throws -> InvoiceModel {
        guard let invoice = try await InvoiceModel.find(invoiceID, on: ctx.db), invoice.$patient.id == patient.id else {
            throw DomainError.notFound("invoice-not-found", "No such invoice for this patient.")
        }
        guard invoice.status == InvoiceStatus.open.rawValue, invoice.totalMinor > invoice.paidMinor else {
            throw DomainError.conflict("invoice-paid", "Nothing is owed on this invoice.")
        }
        return invoice
    }

    /// Records a paid checkout from the provider's verified webhook, once per event: a replay
    /// (the same event id) changes nothing. Runs in a transaction on the invoice's row. The
    /// money was taken, so it is recorded even if the invoice was paid at the desk meanwhile
    /// (a credit the desk refunds); the log says so.
    func applyProviderPayment(_ event: StripeProvider.PaidEvent) async throws -> Bool {
        try await ctx.lockRow(InvoiceModel.self, id: event.invoiceID)
        guard try await PaymentModel.query(on: ctx.db).filter(\.$providerEventID == event.eventID).first() == nil else { return false }
        guard let invoice = try await InvoiceModel.find(event.invoiceID, on: ctx.db) else {
            throw DomainError.invalid("event-invalid", "The paid session names no invoice Gonio has.")
        }
        guard invoice.currency == event.amount.currency else {
            throw DomainError.invalid("event-invalid", "The paid session's currency is not the invoice's.")
        }
        if event.amount.minor > invoice.totalMinor - invoice.paidMinor {
            ctx.logger.warning("card payment exceeds the balance", metadata: ["invoice-id": .string(event.invoiceID.uuidString)])
        }
        _ = try await apply(invoice, amount: event.amount.minor, method: .card, reference: "Checkout \(event.sessionID)", id: nil, eventID: event.eventID)
        try await ctx.audit.record(.init(action: AccountEvent.providerPayment.rawValue, patientID: invoice.$patient.id, clinicID: invoice.$clinic.id,
                                         resource: "invoice/\(event.invoiceID)/payments", outcome: .allowed, reason: event.eventID))
        return true
    }

    // MARK: Coverage

    func coverages(_ patient: AuthorizedPatient) async throws -> [CoverageModel] {
        try await CoverageModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).sort(\.$rank).all()
    }

    func saveCoverage(_ patient: AuthorizedPatient, rank: Coverage.Rank, _ input: Coverage) async throws -> CoverageModel {
        var coverage = try input.validated(today: patient.day(at: ctx.now))
        let existing = try await CoverageModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$rank == rank.rawValue).first()
        let row = existing ?? CoverageModel()
        // Who checked eligibility is Gonio's to say: the person who saved a new status or date,
        // else whoever it was before.
        let before = existing?.coverage.value
        coverage.eligibilityCheckedBy = before.map { $0.eligibility == coverage.eligibility && $0.eligibilityCheckedOn == coverage.eligibilityCheckedOn } == true
            ? before?.eligibilityCheckedBy : ctx.user?.name
        row.$patient.id = patient.id
        row.rank = rank.rawValue
        row.coverage = StoredJSON(coverage)
        row.$updatedBy.id = ctx.user?.userID
        row.updatedAt = ctx.now
        try await row.save(on: ctx.db)
        return row
    }
}

/// A payment plan (M0025).
final class InstalmentScheduleModel: Model, @unchecked Sendable {
    static let schema = "payment_plans"
    @ID(key: .id) var id: UUID?
    @Parent(key: "invoice_id") var invoice: InvoiceModel
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "instalments") var instalments: StoredJSON<[PaymentPlan.Instalment]>
    /// Paid on the invoice when the plan was made: payments after it count towards the plan.
    @Field(key: "paid_before_minor") var paidBeforeMinor: Int64
    @OptionalParent(key: "created_by") var createdBy: UserModel?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

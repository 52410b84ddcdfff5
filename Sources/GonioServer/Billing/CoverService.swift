import Vapor
import Fluent
import GonioCore

/// What covers a patient's visits: the sliding-scale discount the clinic approved (from the
/// patient's application against the clinic's scale and the year's HHS poverty guidelines),
/// and enrolments in a package or subscription; and from these, with the coverage on file and
/// the clinic's prices, what a visit will cost before it is booked.
struct CoverService {
    let ctx: CallContext

    struct Application: Codable, Sendable, Equatable {
        var householdSize: Int
        var annualIncome: Int
        var year: Int
        var appliedOn: CalendarDay
        var percentOfGuideline: Int
        var guideline: Int
        var suggestedPercent: Int
    }

    func slidingScale(_ patient: AuthorizedPatient) async throws -> SlidingScaleModel? {
        try await SlidingScaleModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).first()
    }

    /// The discount in force (0 unless the clinic approved one).
    func discount(_ patient: AuthorizedPatient) async throws -> Int {
        guard let row = try await slidingScale(patient), row.status == "approved" else { return 0 }
        return row.discountPercent
    }

    /// The patient's side applies with household size and income; the clinic's scale suggests
    /// the discount; it applies once an admin approves it. A new application replaces a pending
    /// or decided one (circumstances change).
    func apply(_ patient: AuthorizedPatient, householdSize: Int, annualIncome: Int) async throws -> SlidingScaleModel {
        let prices = try await CodingService(ctx: ctx).prices(clinicID: patient.clinicID)
        guard let scale = prices.list.slidingScale else {
            throw DomainError.conflict("no-sliding-scale", "This clinic has no sliding scale.")
        }
        let today = patient.day(at: ctx.now)
        let region = PovertyGuidelines.region(forState: patient.location ?? "")
        let decision = try scale.decide(income: annualIncome, householdSize: householdSize, year: today.year, region: region)
        let row = try await slidingScale(patient) ?? SlidingScaleModel()
        row.$patient.id = patient.id
        row.status = "pending"
        row.application = StoredJSON(Application(householdSize: householdSize, annualIncome: annualIncome, year: today.year, appliedOn: today,
                                                 percentOfGuideline: decision.percentOfGuideline, guideline: decision.guideline,
                                                 suggestedPercent: decision.discountPercent))
        row.discountPercent = 0
        row.$decidedBy.id = nil
        row.decidedAt = nil
        row.updatedAt = ctx.now
        try await row.save(on: ctx.db)
        return row
    }

    /// An admin approves (the suggested discount, or another) or declines a pending application.
    func decide(_ patient: AuthorizedPatient, approve: Bool, discountPercent: Int?) async throws -> SlidingScaleModel {
        guard let row = try await slidingScale(patient), row.status == "pending" else {
            throw DomainError.conflict("no-application", "There is no application waiting for a decision.")
        }
        let percent = discountPercent ?? row.application.value.suggestedPercent
        // A discount given is checked even with a decline: the request says something impossible.
        guard (!approve && discountPercent == nil) || (1...100).contains(percent) else {
            throw DomainError.invalid("discount-invalid", "The discount is 1 to 100 percent.")
        }
        row.status = approve ? "approved" : "declined"
        row.discountPercent = approve ? percent : 0
        row.$decidedBy.id = ctx.user?.userID
        row.decidedAt = ctx.now
        row.updatedAt = ctx.now
        try await row.update(on: ctx.db)
        return row
    }

    // MARK: Enrolments

    func enrollments(_ patient: AuthorizedPatient) async throws -> [EnrollmentModel] {
        try await EnrollmentModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).sort(\.$startsOn, .descending).all()
    }

    /// Enrols the patient in one of the clinic's packages or subscriptions, from today, and
    /// issues its invoice (a subscription's first period). A subscription renews itself: its
    /// next period is queued for the day after this one ends.
    /// `resumed`: the patient had ended this subscription and its period still runs; the ending
    /// is taken back instead of a second subscription being made.
    func enroll(_ patient: AuthorizedPatient, itemID: String, startsOn: CalendarDay? = nil) async throws -> (row: EnrollmentModel, resumed: Bool) {
        let prices = try await CodingService(ctx: ctx).prices(clinicID: patient.clinicID).list
        let today = startsOn ?? patient.day(at: ctx.now)
        if let p = prices.packages.first(where: { $0.id == itemID }) {
            return (try await period(patient, kind: "package", itemID: itemID, name: p.name, visits: p.visits, startsOn: today,
                                    endsOn: today.adding(days: p.weeks * 7 - 1), currency: prices.currency,
                                    line: InvoiceLine(description: p.name, code: "PKG-\(p.id)", unitMinor: p.priceMinor)), false)
        }
        guard let s = prices.subscriptions.first(where: { $0.id == itemID }) else {
            throw DomainError.invalid("item-unknown", "No package or subscription \(itemID.prefix(40)) in the clinic's prices.")
        }
        if let active = try await enrollments(patient).first(where: { $0.itemID == itemID && $0.endsOn >= today.description }) {
            // Subscribing again before an ended subscription runs out takes the ending back.
            guard active.cancelledOn != nil else { throw DomainError.conflict("already-enrolled", "The patient already has this subscription.") }
            active.cancelledOn = nil
            try await active.update(on: ctx.db)
            return (active, true)
        }
        return (try await subscriptionPeriod(patient, s, startsOn: today, currency: prices.currency), false)
    }

    /// One period of a subscription: its row, its invoice, and the renewal of the next.
    private func subscriptionPeriod(_ patient: AuthorizedPatient, _ s: PriceList.Subscription, startsOn: CalendarDay, currency: String) async throws -> EnrollmentModel {
        let end = startsOn.adding(days: Self.subscriptionDays - 1)
        let row = try await period(patient, kind: "subscription", itemID: s.id, name: s.name, visits: s.visitsIncluded, startsOn: startsOn,
                                   endsOn: end, currency: currency,
                                   line: InvoiceLine(description: "\(s.name), \(startsOn.longName) to \(end.longName)", code: "SUB-\(s.id)",
                                                     unitMinor: s.monthlyMinor))
        try await JobQueue(ctx: ctx).enqueue(Self.renewalJob, key: "enrollment/\(try row.requireID())/renew",
                                             at: try end.adding(days: 1).start(in: patient.timeZone.timeZone), Renewal(enrollmentID: try row.requireID()))
        return row
    }

    private func period(_ patient: AuthorizedPatient, kind: String, itemID: String, name: String, visits: Int, startsOn: CalendarDay,
                        endsOn: CalendarDay, currency: String, line: InvoiceLine) async throws -> EnrollmentModel {
        let row = EnrollmentModel()
        row.id = UUID()
        row.$patient.id = patient.id
        row.kind = kind
        row.itemID = itemID
        row.name = name
        row.visits = visits
        row.startsOn = startsOn.description
        row.endsOn = endsOn.description
        row.createdAt = ctx.now
        let invoice = try await BillingService(ctx: ctx).issue(patient, description: name, lines: [line], currency: currency,
                                                               issuedOn: min(startsOn, patient.day(at: ctx.now)))
        row.$invoice.id = invoice.id
        try await row.create(on: ctx.db)
        return row
    }

    /// A subscription period is 30 days (the monthly price is for 30 days of access).
    static let subscriptionDays = 30
    static let renewalJob = "subscription-renewal"

    struct Renewal: Codable, Sendable {
        var enrollmentID: UUID
    }

    /// The next period of a subscription whose period has ended, with its invoice, unless it
    /// was ended, the clinic no longer offers it, or the next period is already there. Run by
    /// the job worker inside the gate's change on the patient's row, so it happens once.
    func renew(_ patient: AuthorizedPatient, enrollmentID: UUID) async throws -> EnrollmentModel? {
        try await ctx.lockRow(EnrollmentModel.self, id: enrollmentID)
        guard let current = try await EnrollmentModel.find(enrollmentID, on: ctx.db), current.$patient.id == patient.id,
              current.kind == "subscription", current.cancelledOn == nil else { return nil }
        let next = try CalendarDay(current.endsOn).adding(days: 1)
        guard next <= patient.day(at: ctx.now) else { return nil }
        let taken = try await EnrollmentModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$itemID == current.itemID)
            .filter(\.$startsOn == next.description).first()
        guard taken == nil else { return nil }
        let prices = try await CodingService(ctx: ctx).prices(clinicID: patient.clinicID).list
        guard let s = prices.subscriptions.first(where: { $0.id == current.itemID }) else {
            ctx.logger.notice("subscription not renewed: the clinic no longer offers it", metadata: ["enrollment-id": .string(enrollmentID.uuidString)])
            return nil
        }
        return try await subscriptionPeriod(patient, s, startsOn: next, currency: prices.currency)
    }

    /// Ends a subscription: the period paid for runs to its end and no further period is
    /// issued. Ending it again is answered with the same row.
    func cancel(_ patient: AuthorizedPatient, enrollmentID: UUID) async throws -> EnrollmentModel {
        try await ctx.lockRow(EnrollmentModel.self, id: enrollmentID)
        guard let row = try await EnrollmentModel.find(enrollmentID, on: ctx.db), row.$patient.id == patient.id else {
            throw DomainError.notFound("enrollment-not-found", "No such enrolment for this patient.")
        }
        guard row.kind == "subscription" else {
            throw DomainError.conflict("not-a-subscription", "A package runs for its weeks; ask the clinic about a refund.")
        }
        let today = patient.day(at: ctx.now)
        let latest = try await enrollments(patient).first { $0.itemID == row.itemID }
        guard latest?.id == row.id else {
            throw DomainError.conflict("not-current", "This period has ended; end the subscription's current period instead.")
        }
        if row.cancelledOn == nil {
            row.cancelledOn = min(today, (try? CalendarDay(row.endsOn)) ?? today).description
            try await row.update(on: ctx.db)
        }
        return row
    }

    /// The enrolment covering `day`, with the visits it has left (its booked and held visits
    /// in its dates count against it).
    func cover(_ patient: AuthorizedPatient, on day: CalendarDay) async throws -> (VisitCost.Cover, EnrollmentModel)? {
        let active = try await enrollments(patient).filter { $0.startsOn <= day.description && day.description <= $0.endsOn }
        guard let e = active.first else { return nil }
        let zone = patient.timeZone.timeZone
        let start = try CalendarDay(e.startsOn).start(in: zone), end = try CalendarDay(e.endsOn).adding(days: 1).start(in: zone)
        let used = try await VisitService(ctx: ctx).visits(of: patient, from: start)
            .filter { $0.startAt < end && $0.status.holdsTime }.count
        return (VisitCost.Cover(name: e.name, visitsLeft: max(0, e.visits - used), isSubscription: e.kind == "subscription"), e)
    }

    /// The package or subscription period that covers this visit: one in force on its day, of
    /// whose visits (booked or held, in order, within its dates) it is among the first `visits`.
    func covering(_ patient: AuthorizedPatient, visit: VisitModel) async throws -> EnrollmentModel? {
        Self.covering(visit, enrollments: try await enrollments(patient), visits: try await VisitService(ctx: ctx).visits(of: patient),
                      patient: patient)
    }

    /// The same over rows already read (`visits` in time order), for a list of visits.
    static func covering(_ visit: VisitModel, enrollments: [EnrollmentModel], visits: [VisitModel], patient: AuthorizedPatient) -> EnrollmentModel? {
        let day = patient.day(at: visit.startAt).description
        for e in enrollments where e.startsOn <= day && day <= e.endsOn && e.visits > 0 {
            let within = visits.filter { $0.status.holdsTime && (e.startsOn...e.endsOn).contains(patient.day(at: $0.startAt).description) }
            if let index = within.firstIndex(where: { $0.id == visit.id }), index < e.visits { return e }
        }
        return nil
    }

    /// What a visit of this type and modality would cost the patient.
    func estimate(_ patient: AuthorizedPatient, visitType: String, modality: VisitModality) async throws -> VisitCost.Estimate {
        let prices = try await CodingService(ctx: ctx).prices(clinicID: patient.clinicID).list
        let coverage = try await BillingService(ctx: ctx).coverages(patient).first { $0.rank == Coverage.Rank.primary.rawValue }?.coverage.value
        let cover = try await cover(patient, on: patient.day(at: ctx.now))?.0
        return VisitCost.estimate(price: prices.visitPrice(type: visitType, modality: modality), coverage: coverage,
                                  discountPercent: try await discount(patient), cover: cover)
    }
}

/// A sliding-scale application and its decision (M0024).
final class SlidingScaleModel: Model, @unchecked Sendable {
    static let schema = "sliding_scale"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    /// pending, approved, declined.
    @Field(key: "status") var status: String
    @Field(key: "application") var application: StoredJSON<CoverService.Application>
    @Field(key: "discount_percent") var discountPercent: Int
    @OptionalParent(key: "decided_by") var decidedBy: UserModel?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// An enrolment in a package or subscription (M0024).
final class EnrollmentModel: Model, @unchecked Sendable {
    static let schema = "enrollments"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "kind") var kind: String
    @Field(key: "item_id") var itemID: String
    @Field(key: "name") var name: String
    @Field(key: "visits") var visits: Int
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "ends_on") var endsOn: String
    @OptionalParent(key: "invoice_id") var invoice: InvoiceModel?
    /// A subscription ended on this day: its current period runs out, no period follows (M0026).
    @OptionalField(key: "cancelled_on") var cancelledOn: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

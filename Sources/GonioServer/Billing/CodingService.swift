import Vapor
import Fluent
import GonioCore

/// A clinic's prices and billing NPI, and each visit's coding: what the therapist wrote, and
/// the claim lines, superbill and CMS-1500 claim built from it with the coverage on file.
struct CodingService {
    let ctx: CallContext

    struct Prices: Sendable {
        var list: PriceList
        var npi: String?
        var version: Int
    }

    /// The clinic's prices (empty, version 0, until an admin saves them).
    func prices(clinicID: UUID) async throws -> Prices {
        guard let row = try await ClinicBillingModel.query(on: ctx.db).filter(\.$clinic.$id == clinicID).first() else {
            return Prices(list: PriceList(), npi: nil, version: 0)
        }
        return Prices(list: row.prices.value, npi: row.npi, version: row.version)
    }

    /// Saves the clinic's prices as the next version, if `baseVersion` is still in force.
    func savePrices(clinicID: UUID, _ list: PriceList, npi rawNPI: String?, baseVersion: Int) async throws -> Prices {
        let user = try ctx.requireUser()
        guard user.role == .clinicAdmin, user.adminClinicIDs.contains(clinicID) else {
            throw user.clinicIDs.contains(clinicID) || user.adminClinicIDs.contains(clinicID)
                ? DomainError.forbidden("clinic-admin-only", "Only an admin of this clinic sets its prices.") : DomainError.notFound()
        }
        let checked = try list.validated()
        let npi = rawNPI.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        if let npi, !NPI.isValid(npi) { throw DomainError.invalid("npi-invalid", "The NPI is 10 digits with a valid check digit.") }
        return try await ctx.transaction { tx in
            try await tx.lockRow(ClinicModel.self, id: clinicID)
            let row = try await ClinicBillingModel.query(on: tx.db).filter(\.$clinic.$id == clinicID).first()
            let current = row?.version ?? 0
            guard current == baseVersion else {
                throw DomainError.conflict("prices-changed", "The prices changed since you opened them (now version \(current)). Reload and make your change again.")
            }
            let saved = row ?? ClinicBillingModel()
            saved.$clinic.id = clinicID
            saved.prices = StoredJSON(checked)
            saved.npi = npi
            saved.version = current + 1
            saved.$updatedBy.id = user.userID
            saved.updatedAt = tx.now
            try await saved.save(on: tx.db)
            return Prices(list: checked, npi: npi, version: saved.version)
        }
    }

    // MARK: Coding

    /// A coded visit's allowed amount, estimated from the clinic's fees (Medicare's fee schedule
    /// is not held; uncertain: the KX running total is therefore an estimate).
    static func allowed(_ input: VisitCodingInput, prices: PriceList) -> Int64 {
        let untimed = (input.evaluation.map { prices.fees[$0.rawValue] ?? 0 }) ?? 0
        return untimed + input.minutes.reduce(Int64(0)) { $0 + (prices.fees[$1.key] ?? 0) * Int64(TimedUnits.perCodeUnits(minutes: $1.value)) }
    }

    /// Medicare's running total for the year: what the desk entered from elsewhere plus this
    /// clinic's coded visits that year (only those before `before`, when given). The codings are
    /// read in one query.
    func medicareRunningTotal(_ patient: AuthorizedPatient, baseline: Int64, year: Int, before: VisitModel? = nil,
                              prices list: PriceList? = nil) async throws -> Int64 {
        let list = if let list { list } else { try await prices(clinicID: patient.clinicID).list }
        let codings = Dictionary(try await VisitCodingModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).all().map { ($0.$visit.id, $0) },
                                 uniquingKeysWith: { a, _ in a })
        var total = baseline
        for visit in try await VisitService(ctx: ctx).visits(of: patient) where patient.day(at: visit.startAt).year == year {
            if let before, visit.id == before.id || visit.startAt >= before.startAt { continue }
            if let id = visit.id, let row = codings[id] { total += Self.allowed(row.input.value, prices: list) }
        }
        return total
    }

    /// The patient's coded visits, newest first.
    func coded(_ patient: AuthorizedPatient) async throws -> [VisitModel] {
        let rows = try await VisitCodingModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).all()
        let visits = try await VisitService(ctx: ctx).visits(of: patient)
        let ids = Set(rows.map { $0.$visit.id })
        return visits.filter { $0.id.map(ids.contains) == true }.sorted { $0.startAt > $1.startAt }
    }

    func coding(visitID: UUID) async throws -> VisitCodingModel? {
        try await VisitCodingModel.query(on: ctx.db).filter(\.$visit.$id == visitID).first()
    }

    /// The visit's own therapist codes it once it has taken place (replacing an earlier coding).
    func code(_ patient: AuthorizedPatient, visit: VisitModel, _ raw: VisitCodingInput) async throws -> VisitCodingModel {
        guard let therapistID = ctx.user?.therapistID, visit.$therapist.id == therapistID else {
            throw DomainError.forbidden("not-your-visit", "Only the therapist who saw the patient codes the visit.")
        }
        guard visit.tookPlace(by: ctx.now) else {
            throw DomainError.conflict("visit-not-held", "A visit is coded after it has taken place.")
        }
        let input = try raw.validated().input
        let row = try await coding(visitID: try visit.requireID()) ?? VisitCodingModel()
        row.$visit.id = try visit.requireID()
        row.$patient.id = patient.id
        row.input = StoredJSON(input)
        row.$codedBy.id = ctx.user?.userID
        row.codedAt = ctx.now
        try await row.save(on: ctx.db)
        return row
    }

    /// The claim for a coded visit: lines by the payer's unit rule and modifiers, with the
    /// primary coverage on file, the clinic's fees and NPIs.
    /// The claim as an 837P file, or 422 `claim-incomplete` naming what the file still needs.
    func x12(_ patient: AuthorizedPatient, visit: VisitModel, form: ClaimForm) async throws -> String {
        let prices = try await prices(clinicID: visit.$clinic.id)
        let coverage = try await BillingService(ctx: ctx).coverages(patient).first { $0.rank == Coverage.Rank.primary.rawValue }?.coverage.value
        let therapist = try await TherapistModel.query(on: ctx.db).filter(\.$id == visit.$therapist.id).with(\.$user).first()
        var missing: [String] = []
        if prices.list.claimsProfile == nil { missing.append("the clinic's tax id, billing address and telephone (its claims profile)") }
        if prices.npi == nil { missing.append("the clinic's NPI") }
        if therapist?.npi == nil { missing.append("the therapist's NPI") }
        if coverage?.payerId == nil { missing.append("the payer's electronic id") }
        if coverage?.subscriberAddress == nil { missing.append("the subscriber's address") }
        let birth = patient.dateOfBirth.flatMap { try? CalendarDay($0) }
        if birth == nil { missing.append("the patient's date of birth") }
        guard missing.isEmpty, let profile = prices.list.claimsProfile, let npi = prices.npi, let therapist, let renderingNPI = therapist.npi,
              let payerID = coverage?.payerId, let address = coverage?.subscriberAddress, let birth else {
            throw DomainError.invalid("claim-incomplete", "An electronic claim needs " + missing.joined(separator: ", ") + ".")
        }
        let clinic = try await ClinicModel.find(visit.$clinic.id, on: ctx.db)
        let now = ctx.now
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now)
        let id = try visit.requireID().uuidString.filter { $0 != "-" }
        return try X12Claim.build(form, parties: .init(profile: profile, billingName: clinic?.name ?? form.billingProviderName, billingNPI: npi,
                                                       renderingName: therapist.user.name, renderingNPI: renderingNPI, payerId: payerID,
                                                       subscriberAddress: address, patientBirthDate: birth),
                                  claimID: "G" + id.prefix(19),
                                  stamp: .init(day: CalendarDay(utc: now), hour: parts.hour ?? 0, minute: parts.minute ?? 0,
                                               control: Int(now.timeIntervalSince1970) % 999_999_999 + 1))
    }

    func claim(_ patient: AuthorizedPatient, visit: VisitModel) async throws -> (coded: ClaimRules.Coded, form: ClaimForm)? {
        guard let row = try await coding(visitID: try visit.requireID()) else { return nil }
        let input = row.input.value
        let minutes = try input.validated().minutes
        let coverage = try await BillingService(ctx: ctx).coverages(patient).first { $0.rank == Coverage.Rank.primary.rawValue }?.coverage.value
        let prices = try await prices(clinicID: visit.$clinic.id)
        let day = patient.day(at: visit.startAt)
        let video = visit.modality == .video
        let untimed = input.evaluation.map { [$0] } ?? []
        let feeTotal = Self.allowed(input, prices: prices.list)
        // Medicare's therapy threshold (KX): the year's allowed amounts before this visit are what
        // the desk entered from elsewhere plus this clinic's coded visits earlier in the year.
        var allowedSoFar: Money?
        if let coverage, coverage.payerKind == .medicare {
            allowedSoFar = Money(minor: try await medicareRunningTotal(patient, baseline: coverage.medicareAllowedThisYearMinor ?? 0, year: day.year,
                                                                       before: visit, prices: prices.list))
        }
        let facts = ClaimRules.VisitFacts(
            payer: coverage?.payerKind ?? .selfPay, date: day, video: video, patientAtHome: true, byAssistant: input.byAssistant,
            payerWants95: coverage?.payerKind == .commercial,
            allowedSoFar: allowedSoFar, allowedThisVisit: Money(minor: feeTotal),
            authorisedVisits: coverage?.authorisation?.visits, visitsUsed: coverage?.visitsUsed, authorisedThrough: coverage?.authorisation?.through)
        let coded = try ClaimRules.code(untimed: untimed, minutes: minutes, facts: facts)
        let therapist = try await TherapistModel.find(visit.$therapist.id, on: ctx.db)
        let clinic = try await ClinicModel.find(visit.$clinic.id, on: ctx.db)
        let form = ClaimForm.build(coded: coded, diagnoses: input.diagnoses, date: day, coverage: coverage, patientName: patient.name,
                                   patientBirthDate: patient.dateOfBirth, prices: prices.list, renderingNPI: therapist?.npi,
                                   billingName: clinic?.name ?? "", billingNPI: prices.npi)
        return (coded, form)
    }
}

/// A clinic's prices and NPI (M0023).
final class ClinicBillingModel: Model, @unchecked Sendable {
    static let schema = "clinic_billing"
    @ID(key: .id) var id: UUID?
    @Parent(key: "clinic_id") var clinic: ClinicModel
    @Field(key: "prices") var prices: StoredJSON<PriceList>
    @OptionalField(key: "npi") var npi: String?
    @Field(key: "version") var version: Int
    @OptionalParent(key: "updated_by") var updatedBy: UserModel?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// A visit's coding (M0023).
final class VisitCodingModel: Model, @unchecked Sendable {
    static let schema = "visit_codings"
    @ID(key: .id) var id: UUID?
    @Parent(key: "visit_id") var visit: VisitModel
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "input") var input: StoredJSON<VisitCodingInput>
    @OptionalParent(key: "coded_by") var codedBy: UserModel?
    @Field(key: "coded_at") var codedAt: Date

    init() {}
}

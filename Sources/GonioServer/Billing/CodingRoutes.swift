import Vapor
import Fluent
import GonioCore

/// A clinic's prices, and coding a visit into a claim: the therapist writes the codes, minutes
/// and diagnoses; the desk exports the claim (CMS-1500 fields as JSON or CSV); the patient
/// prints a superbill to claim from their insurer themselves.
extension ClaimForm: Content {}

extension Response {
    /// A CSV download (claims, the monitoring evidence).
    static func csv(_ text: String, filename: String) -> Response {
        Response(status: .ok, headers: ["Content-Type": "text/csv; charset=utf-8", "Content-Disposition": "attachment; filename=\"\(filename)\""],
                 body: .init(string: text))
    }
}
extension PriceList: Content {}
extension VisitCodingInput: Content {}
extension VisitCost.Estimate: Content {}

struct CodingRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.clinicPrices, use: pricesAPI)
        routes.api.put(Paths.API.clinicPrices, use: savePricesAPI)
        routes.api.get(Paths.API.visitCoding, use: codingAPI)
        routes.api.put(Paths.API.visitCoding, use: saveCodingAPI)
        routes.api.get(Paths.API.visitClaim, use: claimAPI)
        routes.web.get(Paths.superbill, use: superbillPage)
    }

    struct PricesView: Content {
        var clinicId: UUID
        var version: Int
        var npi: String?
        var prices: PriceList
    }

    /// Prices are what a clinic offers: anyone signed in may read them (patients compare before
    /// booking); an unknown clinic is 404.
    func pricesAPI(req: Request) async throws -> PricesView {
        let ctx = req.context
        _ = try ctx.requireUser()
        let id = try req.uuidParameter("clinicID")
        guard try await ClinicModel.find(id, on: ctx.db) != nil else { throw DomainError.notFound() }
        let p = try await CodingService(ctx: ctx).prices(clinicID: id)
        return PricesView(clinicId: id, version: p.version, npi: p.npi, prices: p.list)
    }

    struct PricesInput: Content {
        var baseVersion: Int
        var npi: String?
        var prices: PriceList
    }

    func savePricesAPI(req: Request) async throws -> PricesView {
        let ctx = req.context
        let id = try req.uuidParameter("clinicID")
        _ = try ctx.requireUser()
        guard try await ClinicModel.find(id, on: ctx.db) != nil else { throw DomainError.notFound() }
        let body = try req.content.decode(PricesInput.self)
        let p = try await CodingService(ctx: ctx).savePrices(clinicID: id, body.prices, npi: body.npi, baseVersion: body.baseVersion)
        return PricesView(clinicId: id, version: p.version, npi: p.npi, prices: p.list)
    }

    struct CodingView: Content {
        struct Line: Content {
            var code: String
            var name: String
            var units: Int
            var minutes: Int?
            var modifiers: [String]
        }

        var visitId: UUID
        var input: VisitCodingInput
        var placeOfService: String
        var lines: [Line]
        var totalUnits: Int
        var warnings: [String]
        var codedAt: Date

        init(visitID: UUID, row: VisitCodingModel, coded: ClaimRules.Coded) {
            visitId = visitID
            input = row.input.value
            placeOfService = coded.placeOfService.rawValue
            lines = coded.lines.map { Line(code: $0.code.rawValue, name: $0.code.name, units: $0.units, minutes: $0.minutes, modifiers: $0.modifiers) }
            totalUnits = coded.lines.reduce(0) { $0 + $1.units }
            warnings = coded.warnings
            codedAt = row.codedAt
        }
    }

    func codingAPI(req: Request) async throws -> CodingView {
        let ctx = req.context
        let (visitID, patientID) = try await VisitRoutes.patientOf(req)
        let patient = try await ctx.gate.authorize(.visitCodingRead, patientID: patientID, resource: "visit/\(visitID)/coding")
        let visit = try await VisitService(ctx: ctx).visit(visitID, of: patient)
        let service = CodingService(ctx: ctx)
        guard let row = try await service.coding(visitID: visitID), let claim = try await service.claim(patient, visit: visit) else {
            throw DomainError.notFound("not-coded", "This visit has not been coded yet.")
        }
        return CodingView(visitID: visitID, row: row, coded: claim.coded)
    }

    func saveCodingAPI(req: Request) async throws -> CodingView {
        let (visitID, patientID) = try await VisitRoutes.patientOf(req)
        return try await req.context.gate.change(.visitCode, patientID: patientID, resource: "visit/\(visitID)/coding") { patient, tx in
            let visit = try await VisitService(ctx: tx).visit(visitID, of: patient, locking: true)
            let service = CodingService(ctx: tx)
            let row = try await service.code(patient, visit: visit, try req.content.decode(VisitCodingInput.self))
            guard let claim = try await service.claim(patient, visit: visit) else { throw DomainError.notFound("not-coded", "This visit has not been coded yet.") }
            return CodingView(visitID: visitID, row: row, coded: claim.coded)
        }
    }

    /// The claim as CMS-1500 fields: JSON, or CSV with `?format=csv` (one row per service line).
    func claimAPI(req: Request) async throws -> Response {
        let ctx = req.context
        let (visitID, patientID) = try await VisitRoutes.patientOf(req)
        let format = (try? req.query.get(String.self, at: "format")) ?? "json"
        guard ["json", "csv", "x12"].contains(format) else { throw DomainError.invalid("format-invalid", "format is json, csv or x12.") }
        let patient = try await ctx.gate.authorize(.visitCodingRead, patientID: patientID, resource: "visit/\(visitID)/claim")
        let visit = try await VisitService(ctx: ctx).visit(visitID, of: patient)
        let coding = CodingService(ctx: ctx)
        guard let claim = try await coding.claim(patient, visit: visit) else {
            throw DomainError.notFound("not-coded", "This visit has not been coded yet.")
        }
        switch format {
        case "csv":
            return .csv(claim.form.csv, filename: "claim-\(visitID.uuidString.prefix(8)).csv")
        case "x12":
            let text = try await coding.x12(patient, visit: visit, form: claim.form)
            var headers = HTTPHeaders()
            headers.contentType = HTTPMediaType(type: "application", subType: "edi-x12")
            headers.contentDisposition = .init(.attachment, filename: "claim-\(visitID.uuidString.prefix(8)).x12")
            return Response(status: .ok, headers: headers, body: .init(string: text))
        default:
            return try await claim.form.encodeResponse(for: req)
        }
    }

    // MARK: Superbill

    func superbillPage(req: Request) async throws -> Response {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let visitID = try req.uuidParameter("visitID")
        let patient = try await ctx.gate.authorize(.superbillRead, patientID: id, resource: "visit/\(visitID)/superbill")
        let visit = try await VisitService(ctx: ctx).visit(visitID, of: patient)
        guard let claim = try await CodingService(ctx: ctx).claim(patient, visit: visit) else {
            throw DomainError.notFound("not-coded", "This visit has not been coded yet.")
        }
        let therapist = try await TherapistModel.query(on: ctx.db).filter(\.$id == visit.$therapist.id).with(\.$user).first()
        struct Context: Encodable {
            struct Line: Encodable { var code: String; var name: String; var modifiers: String; var units: Int; var charge: String; var pointers: String }
            var clinic: String
            var billingNPI: String
            var therapist: String
            var renderingNPI: String
            var patientName: String
            var birthDate: String
            var date: String
            var placeOfService: String
            var visitType: String
            var diagnoses: [String]
            var lines: [Line]
            var total: String
            var payer: String
            var memberId: String?
            var back: String
        }
        let f = claim.form
        let names = Dictionary(uniqueKeysWithValues: CPTCode.allCases.map { ($0.rawValue, $0.name) })
        let letters = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"]
        let context = Context(
            clinic: f.billingProviderName, billingNPI: f.billingNPI ?? "not on file", therapist: therapist?.user.name ?? "",
            renderingNPI: therapist?.npi ?? "not on file", patientName: f.patientName, birthDate: f.patientBirthDate ?? "",
            date: patient.day(at: visit.startAt).longName,
            placeOfService: "\(claim.coded.placeOfService.rawValue) (\(claim.coded.placeOfService == .office ? "office" : "telehealth"))",
            visitType: visit.visitTypeName, diagnoses: f.diagnoses.enumerated().map { "\(letters[$0.offset]). \($0.element)" },
            lines: f.lines.map { Context.Line(code: $0.code, name: names[$0.code] ?? "", modifiers: $0.modifiers.joined(separator: " "), units: $0.units,
                                              charge: Money(minor: $0.chargesMinor).description, pointers: $0.diagnosisPointers.joined()) },
            total: Money(minor: f.totalChargesMinor).description, payer: f.payerName, memberId: f.insuredId.isEmpty ? nil : f.insuredId, back: Paths.billingPage(id))
        return try await WebPage.render(req, "superbill", title: "Superbill", context)
    }
}

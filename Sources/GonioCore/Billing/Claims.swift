/// Identifiers a claim carries, checked by their own rules.
public enum NPI {
    /// A National Provider Identifier: 10 digits whose last is a Luhn check digit computed over
    /// the prefix 80840 and the first nine (CMS, "Requirements for NPI check digit").
    public static func isValid(_ text: String) -> Bool {
        guard text.count == 10, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else { return false }
        let digits = ("80840" + text).compactMap { $0.wholeNumberValue }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            if i % 2 == 1 {
                let doubled = d * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += d
            }
        }
        return sum % 10 == 0
    }
}

public enum ICD10 {
    /// ICD-10-CM code shape: a letter (not U), a digit, a digit or letter, then optionally a
    /// point and 1 to 4 more characters (M17.11, S83.511A, M54.50). The shape only: whether the
    /// code exists in the year's code set is not checked here (uncertain: no code table held).
    /// Written without the point, the point goes after the third character.
    public static func normalized(_ raw: String) throws(DomainError) -> String {
        var text = String(raw.trimmingWhitespace().uppercased().filter { $0 != " " })
        if !text.contains("."), text.count > 3 { text.insert(".", at: text.index(text.startIndex, offsetBy: 3)) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let head = Array(parts[0])
        let ok = (1...2).contains(parts.count) && head.count == 3 && head[0].isLetter && head[0] != "U" && head[0].isASCII
            && head[1].isNumber && (head[2].isNumber || head[2].isLetter) && head.allSatisfy(\.isASCII)
            && (parts.count == 1 || ((1...4).contains(parts[1].count) && parts[1].allSatisfy { ($0.isNumber || $0.isLetter) && $0.isASCII }))
        guard ok else { throw .invalid("diagnosis-invalid", "\(raw.prefix(12)) is not an ICD-10-CM code (for example M17.11).") }
        return text
    }
}

/// What the therapist codes for a visit: the evaluation (or re-evaluation) if any, the minutes
/// of each timed service, the diagnoses (ICD-10-CM, in order of importance; a claim holds 12),
/// and whether an assistant furnished part of it.
public struct VisitCodingInput: Codable, Equatable, Sendable {
    public var evaluation: CPTCode?
    public var minutes: [String: Int]
    public var diagnoses: [String]
    public var byAssistant: Bool

    public init(evaluation: CPTCode? = nil, minutes: [String: Int], diagnoses: [String], byAssistant: Bool = false) {
        self.evaluation = evaluation
        self.minutes = minutes
        self.diagnoses = diagnoses
        self.byAssistant = byAssistant
    }

    public func validated() throws(DomainError) -> (input: VisitCodingInput, minutes: [CPTCode: Int]) {
        if let evaluation, evaluation.isTimed { throw .invalid("codes-invalid", "\(evaluation.rawValue) is a timed code: give its minutes.") }
        var timed: [CPTCode: Int] = [:]
        for (raw, m) in minutes {
            guard let code = CPTCode(rawValue: raw) else { throw .invalid("code-unknown", "\(raw.prefix(10)) is not a code Gonio bills.") }
            timed[code] = m
        }
        guard evaluation != nil || !timed.isEmpty else { throw .invalid("codes-invalid", "Code at least one service: an evaluation or minutes of a timed code.") }
        guard (1...12).contains(diagnoses.count) else { throw .invalid("diagnosis-invalid", "Give 1 to 12 diagnoses (ICD-10-CM).") }
        var seen = Set<String>()
        var checked: [String] = []
        for d in diagnoses {
            let code = try ICD10.normalized(d)
            guard seen.insert(code).inserted else { throw .invalid("diagnosis-invalid", "\(code) is listed twice.") }
            checked.append(code)
        }
        for (code, m) in timed where !(1...480).contains(m) { throw .invalid("minutes-invalid", "Minutes for \(code.rawValue) are 1 to 480.") }
        var copy = self
        copy.diagnoses = checked
        return (copy, timed)
    }
}

/// A claim in the CMS-1500 (02/12) layout's terms: the fields a clearinghouse or payer portal
/// asks for, numbered as on the form, for one visit.
public struct ClaimForm: Codable, Equatable, Sendable {
    public struct ServiceLine: Codable, Equatable, Sendable {
        /// 24A: dates of service.
        public var dateFrom: CalendarDay
        public var dateTo: CalendarDay
        /// 24B: place of service.
        public var placeOfService: String
        /// 24D: CPT and up to four modifiers.
        public var code: String
        public var modifiers: [String]
        /// 24E: diagnosis pointers (A–L).
        public var diagnosisPointers: [String]
        /// 24F: charges, cents.
        public var chargesMinor: Int64
        /// 24G: units.
        public var units: Int
        /// 24J: rendering provider NPI.
        public var renderingNPI: String?
    }

    /// 1: the payer programme; 1a: insured's id.
    public var payerKind: String
    public var payerName: String
    public var insuredId: String
    /// 2, 3: patient's name and birth date; 4: insured's name; 6: relationship.
    public var patientName: String
    public var patientBirthDate: String?
    public var insuredName: String
    public var relationship: String
    /// 11: group number.
    public var groupNumber: String?
    /// 21: ICD indicator (0 = ICD-10) and diagnoses A–L.
    public var icdIndicator: String
    public var diagnoses: [String]
    /// 23: prior authorisation number.
    public var priorAuthorisation: String?
    public var lines: [ServiceLine]
    /// 28: total charge.
    public var totalChargesMinor: Int64
    /// 33: billing provider.
    public var billingProviderName: String
    public var billingNPI: String?
    /// Things to fix before sending, in words.
    public var warnings: [String]

    public static let csvHeader = "payer_kind,payer_name,insured_id,patient_name,patient_birth_date,insured_name,relationship,group_number,icd_indicator,diagnoses,prior_authorisation,line,date_from,date_to,place_of_service,code,modifiers,diagnosis_pointers,charges,units,rendering_npi,billing_provider,billing_npi"

    /// One row per service line, the claim's fields repeated.
    public var csv: String {
        let q = CSV.field
        func money(_ m: Int64) -> String { Money(minor: m).description.filter { $0 != "$" && $0 != "," } }
        let head = [payerKind, payerName, insuredId, patientName, patientBirthDate ?? "", insuredName, relationship, groupNumber ?? "",
                    icdIndicator, diagnoses.joined(separator: " "), priorAuthorisation ?? ""].map(q)
        let rows = lines.enumerated().map { i, l in
            (head + [String(i + 1), l.dateFrom.description, l.dateTo.description, l.placeOfService, l.code, l.modifiers.joined(separator: " "),
                     l.diagnosisPointers.joined(separator: ""), money(l.chargesMinor), String(l.units), l.renderingNPI ?? "",
                     billingProviderName, billingNPI ?? ""].map(q)).joined(separator: ",")
        }
        return CSV.document([Self.csvHeader] + rows)
    }
}

/// Comma-separated values as RFC 4180 writes them: a field with a comma, quote or line break
/// is quoted (its quotes doubled); rows end with CRLF. One writer for every export.
public enum CSV {
    public static func field(_ s: String?) -> String {
        let v = s ?? ""
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    public static func row(_ fields: [String?]) -> String { fields.map(field).joined(separator: ",") }

    public static func document(_ rows: [String]) -> String { rows.joined(separator: "\r\n") + "\r\n" }
}

/// A clinic's prices: per-unit charges for each CPT code (the claim's charges), self-pay prices
/// per visit type and modality, monthly subscriptions, condition packages, and the sliding scale.
public struct PriceList: Codable, Equatable, Sendable {
    public struct VisitPrice: Codable, Equatable, Sendable {
        public var visitType: String
        public var modality: VisitModality
        public var priceMinor: Int64
        public init(visitType: String, modality: VisitModality, priceMinor: Int64) {
            self.visitType = visitType
            self.modality = modality
            self.priceMinor = priceMinor
        }
    }

    public struct Subscription: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public var monthlyMinor: Int64
        /// Live visits a month included (0: messaging and the home program only).
        public var visitsIncluded: Int
        public init(id: String, name: String, monthlyMinor: Int64, visitsIncluded: Int) {
            self.id = id
            self.name = name
            self.monthlyMinor = monthlyMinor
            self.visitsIncluded = visitsIncluded
        }
    }

    public struct Package: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public var priceMinor: Int64
        public var visits: Int
        public var weeks: Int
        public init(id: String, name: String, priceMinor: Int64, visits: Int, weeks: Int) {
            self.id = id
            self.name = name
            self.priceMinor = priceMinor
            self.visits = visits
            self.weeks = weeks
        }
    }

    public var currency: String
    /// Per unit, by CPT code.
    public var fees: [String: Int64]
    public var visits: [VisitPrice]
    public var subscriptions: [Subscription]
    public var packages: [Package]
    public var slidingScale: SlidingScale?
    /// For electronic claims (837P): the clinic's tax id, billing address and contact.
    public var claimsProfile: ClaimsProfile?

    public init(currency: String = "USD", fees: [String: Int64] = [:], visits: [VisitPrice] = [], subscriptions: [Subscription] = [],
                packages: [Package] = [], slidingScale: SlidingScale? = nil, claimsProfile: ClaimsProfile? = nil) {
        self.claimsProfile = claimsProfile
        self.currency = currency
        self.fees = fees
        self.visits = visits
        self.subscriptions = subscriptions
        self.packages = packages
        self.slidingScale = slidingScale
    }

    public func validated() throws(DomainError) -> PriceList {
        guard Money.currencies[currency] != nil else { throw .invalid("prices-invalid", "The currency is one Gonio prices in (USD, CAD, EUR, GBP, AUD).") }
        func amount(_ m: Int64, _ name: String) throws(DomainError) {
            guard (0...10_000_000).contains(m) else { throw .invalid("prices-invalid", "\(name) is 0 to 10,000,000 cents.") }
        }
        for (code, fee) in fees {
            guard CPTCode(rawValue: code) != nil else { throw .invalid("prices-invalid", "fees: \(code.prefix(10)) is not a code Gonio bills.") }
            try amount(fee, "The fee for \(code)")
        }
        var seen = Set<String>()
        for v in visits {
            guard seen.insert("\(v.visitType)/\(v.modality.rawValue)").inserted else { throw .invalid("prices-invalid", "\(v.visitType) (\(v.modality.rawValue)) is priced twice.") }
            try amount(v.priceMinor, "A visit price")
        }
        let ids = subscriptions.map(\.id) + packages.map(\.id)
        guard Set(ids).count == ids.count, ids.allSatisfy({ (1...40).contains($0.count) }) else {
            throw .invalid("prices-invalid", "Each subscription and package needs its own id of 1 to 40 characters.")
        }
        for s in subscriptions {
            try amount(s.monthlyMinor, "\(s.name)'s monthly price")
            guard (0...31).contains(s.visitsIncluded), !s.name.trimmingWhitespace().isEmpty else { throw .invalid("prices-invalid", "\(s.id): a name and 0 to 31 visits a month.") }
        }
        for p in packages {
            try amount(p.priceMinor, "\(p.name)'s price")
            guard (1...100).contains(p.visits), (1...104).contains(p.weeks), !p.name.trimmingWhitespace().isEmpty else {
                throw .invalid("prices-invalid", "\(p.id): a name, 1 to 100 visits and 1 to 104 weeks.")
            }
        }
        var copy = self
        copy.slidingScale = try slidingScale?.validated()
        copy.claimsProfile = try claimsProfile?.validated()
        return copy
    }

    public func visitPrice(type: String, modality: VisitModality) -> Money? {
        visits.first { $0.visitType == type && $0.modality == modality }.map { Money(minor: $0.priceMinor, currency: currency) }
    }
}

extension ClaimForm {
    /// The claim for a coded visit. Each line points at the first four diagnoses (A–D), the
    /// primary first; charges are the clinic's fee per unit times the units. Missing NPIs or a
    /// missing fee are warnings, not guesses.
    public static func build(coded: ClaimRules.Coded, diagnoses: [String], date: CalendarDay, coverage: Coverage?,
                             patientName: String, patientBirthDate: String?, prices: PriceList,
                             renderingNPI: String?, billingName: String, billingNPI: String?) -> ClaimForm {
        let letters = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"]
        let pointers = Array(letters.prefix(min(4, diagnoses.count)))
        var warnings = coded.warnings
        if coverage == nil { warnings.append("No insurance on file: this is a self-pay visit; give the patient the superbill.") }
        if renderingNPI.map(NPI.isValid) != true { warnings.append("The therapist's NPI is missing or invalid (24J).") }
        if billingNPI.map(NPI.isValid) != true { warnings.append("The clinic's billing NPI is missing or invalid (33a).") }
        let lines = coded.lines.map { line -> ServiceLine in
            let fee = prices.fees[line.code.rawValue]
            if fee == nil { warnings.append("No fee for \(line.code.rawValue) in the price list: its charge is $0.") }
            return ServiceLine(dateFrom: date, dateTo: date, placeOfService: coded.placeOfService.rawValue, code: line.code.rawValue,
                               modifiers: Array(line.modifiers.prefix(4)), diagnosisPointers: pointers,
                               chargesMinor: (fee ?? 0) * Int64(line.units), units: line.units, renderingNPI: renderingNPI)
        }
        return ClaimForm(payerKind: coverage?.payerKind.rawValue ?? PayerKind.selfPay.rawValue, payerName: coverage?.payerName ?? "Self-pay",
                         insuredId: coverage?.memberId ?? "", patientName: patientName, patientBirthDate: patientBirthDate,
                         insuredName: coverage?.subscriberName ?? patientName, relationship: coverage?.relationship.rawValue ?? "self",
                         groupNumber: coverage?.groupNumber, icdIndicator: "0", diagnoses: diagnoses,
                         priorAuthorisation: coverage?.authorisation?.number, lines: lines,
                         totalChargesMinor: lines.reduce(0) { $0 + $1.chargesMinor }, billingProviderName: billingName,
                         billingNPI: billingNPI, warnings: warnings)
    }
}

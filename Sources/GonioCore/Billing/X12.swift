/// A postal address as claims carry it: US state code and a ZIP of 5 or 9 digits.
public struct PostalAddress: Codable, Equatable, Sendable {
    public var line1: String
    public var line2: String?
    public var city: String
    public var state: String
    public var zip: String

    public init(line1: String, line2: String? = nil, city: String, state: String, zip: String) {
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.state = state
        self.zip = zip
    }

    /// Trimmed, the state in capitals, the ZIP as digits only (5 or 9).
    public func validated(_ name: String) throws(DomainError) -> PostalAddress {
        var a = self
        a.line1 = line1.trimmingWhitespace()
        a.line2 = line2.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        a.city = city.trimmingWhitespace()
        a.state = state.trimmingWhitespace().uppercased()
        a.zip = zip.filter { $0 != "-" && $0 != " " }
        guard (1...55).contains(a.line1.count), (a.line2?.count ?? 0) <= 55, (2...30).contains(a.city.count) else {
            throw .invalid("address-invalid", "\(name): a street line of up to 55 characters and a city of 2 to 30.")
        }
        guard a.state.count == 2, a.state.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw .invalid("address-invalid", "\(name): the state is its two-letter code.")
        }
        guard a.zip.count == 5 || a.zip.count == 9, a.zip.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalid("address-invalid", "\(name): the ZIP code is 5 or 9 digits.")
        }
        return a
    }
}

/// What a clinic needs, besides its NPI, to send claims electronically: its tax id (EIN), the
/// billing address (a street address with a 9-digit ZIP, as the 837P asks), a billing contact
/// telephone, and the submitter id its clearinghouse gave it (its NPI when none).
public struct ClaimsProfile: Codable, Equatable, Sendable {
    public var taxId: String
    public var address: PostalAddress
    public var phone: String
    public var submitterId: String?
    /// Files are marked as tests (ISA15 "T") until the clinic says its enrolment is done.
    public var production: Bool?

    public init(taxId: String, address: PostalAddress, phone: String, submitterId: String? = nil, production: Bool? = nil) {
        self.taxId = taxId
        self.address = address
        self.phone = phone
        self.submitterId = submitterId
        self.production = production
    }

    public func validated() throws(DomainError) -> ClaimsProfile {
        var p = self
        p.taxId = taxId.filter { $0 != "-" }
        guard p.taxId.count == 9, p.taxId.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalid("prices-invalid", "claimsProfile.taxId is the clinic's 9-digit EIN.")
        }
        do { p.address = try address.validated("claimsProfile.address") } catch { throw .invalid("prices-invalid", error.message) }
        guard p.address.zip.count == 9 else { throw .invalid("prices-invalid", "claimsProfile.address: a billing provider's ZIP code is 9 digits.") }
        p.phone = phone.filter { $0.isASCII && $0.isNumber }
        guard p.phone.count == 10 else { throw .invalid("prices-invalid", "claimsProfile.phone is a 10-digit telephone number.") }
        p.submitterId = try PlanContent.text(submitterId, "claimsProfile.submitterId", 15)
        if let s = p.submitterId, !s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            throw .invalid("prices-invalid", "claimsProfile.submitterId is letters and digits.")
        }
        return p
    }
}

/// A visit's claim as an ASC X12 837 professional transaction (version 005010X222A1): one
/// interchange, one claim, its service lines. Built from the CMS-1500 fields (`ClaimForm`) and
/// the parties' identifiers; the layout follows the implementation guide's loops (1000A
/// submitter, 1000B receiver, 2000A/2010AA billing provider, 2000B/2010BA subscriber, 2010BB
/// payer, 2000C/2010CA patient when not the subscriber, 2300 claim, 2310B rendering provider,
/// 2400 lines). CI checks the output against the guide's map with an independent validator.
/// Not covered: secondary claims (2320/2330 loops), ambulance or supply segments, and the
/// patient's sex (sent as U, unknown, which the guide allows).
public enum X12Claim {
    public struct Parties: Sendable {
        public var profile: ClaimsProfile
        public var billingName: String
        public var billingNPI: String
        public var renderingName: String
        public var renderingNPI: String
        public var payerId: String
        public var subscriberAddress: PostalAddress
        public var patientBirthDate: CalendarDay

        public init(profile: ClaimsProfile, billingName: String, billingNPI: String, renderingName: String, renderingNPI: String,
                    payerId: String, subscriberAddress: PostalAddress, patientBirthDate: CalendarDay) {
            self.profile = profile
            self.billingName = billingName
            self.billingNPI = billingNPI
            self.renderingName = renderingName
            self.renderingNPI = renderingNPI
            self.payerId = payerId
            self.subscriberAddress = subscriberAddress
            self.patientBirthDate = patientBirthDate
        }
    }

    /// When the file is made: the UTC date and time stamps of the envelope.
    public struct Stamp: Sendable {
        public var day: CalendarDay
        public var hour: Int
        public var minute: Int
        /// The interchange control number, 1 to 999,999,999.
        public var control: Int

        public init(day: CalendarDay, hour: Int, minute: Int, control: Int) {
            self.day = day
            self.hour = hour
            self.minute = minute
            self.control = control
        }
    }

    /// Physical therapist (NUCC provider taxonomy 225100000X).
    public static let taxonomy = "225100000X"

    /// The 837P text: segments ending in "~", elements "*", components ":", repetition "^".
    public static func build(_ form: ClaimForm, parties: Parties, claimID: String, stamp: Stamp) throws(DomainError) -> String {
        let filing: String
        switch form.payerKind {
        case PayerKind.medicare.rawValue: filing = "MB"
        case PayerKind.medicaid.rawValue: filing = "MC"
        case PayerKind.commercial.rawValue: filing = "CI"
        default: throw .invalid("claim-incomplete", "A self-pay visit has no claim to send.")
        }
        guard !form.lines.isEmpty, !form.diagnoses.isEmpty, form.diagnoses.count <= 12 else {
            throw .invalid("claim-incomplete", "An electronic claim needs coded services and 1 to 12 diagnoses.")
        }
        guard (1...999_999_999).contains(stamp.control) else { throw .invalid("claim-incomplete", "The control number is 1 to 999,999,999.") }
        let relationship: String? = switch form.relationship {
        case "self": nil
        case "spouse": "01"
        case "child": "19"
        default: "G8"
        }
        let date = digits(stamp.day)
        let time = format2(stamp.hour) + format2(stamp.minute)
        let control = String(stamp.control).leftPadded(to: 9)
        let submitter = parties.profile.submitterId ?? parties.billingNPI
        let payerID = clean(parties.payerId, 80)
        var body: [[String]] = []
        body.append(["ST", "837", "0001", "005010X222A1"])
        body.append(["BHT", "0019", "00", clean(claimID, 30), date, time, "CH"])
        body.append(["NM1", "41", "2", clean(parties.billingName, 60), "", "", "", "", "46", clean(submitter, 80)])
        body.append(["PER", "IC", "BILLING OFFICE", "TE", parties.profile.phone])
        body.append(["NM1", "40", "2", clean(form.payerName, 60), "", "", "", "", "46", payerID])
        body.append(["HL", "1", "", "20", "1"])
        body.append(["PRV", "BI", "PXC", taxonomy])
        body.append(["NM1", "85", "2", clean(parties.billingName, 60), "", "", "", "", "XX", parties.billingNPI])
        body += address(parties.profile.address)
        body.append(["REF", "EI", parties.profile.taxId])
        body.append(["HL", "2", "1", "22", relationship == nil ? "0" : "1"])
        body.append(["SBR", "P", relationship == nil ? "18" : "", clean(form.groupNumber ?? "", 50), "", "", "", "", "", filing])
        let insured = split(form.insuredName)
        // A Medicare Beneficiary Identifier is sent without the dashes it is printed with.
        let member = form.payerKind == PayerKind.medicare.rawValue ? form.insuredId.filter { $0 != "-" && $0 != " " } : form.insuredId
        body.append(["NM1", "IL", "1", insured.last, insured.first, "", "", "", "MI", clean(member, 80)])
        if relationship == nil {
            body += address(parties.subscriberAddress)
            body.append(["DMG", "D8", digits(parties.patientBirthDate), "U"])
        }
        body.append(["NM1", "PR", "2", clean(form.payerName, 60), "", "", "", "", "PI", payerID])
        if let relationship {
            let patient = split(form.patientName)
            body.append(["HL", "3", "2", "23", "0"])
            body.append(["PAT", relationship])
            body.append(["NM1", "QC", "1", patient.last, patient.first])
            body += address(parties.subscriberAddress)
            body.append(["DMG", "D8", digits(parties.patientBirthDate), "U"])
        }
        let pos = form.lines[0].placeOfService
        body.append(["CLM", clean(claimID, 20), amount(form.totalChargesMinor), "", "", "\(pos):B:1", "Y", "A", "Y", "Y"])
        if let auth = form.priorAuthorisation { body.append(["REF", "G1", clean(auth, 50)]) }
        // ICD-10-CM without its dot: ABK for the principal diagnosis, ABF for the others.
        body.append(["HI"] + form.diagnoses.enumerated().map { "\($0.offset == 0 ? "ABK" : "ABF"):\($0.element.filter { $0 != "." })" })
        let therapist = split(parties.renderingName)
        body.append(["NM1", "82", "1", therapist.last, therapist.first, "", "", "", "XX", parties.renderingNPI])
        body.append(["PRV", "PE", "PXC", taxonomy])
        let letters = Array("ABCDEFGHIJKL")
        for (i, line) in form.lines.enumerated() {
            body.append(["LX", String(i + 1)])
            let pointers = line.diagnosisPointers.prefix(4).compactMap { p in letters.firstIndex(of: Character(p)).map { String($0 + 1) } }
            body.append(["SV1", (["HC", line.code] + line.modifiers.prefix(4)).joined(separator: ":"), amount(line.chargesMinor), "UN",
                         String(line.units), line.placeOfService == pos ? "" : line.placeOfService, "", pointers.joined(separator: ":")])
            body.append(["DTP", "472", "D8", digits(line.dateFrom)])
        }
        body.append(["SE", String(body.count + 1), "0001"])
        let isa = ["ISA", "00", pad("", 10), "00", pad("", 10), "ZZ", pad(clean(submitter, 15), 15), "ZZ", pad(clean(payerID, 15), 15),
                   String(date.dropFirst(2)), time, "^", "00501", control, "0", parties.profile.production == true ? "P" : "T", ":"]
        let gs = ["GS", "HC", clean(submitter, 15), clean(payerID, 15), date, time, String(stamp.control), "X", "005010X222A1"]
        let trailer = [["GE", "1", String(stamp.control)], ["IEA", "1", control]]
        return ([isa, gs] + body + trailer).map { segment($0) }.joined(separator: "\n") + "\n"
    }

    /// A segment without its trailing empty elements.
    static func segment(_ elements: [String]) -> String {
        var e = elements
        while e.count > 1, e.last?.isEmpty == true { e.removeLast() }
        return e.joined(separator: "*") + "~"
    }

    static func address(_ a: PostalAddress) -> [[String]] {
        [["N3", clean(a.line1, 55)] + (a.line2.map { [clean($0, 55)] } ?? []), ["N4", clean(a.city, 30), a.state, a.zip]]
    }

    /// Upper case, without the separators the file uses, at most `max` characters.
    static func clean(_ s: String, _ max: Int) -> String {
        String(s.uppercased().map { "*~:^".contains($0) || !$0.isASCII ? " " : $0 }.prefix(max)).trimmingWhitespace()
    }

    /// First and last name; credentials after a comma ("Dana Whitaker, PT, DPT") are not part of it.
    static func split(_ name: String) -> (first: String, last: String) {
        let parts = (name.split(separator: ",").first.map(String.init) ?? name).split(separator: " ").map(String.init)
        guard parts.count > 1 else { return ("", clean(name, 60)) }
        return (clean(parts.dropLast().joined(separator: " "), 35), clean(parts.last!, 60))
    }

    static func digits(_ d: CalendarDay) -> String { d.description.filter { $0 != "-" } }
    static func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
    static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? String(s.prefix(width)) : s + String(repeating: " ", count: width - s.count) }

    /// Dollars with cents, no thousands separator (X12 decimal).
    static func amount(_ minor: Int64) -> String {
        let cents = abs(minor) % 100
        return "\(minor < 0 ? "-" : "")\(abs(minor) / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}

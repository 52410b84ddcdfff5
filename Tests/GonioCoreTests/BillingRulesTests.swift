import Foundation
import Testing
@testable import GonioCore

/// Billing rules as tables: money, the 8-minute rule and per-code rounding, RTM codes across
/// every boundary, sliding-scale brackets, modifiers and warnings.
@Suite struct BillingRulesTests {
    // MARK: Money

    @Test(arguments: [("25", 2500 as Int64), ("25.5", 2550), ("25.50", 2550), ("0.07", 7), ("1,250.00", 125_000), (" 90 ", 9000)])
    func amountsAreReadExactly(text: String, minor: Int64) throws {
        #expect(try Money.parse(text).minor == minor)
    }

    @Test(arguments: ["", "-5", "25.505", "abc", "2.5.0", "1e3", ".50", "99999999999"])
    func badAmountsAreRefused(text: String) {
        #expect(throws: DomainError.self) { _ = try Money.parse(text) }
    }

    @Test func moneyAddsSharesAndSplitsWithoutLosingACent() throws {
        let fee = Money(minor: 9000)
        #expect(fee.description == "$90.00" && Money(minor: 123_456_789).description == "$1,234,567.89" && Money(minor: -550).description == "-$5.50")
        #expect(Money(minor: 1000, currency: "EUR").description == "10.00 EUR")
        #expect(fee.share(basisPoints: 2500).minor == 2250)                 // 25%
        #expect(Money(minor: 3333).share(basisPoints: 5000).minor == 1667)  // 16.665 rounds half up
        #expect(Money(minor: -3333).share(basisPoints: 5000).minor == -1667)
        #expect(Money(minor: 1).share(basisPoints: 4999).minor == 0)
        let parts = Money(minor: 10_000).split(into: 3)
        #expect(parts.map(\.minor) == [3334, 3333, 3333] && parts.reduce(.zero(), +) == Money(minor: 10_000))
        #expect((fee - fee.share(basisPoints: 7500)).minor == 2250 && (fee * 3).minor == 27_000 && fee > Money(minor: 8999))
    }

    // MARK: Timed units

    @Test(arguments: [
        (7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3), (52, 3), (53, 4), (67, 4), (68, 5), (82, 5), (83, 6),
    ])
    func theEightMinuteRuleCountsTotalMinutes(total: Int, units: Int) {
        #expect(TimedUnits.medicareUnits(totalMinutes: total) == units)
    }

    @Test(arguments: [
        // (minutes, Medicare units, per-code units)
        ([CPTCode.therapeuticExercise: 23, .neuromuscular: 24], [CPTCode.therapeuticExercise: 1, .neuromuscular: 2], [CPTCode.therapeuticExercise: 2, .neuromuscular: 2]),
        ([.therapeuticExercise: 7], [.therapeuticExercise: 0], [.therapeuticExercise: 0]),
        ([.therapeuticExercise: 8], [.therapeuticExercise: 1], [.therapeuticExercise: 1]),
        // Two services of 7 minutes: 14 in total, one unit, to the first by code.
        ([.therapeuticExercise: 7, .neuromuscular: 7], [.therapeuticExercise: 1, .neuromuscular: 0], [.therapeuticExercise: 0, .neuromuscular: 0]),
        // 33 + 7 = 40 → 3 units: 97110 gets 2 full, the leftover unit to 97112 (7 > 3).
        ([.therapeuticExercise: 33, .neuromuscular: 7], [.therapeuticExercise: 2, .neuromuscular: 1], [.therapeuticExercise: 2, .neuromuscular: 0]),
        // 20 + 20 + 5 = 45 → 3 units: one each full, then the one with most left (5 = 5 = 5: by code).
        ([.therapeuticExercise: 20, .neuromuscular: 20, .gait: 5], [.therapeuticExercise: 2, .neuromuscular: 1, .gait: 0],
         [.therapeuticExercise: 1, .neuromuscular: 1, .gait: 0]),
        // 10 + 10 + 10 = 30 → 2 units to the first two by code.
        ([.therapeuticExercise: 10, .neuromuscular: 10, .gait: 10], [.therapeuticExercise: 1, .neuromuscular: 1, .gait: 0],
         [.therapeuticExercise: 1, .neuromuscular: 1, .gait: 1]),
        ([.manualTherapy: 38], [.manualTherapy: 3], [.manualTherapy: 3]),
        ([.manualTherapy: 37], [.manualTherapy: 2], [.manualTherapy: 2]),
        ([.therapeuticActivities: 22, .selfCare: 22], [.therapeuticActivities: 2, .selfCare: 1], [.therapeuticActivities: 1, .selfCare: 1]),
    ])
    func unitsGoWhereTheMinutesWere(minutes: [CPTCode: Int], medicare: [CPTCode: Int], perCode: [CPTCode: Int]) throws {
        let m = try TimedUnits.units(minutes, method: .medicare)
        #expect(m.units.filter { $0.value > 0 } == medicare.filter { $0.value > 0 })
        #expect(m.totalUnits == TimedUnits.medicareUnits(totalMinutes: minutes.values.reduce(0, +)))
        #expect(m.units.values.reduce(0, +) == m.totalUnits, "every unit is placed")
        let p = try TimedUnits.units(minutes, method: .perCode)
        #expect(p.units.filter { $0.value > 0 } == perCode.filter { $0.value > 0 })
    }

    @Test func minutesAreReadAndCheckedByCode() throws {
        #expect(try TimedUnits.parseMinutes("97110=23,97112=24") == [.therapeuticExercise: 23, .neuromuscular: 24])
        for bad in ["", "97110", "97110=x", "99999=10", "97110=5,97110=6", "97110=23;97112=24"] {
            #expect(throws: DomainError.self, "\(bad)") { _ = try TimedUnits.parseMinutes(bad) }
        }
        #expect(throws: DomainError.self) { _ = try TimedUnits.units([.evalLow: 30], method: .medicare) }
        #expect(throws: DomainError.self) { _ = try TimedUnits.units([.therapeuticExercise: 0], method: .medicare) }
        #expect(throws: DomainError.self) { _ = try TimedUnits.units([.therapeuticExercise: 481], method: .medicare) }
    }

    // MARK: RTM

    @Test(arguments: [
        // (year, days, minutes, interactive, device, management)
        (2026, 0, 0, false, nil as String?, [String]()),
        (2026, 1, 0, false, nil, []),
        (2026, 2, 0, false, "98985", []),
        (2026, 15, 9, true, "98985", []),
        (2026, 15, 10, true, "98985", ["98979"]),
        (2026, 16, 19, true, "98977", ["98979"]),
        (2026, 16, 20, true, "98977", ["98980"]),
        (2026, 30, 39, true, "98977", ["98980"]),
        (2026, 30, 40, true, "98977", ["98980", "98981"]),
        (2026, 30, 59, true, "98977", ["98980", "98981"]),
        (2026, 30, 60, true, "98977", ["98980", "98981", "98981"]),
        (2026, 20, 45, false, "98977", []),            // no real-time communication, no management
        (2025, 15, 30, true, nil, ["98980"]),          // before 2026: 16 days for the device code
        (2025, 16, 19, true, "98977", []),             // and no 10-minute code
        (2022, 30, 20, true, "98977", ["98980"]),
        (2031, 5, 12, true, "98985", ["98979"]),       // a later year keeps the latest rules held
    ])
    func rtmCodesFollowTheYearsRules(year: Int, days: Int, minutes: Int, interactive: Bool, device: String?, management: [String]) throws {
        let codes = try RTMCodes.codes(year: year, days: days, minutes: minutes, interactive: interactive)
        #expect(codes.device == device && codes.management == management)
    }

    @Test func rtmRefusesWhatCannotBe() throws {
        #expect(throws: DomainError.self) { _ = try RTMCodes.codes(year: 2021, days: 20, minutes: 20, interactive: true) }
        #expect(throws: DomainError.self) { _ = try RTMCodes.codes(year: 2026, days: 31, minutes: 0, interactive: true) }
        #expect(throws: DomainError.self) { _ = try RTMCodes.codes(year: 2026, days: -1, minutes: 0, interactive: true) }
        #expect(throws: DomainError.self) { _ = try RTMCodes.codes(year: 2026, days: 3, minutes: -5, interactive: true) }
        #expect(try RTMCodes.rules(year: 2026).setupMinDays == 2)
        #expect(try RTMCodes.rules(year: 2024).setupMinDays == 16)
    }

    // MARK: Sliding scale

    static let scale = SlidingScale(brackets: [.init(upToPercent: 100, discountPercent: 75), .init(upToPercent: 150, discountPercent: 50),
                                               .init(upToPercent: 200, discountPercent: 25)])

    @Test(arguments: [
        // (income, household, discount) against the 2026 guideline (1: $15,960; 4: $33,000)
        (0, 1, 75), (15_960, 1, 75), (15_961, 1, 50), (23_940, 1, 50), (23_941, 1, 25), (31_920, 1, 25), (31_921, 1, 0),
        (33_000, 4, 75), (49_500, 4, 50), (66_000, 4, 25), (66_001, 4, 0),
        (61_400, 9, 75),  // 8 people $55,720 + $5,680
    ])
    func discountsFollowThePovertyGuideline(income: Int, household: Int, discount: Int) throws {
        let d = try Self.scale.validated().decide(income: income, householdSize: household, year: 2026, region: .contiguous)
        #expect(d.discountPercent == discount, "\(d)")
    }

    @Test func guidelinesAreDatedDataWithTheirSource() throws {
        #expect(try PovertyGuidelines.guideline(year: 2026, region: .contiguous, householdSize: 4) == 33_000)
        #expect(try PovertyGuidelines.guideline(year: 2026, region: .alaska, householdSize: 1) == 19_950)
        #expect(try PovertyGuidelines.guideline(year: 2026, region: .hawaii, householdSize: 10) == 64_070 + 2 * 6_530)
        #expect(try PovertyGuidelines.guideline(year: 2025, region: .contiguous, householdSize: 2) == 21_150)
        #expect(throws: DomainError.self) { _ = try PovertyGuidelines.guideline(year: 2025, region: .alaska, householdSize: 2) }
        #expect(throws: DomainError.self) { _ = try PovertyGuidelines.guideline(year: 2027, region: .contiguous, householdSize: 2) }
        #expect(throws: DomainError.self) { _ = try PovertyGuidelines.guideline(year: 2026, region: .contiguous, householdSize: 0) }
        #expect(PovertyGuidelines.region(forState: "US-AK") == .alaska && PovertyGuidelines.region(forState: "US-CA") == .contiguous)
        #expect(PovertyGuidelines.tables.allSatisfy { $0.upToEight.count == 8 && !$0.source.isEmpty })
    }

    @Test func aScaleMustRiseInIncomeAndFallInDiscount() {
        for bad in [[SlidingScale.Bracket(upToPercent: 100, discountPercent: 25), .init(upToPercent: 200, discountPercent: 50)],
                    [.init(upToPercent: 100, discountPercent: 50), .init(upToPercent: 100, discountPercent: 25)],
                    [.init(upToPercent: 0, discountPercent: 50)], [.init(upToPercent: 100, discountPercent: 101)], []] {
            #expect(throws: DomainError.self) { _ = try SlidingScale(brackets: bad).validated() }
        }
    }

    // MARK: Modifiers and warnings

    static let day = try! CalendarDay("2026-11-20")

    @Test func medicareTelehealthVisitIsCodedWithItsModifiersAndWarnings() throws {
        var facts = ClaimRules.VisitFacts(payer: .medicare, date: Self.day, video: true, patientAtHome: true,
                                          allowedSoFar: Money(minor: 240_000), allowedThisVisit: Money(minor: 9_000))
        let coded = try ClaimRules.code(untimed: [], minutes: [.therapeuticExercise: 23, .manualTherapy: 10], facts: facts)
        #expect(coded.placeOfService == .telehealthHome)
        #expect(coded.lines.map(\.code) == [.therapeuticExercise, .manualTherapy] && coded.lines.map(\.units) == [1, 1])
        #expect(coded.lines.allSatisfy { $0.modifiers == ["GP", "KX"] }, "over $2,480 with this visit")
        #expect(coded.warnings.contains { $0.hasPrefix("97140 manual therapy is not on Medicare's telehealth list") })
        facts.allowedSoFar = Money(minor: 100_000)
        facts.payerWants95 = true
        facts.patientAtHome = false
        let under = try ClaimRules.code(untimed: [.evalModerate], minutes: [.therapeuticExercise: 15], facts: facts)
        #expect(under.placeOfService == .telehealthElsewhere && under.lines.first?.modifiers == ["GP", "95"] && under.lines.first?.units == 1)
        facts.audioOnly = true
        facts.video = false
        #expect(try ClaimRules.code(untimed: [], minutes: [.therapeuticExercise: 15], facts: facts).lines.first?.modifiers == ["GP", "93"])
    }

    @Test func commercialInPersonAssistantAndAuthorisation() throws {
        let facts = ClaimRules.VisitFacts(payer: .commercial, date: Self.day, byAssistant: true, authorisedVisits: 12, visitsUsed: 12,
                                          authorisedThrough: try CalendarDay("2026-11-15"))
        let coded = try ClaimRules.code(untimed: [], minutes: [.therapeuticExercise: 23, .neuromuscular: 24], facts: facts)
        #expect(coded.placeOfService == .office && coded.lines.map(\.units) == [2, 2], "per-code rounding for a commercial payer")
        #expect(coded.lines.first?.modifiers == ["GP", "CQ"])
        #expect(coded.warnings.count == 2 && coded.warnings.allSatisfy { $0.contains("authoris") })
        let medicare = try ClaimRules.code(untimed: [], minutes: [.therapeuticExercise: 23, .neuromuscular: 24],
                                           facts: .init(payer: .medicare, date: try CalendarDay("2023-03-01")))
        #expect(medicare.lines.map(\.units) == [1, 2] && medicare.warnings.contains { $0.contains("threshold for 2023") })
        #expect(throws: DomainError.self) { _ = try ClaimRules.code(untimed: [.evalLow, .evalHigh], minutes: [:], facts: facts) }
        let nothing = try ClaimRules.code(untimed: [], minutes: [.therapeuticExercise: 5], facts: facts)
        #expect(nothing.lines.isEmpty && nothing.warnings.contains { $0.hasPrefix("No billable service") })
        #expect(TherapyThreshold.threshold(year: 2026) == Money(minor: 248_000) && TherapyThreshold.threshold(year: 2019) == nil)
    }
}

extension BillingRulesTests {
    @Test func whatAVisitWillCost() {
        let price = Money(minor: 8_500)
        let medicare = Coverage(payerKind: .medicare, payerName: "Medicare Part B", memberId: "1", subscriberName: "M", coinsurancePercent: 20,
                                deductibleMinor: 28_300, deductibleMetMinor: 28_300)
        #expect(VisitCost.estimate(price: price, coverage: medicare, discountPercent: 0, cover: nil).amountMinor == 1_700)
        var early = medicare
        early.deductibleMetMinor = 25_000   // $33 of deductible left, then 20% of $52
        #expect(VisitCost.estimate(price: price, coverage: early, discountPercent: 0, cover: nil).amountMinor == 4_340)
        var copay = medicare
        copay.copayMinor = 2_500
        #expect(VisitCost.estimate(price: price, coverage: copay, discountPercent: 0, cover: nil).amountMinor == 2_500)
        #expect(VisitCost.estimate(price: Money(minor: 2_000), coverage: copay, discountPercent: 0, cover: nil).amountMinor == 2_000, "never more than the price")
        #expect(VisitCost.estimate(price: price, coverage: nil, discountPercent: 50, cover: nil).amountMinor == 4_250)
        #expect(VisitCost.estimate(price: price, coverage: nil, discountPercent: 0, cover: nil).basis == "self-pay")
        let package = VisitCost.Cover(name: "ACL package", visitsLeft: 3, isSubscription: false)
        #expect(VisitCost.estimate(price: price, coverage: medicare, discountPercent: 50, cover: package).amountMinor == 0)
        let used = VisitCost.Cover(name: "ACL package", visitsLeft: 0, isSubscription: false)
        #expect(VisitCost.estimate(price: price, coverage: nil, discountPercent: 0, cover: used).amountMinor == 8_500, "a used-up package covers nothing")
        #expect(VisitCost.estimate(price: nil, coverage: nil, discountPercent: 0, cover: nil).basis == "unpriced")
        #expect(NPI.isValid("1234567893") && !NPI.isValid("1234567890") && !NPI.isValid("123456789") && !NPI.isValid("12345678a3"))
    }

    @Test(arguments: [("M17.11", "M17.11"), ("m1711", "M17.11"), ("S83.511A", "S83.511A"), ("M54.50", "M54.50"), ("R26", "R26")])
    func diagnosesAreReadInTheirShape(raw: String, code: String) throws {
        #expect(try ICD10.normalized(raw) == code)
    }

    @Test(arguments: ["", "17.0", "U07.1", "M1", "M17.12345", "MM7.1", "M17..1"])
    func badDiagnosesAreRefused(raw: String) {
        #expect(throws: DomainError.self) { _ = try ICD10.normalized(raw) }
    }
}

extension BillingRulesTests {
    @Test func aPaymentPlanSplitsTheBalanceAndCountsPaymentsInOrder() throws {
        let today = try CalendarDay("2026-11-30")
        let plan = try PaymentPlan.schedule(balance: 10_000, instalments: 3, firstDue: today, everyDays: 30, today: today)
        #expect(plan.map(\.amountMinor) == [3_334, 3_333, 3_333] && plan.map(\.dueOn.description) == ["2026-11-30", "2026-12-30", "2027-01-29"])
        #expect(PaymentPlan.states(plan, paidTowardsPlan: 0, today: today) == [.due, .due, .due])
        #expect(PaymentPlan.states(plan, paidTowardsPlan: 0, today: today.adding(days: 1)) == [.overdue, .due, .due])
        #expect(PaymentPlan.states(plan, paidTowardsPlan: 5_000, today: today.adding(days: 1)) == [.paid, .partlyPaid, .due])
        #expect(PaymentPlan.states(plan, paidTowardsPlan: 10_000, today: today.adding(days: 90)) == [.paid, .paid, .paid])
        for (n, every, first) in [(1, 30, today), (25, 30, today), (3, 6, today), (3, 32, today), (3, 30, today.adding(days: 91))] {
            #expect(throws: DomainError.self) { _ = try PaymentPlan.schedule(balance: 10_000, instalments: n, firstDue: first, everyDays: every, today: today) }
        }
        #expect(throws: DomainError.self) { _ = try PaymentPlan.schedule(balance: 0, instalments: 2, firstDue: today, everyDays: 30, today: today) }
    }
}


extension BillingRulesTests {
    @Test func aStatementCarriesTheBalanceThroughChargesPaymentsAndRefunds() throws {
        let d = { (s: String) in try CalendarDay(s) }
        let charges = [
            Statement.Charge(day: try d("2026-09-10"), invoice: "INV-2026-0001", description: "Evaluation", amountMinor: 12_000),
            Statement.Charge(day: try d("2026-10-02"), invoice: "INV-2026-0002", description: "Follow-up", amountMinor: 9_000),
            Statement.Charge(day: try d("2026-10-05"), invoice: "INV-2026-0003", description: "Issued in error", amountMinor: 5_000, void: true),
            Statement.Charge(day: try d("2026-11-20"), invoice: "INV-2026-0004", description: "After the statement", amountMinor: 7_000),
        ]
        let payments = [
            Statement.Payment(day: try d("2026-09-10"), invoice: "INV-2026-0001", method: .card, amountMinor: 12_000),
            // Same day as its charge: the charge comes first, then the payment, then the refund.
            Statement.Payment(day: try d("2026-10-02"), invoice: "INV-2026-0002", method: .refund, amountMinor: 1_000),
            Statement.Payment(day: try d("2026-10-02"), invoice: "INV-2026-0002", method: .cash, amountMinor: 9_000, reference: "Desk"),
        ]
        let a = try Statement.account(charges: charges, payments: payments, from: try d("2026-10-01"), to: try d("2026-10-31"), currency: "USD")
        #expect(a.openingMinor == 0)
        #expect(a.entries.map(\.kind) == [.charge, .payment, .refund])
        #expect(a.entries.map(\.balanceMinor) == [9_000, 0, 1_000])
        #expect(a.entries[1].description == "Payment by cash (Desk)" && a.entries[2].changeMinor == 1_000)
        #expect(a.chargedMinor == 9_000 && a.paidMinor == 9_000 && a.refundedMinor == 1_000 && a.closingMinor == 1_000)
        // What came before is the opening balance; what came after is not in it.
        let later = try Statement.account(charges: charges, payments: payments, from: try d("2026-11-01"), to: try d("2026-11-30"), currency: "USD")
        #expect(later.openingMinor == 1_000 && later.entries.count == 1 && later.closingMinor == 8_000)
        let empty = try Statement.account(charges: charges, payments: payments, from: try d("2026-11-01"), to: try d("2026-11-10"), currency: "USD")
        #expect(empty.entries.isEmpty && empty.openingMinor == 1_000 && empty.closingMinor == 1_000)
        // The whole history: the void invoice is never a charge.
        let all = try Statement.account(charges: charges, payments: payments, from: try d("2026-01-01"), to: try d("2026-12-31"), currency: "USD")
        #expect(all.chargedMinor == 28_000 && all.paidMinor == 21_000 && all.closingMinor == 8_000 && !all.entries.contains { $0.invoice == "INV-2026-0003" })
        #expect(throws: DomainError.self) { _ = try Statement.account(charges: [], payments: [], from: try d("2026-02-01"), to: try d("2026-01-01"), currency: "USD") }
        #expect(throws: DomainError.self) { _ = try Statement.account(charges: [], payments: [], from: try d("2000-01-01"), to: try d("2026-01-01"), currency: "USD") }
    }
}

extension BillingRulesTests {
    @Test func monitoringPeriodsRunThirtyDaysFromTheFirstDataAndSetUpIsBilledOnce() throws {
        let began = try CalendarDay("2026-10-07")
        #expect(RTMPeriod.start(containing: try CalendarDay("2026-10-06"), monitoringStart: began) == nil)
        for (day, start) in [("2026-10-07", "2026-10-07"), ("2026-11-05", "2026-10-07"), ("2026-11-06", "2026-11-06"), ("2026-12-05", "2026-11-06"),
                             ("2026-12-06", "2026-12-06")] {
            #expect(RTMPeriod.start(containing: try CalendarDay(day), monitoringStart: began)?.description == start, "\(day)")
        }
        // Which periods end in a month: November holds the end of the first (5 November); December the second (5 December).
        #expect(RTMPeriod.starts(endingFrom: try CalendarDay("2026-11-01"), to: try CalendarDay("2026-11-30"), monitoringStart: began).map(\.description) == ["2026-10-07"])
        #expect(RTMPeriod.starts(endingFrom: try CalendarDay("2026-12-01"), to: try CalendarDay("2026-12-31"), monitoringStart: began).map(\.description) == ["2026-11-06"])
        #expect(RTMPeriod.starts(endingFrom: try CalendarDay("2026-10-01"), to: try CalendarDay("2026-10-31"), monitoringStart: began).isEmpty)
        // A period ending on the month's last day belongs to that month; two can end in one 31-day month.
        let first = try CalendarDay("2026-01-01")
        #expect(RTMPeriod.starts(endingFrom: try CalendarDay("2026-01-01"), to: try CalendarDay("2026-01-31"), monitoringStart: first).map(\.description) == ["2026-01-01"])
        let edge = try CalendarDay("2025-12-03")
        #expect(RTMPeriod.starts(endingFrom: try CalendarDay("2026-01-01"), to: try CalendarDay("2026-01-31"), monitoringStart: edge).map(\.description) == ["2025-12-03", "2026-01-02"])
        let rules = try RTMCodes.rules(year: 2026)
        #expect(RTMPeriod.setupSupported(periodStart: began, monitoringStart: began, dataDays: 2, rules: rules))
        #expect(!RTMPeriod.setupSupported(periodStart: began, monitoringStart: began, dataDays: 1, rules: rules))
        #expect(!RTMPeriod.setupSupported(periodStart: began.adding(days: 30), monitoringStart: began, dataDays: 30, rules: rules))
        #expect(!RTMPeriod.setupSupported(periodStart: began, monitoringStart: nil, dataDays: 30, rules: rules))
        #expect(!RTMPeriod.setupSupported(periodStart: began, monitoringStart: began, dataDays: 15, rules: try RTMCodes.rules(year: 2025)))
    }
}

extension BillingRulesTests {
    @Test func theSlidingScaleIsALineOfItsOwnRoundedAsTheEstimate() {
        let lines = [InvoiceLine(description: "Follow-up visit", unitMinor: 8_500), InvoiceLine(description: "Band", quantity: 3, unitMinor: 333)]
        let half = InvoiceRules.withDiscount(lines, percent: 50, currency: "USD")
        // 9,499 cents at 50%: 4,749.5 rounds half away from zero to 4,750, as the estimate does.
        #expect(half.count == 3 && half[2].unitMinor == -4_750 && half[2].code == InvoiceRules.discountCode && InvoiceRules.total(half) == 4_749)
        let estimate = VisitCost.estimate(price: Money(minor: 9_499), coverage: nil, discountPercent: 50, cover: nil)
        #expect(estimate.amountMinor == 4_749)
        #expect(InvoiceRules.withDiscount(lines, percent: 0, currency: "USD") == lines)
        #expect(InvoiceRules.withDiscount(half, percent: 50, currency: "USD") == half, "never twice")
        #expect(InvoiceRules.total(InvoiceRules.withDiscount(lines, percent: 100, currency: "USD")) == 0)
        #expect(InvoiceRules.withDiscount([InvoiceLine(description: "Credit", unitMinor: 0)], percent: 50, currency: "USD").count == 1)
    }
}

extension BillingRulesTests {
    static func x12Parties(birth: String = "1956-04-12") throws -> X12Claim.Parties {
        let profile = try ClaimsProfile(taxId: "93-4417206", address: PostalAddress(line1: "2200 Riverside Drive", city: "Portland", state: "or", zip: "97201-4411"),
                                        phone: "(503) 555-0142").validated()
        return X12Claim.Parties(profile: profile, billingName: "Riverside Physical Therapy", billingNPI: "1548762305",
                                renderingName: "Dana Whitaker, PT, DPT", renderingNPI: "1987654328", payerId: "MCRPTB01",
                                subscriberAddress: PostalAddress(line1: "418 Alder Street", city: "San Jose", state: "CA", zip: "95112"),
                                patientBirthDate: try CalendarDay(birth))
    }

    static func form(_ coverage: Coverage, patient: String = "Maria Lopez") throws -> ClaimForm {
        let facts = ClaimRules.VisitFacts(payer: coverage.payerKind, date: Self.day, video: true, patientAtHome: true, payerWants95: coverage.payerKind == .commercial,
                                          allowedSoFar: Money(minor: 100_000), allowedThisVisit: Money(minor: 14_100))
        let coded = try ClaimRules.code(untimed: [], minutes: [.therapeuticExercise: 23, .neuromuscular: 24], facts: facts)
        return ClaimForm.build(coded: coded, diagnoses: ["M17.0", "M25.561"], date: Self.day, coverage: coverage, patientName: patient,
                               patientBirthDate: "1956-04-12", prices: PriceList(fees: ["97110": 4_500, "97112": 4_800]),
                               renderingNPI: "1987654328", billingName: "Riverside Physical Therapy", billingNPI: "1548762305")
    }

    /// Segments of a file, as element arrays.
    static func segments(_ text: String) -> [[String]] {
        text.split(separator: "~").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            .map { $0.components(separatedBy: "*") }
    }

    @Test func aMedicareVisitBecomesAn837PWithItsLoopsAndCounts() throws {
        let medicare = Coverage(payerKind: .medicare, payerName: "Medicare Part B", memberId: "1EG4-TE5-MK73", subscriberName: "Maria Lopez")
        let stamp = X12Claim.Stamp(day: try CalendarDay("2026-12-01"), hour: 9, minute: 5, control: 42)
        let text = try X12Claim.build(try Self.form(medicare), parties: try Self.x12Parties(), claimID: "G1234", stamp: stamp)
        let segs = Self.segments(text)
        let ids = segs.map { $0[0] }
        #expect(ids.first == "ISA" && ids.last == "IEA" && segs[0].count == 17 && segs[0][13] == "000000042" && segs[0][15] == "T")
        #expect(segs[0][6].count == 15 && segs[0][8].count == 15 && segs[0][9] == "261201" && segs[0][10] == "0905")
        // The transaction's own count includes ST and SE.
        let st = try #require(ids.firstIndex(of: "ST")), se = try #require(ids.firstIndex(of: "SE"))
        #expect(Int(segs[se][1]) == se - st + 1 && segs[se][2] == segs[st][2])
        #expect(segs.contains(["NM1", "85", "2", "RIVERSIDE PHYSICAL THERAPY", "", "", "", "", "XX", "1548762305"]))
        #expect(segs.contains(["N4", "PORTLAND", "OR", "972014411"]) && segs.contains(["REF", "EI", "934417206"]))
        #expect(segs.contains(["SBR", "P", "18", "", "", "", "", "", "", "MB"]))
        #expect(segs.contains(["NM1", "IL", "1", "LOPEZ", "MARIA", "", "", "", "MI", "1EG4TE5MK73"]), "an MBI without its dashes")
        #expect(segs.contains(["DMG", "D8", "19560412", "U"]) && !ids.contains("PAT"))
        #expect(segs.contains(["CLM", "G1234", "141.00", "", "", "10:B:1", "Y", "A", "Y", "Y"]))
        #expect(segs.contains(["HI", "ABK:M170", "ABF:M25561"]))
        #expect(segs.contains(["NM1", "82", "1", "WHITAKER", "DANA", "", "", "", "XX", "1987654328"]), "credentials are not the name")
        #expect(segs.filter { $0[0] == "SV1" } == [["SV1", "HC:97110:GP", "45.00", "UN", "1", "", "", "1:2"], ["SV1", "HC:97112:GP", "96.00", "UN", "2", "", "", "1:2"]])
        #expect(segs.filter { $0[0] == "DTP" }.allSatisfy { $0 == ["DTP", "472", "D8", "20261120"] })
        if let dir = ProcessInfo.processInfo.environment["GONIO_X12_OUT"] {
            try text.write(toFile: dir + "/medicare-self.x12", atomically: true, encoding: .utf8)
        }
    }

    @Test func aChildOnAParentsPlanHasThePatientLoop() throws {
        let plan = Coverage(payerKind: .commercial, payerName: "Blue Harbor PPO", memberId: "BHP-99812", groupNumber: "G-7781",
                            subscriberName: "Ana Lopez", relationship: .child,
                            authorisation: .init(number: "AUTH-5521", visits: 12, from: Self.day, through: Self.day.adding(days: 60)))
        var parties = try Self.x12Parties(birth: "2014-06-02")
        parties.profile.production = true
        let text = try X12Claim.build(try Self.form(plan, patient: "Sofia Lopez"), parties: parties, claimID: "G77", stamp: .init(day: Self.day, hour: 23, minute: 59, control: 999_999_999))
        let segs = Self.segments(text)
        #expect(segs[0][15] == "P" && segs.contains(["HL", "2", "1", "22", "1"]) && segs.contains(["HL", "3", "2", "23", "0"]))
        #expect(segs.contains(["SBR", "P", "", "G-7781", "", "", "", "", "", "CI"]) && segs.contains(["PAT", "19"]))
        #expect(segs.contains(["NM1", "IL", "1", "LOPEZ", "ANA", "", "", "", "MI", "BHP-99812"]) && segs.contains(["NM1", "QC", "1", "LOPEZ", "SOFIA"]))
        #expect(segs.contains(["REF", "G1", "AUTH-5521"]) && segs.filter { $0[0] == "SV1" }.allSatisfy { $0[1].hasSuffix(":GP:95") })
        if let dir = ProcessInfo.processInfo.environment["GONIO_X12_OUT"] {
            try text.write(toFile: dir + "/commercial-child.x12", atomically: true, encoding: .utf8)
        }
        // What cannot be a claim, and what a profile must hold.
        let selfPay = Coverage(payerKind: .selfPay, payerName: "Self", memberId: "-", subscriberName: "Sofia Lopez")
        var form = try Self.form(plan)
        form.payerKind = selfPay.payerKind.rawValue
        #expect(throws: DomainError.self) { _ = try X12Claim.build(form, parties: parties, claimID: "x", stamp: .init(day: Self.day, hour: 1, minute: 1, control: 1)) }
        #expect(throws: DomainError.self) { _ = try X12Claim.build(try Self.form(plan), parties: parties, claimID: "x", stamp: .init(day: Self.day, hour: 1, minute: 1, control: 0)) }
        let address = PostalAddress(line1: "1 Main St", city: "Portland", state: "OR", zip: "97201")
        for bad in [ClaimsProfile(taxId: "12-345", address: address, phone: "5035550142"),
                    ClaimsProfile(taxId: "934417206", address: address, phone: "5035550142"),
                    ClaimsProfile(taxId: "934417206", address: PostalAddress(line1: "1 Main St", city: "Portland", state: "Oregon", zip: "972014411"), phone: "5035550142"),
                    ClaimsProfile(taxId: "934417206", address: PostalAddress(line1: "1 Main St", city: "Portland", state: "OR", zip: "972014411"), phone: "555-0142"),
                    ClaimsProfile(taxId: "934417206", address: PostalAddress(line1: "1 Main St", city: "Portland", state: "OR", zip: "972014411"), phone: "5035550142", submitterId: "A*B")] {
            #expect(throws: DomainError.self) { _ = try bad.validated() }
        }
    }
}

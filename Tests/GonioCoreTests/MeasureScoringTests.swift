import Testing
@testable import GonioCore

/// Expected numbers are worked out by hand from the official rules in CLINICAL.md §1; the
/// arithmetic is in each case's comment.
@Suite struct MeasureScoringTests {
    func score(_ code: String, _ answers: [Int?]) throws -> MeasureScore {
        try MeasureScoring.score(#require(MeasureLibrary.measure(code: code)), answers: answers)
    }

    func refusal(_ code: String, _ answers: [Int?]) -> String? {
        (#expect(throws: DomainError.self) { try self.score(code, answers) })?.code
    }

    // MARK: ODI (sum / (5 × answered) × 100)

    @Test func odiAllAnswered() throws {
        // 3+2+1+2+1+2+1+0+2+2 = 16; 16 / 50 × 100 = 32 → moderate (21–40).
        let s = try score("odi", [3, 2, 1, 2, 1, 2, 1, 0, 2, 2])
        #expect(s.score == 32)
        #expect(s.interpretation == "Moderate disability")
        #expect(s.answered == 10)
    }

    @Test func odiOneMissingUsesFortyFive() throws {
        // Sex life unanswered: 16 / 45 × 100 = 35.555… (stored unrounded).
        let s = try score("odi", [3, 2, 1, 2, 1, 2, 1, nil, 2, 2])
        #expect(abs(s.score - 35.5555555) < 1e-6)
        #expect(s.answered == 9)
    }

    @Test func odiExtremesAndBands() throws {
        #expect(try score("odi", Array(repeating: 0, count: 10)).interpretation == "Minimal disability")        // 0
        #expect(try score("odi", Array(repeating: 5, count: 10)).score == 100)                                   // 50/50
        #expect(try score("odi", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]).score == 20)                                   // 10/50 → 20, minimal
        #expect(try score("odi", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]).interpretation == "Minimal disability")
        #expect(try score("odi", [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]).interpretation == "Severe disability")         // 30/50 → 60
        #expect(try score("odi", [4, 4, 4, 4, 4, 4, 4, 4, 4, 4]).interpretation == "Crippled")                  // 40/50 → 80
        #expect(try score("odi", [5, 5, 5, 5, 5, 5, 5, 5, 5, 4]).interpretation == "Bed-bound or exaggerating symptoms") // 49/50 → 98
    }

    @Test func odiRefusesTwoMissingAndBadValues() {
        #expect(refusal("odi", [3, 2, 1, 2, 1, 2, 1, nil, nil, 2]) == "too-many-missing")
        #expect(refusal("odi", [6, 2, 1, 2, 1, 2, 1, 0, 2, 2]) == "answer-out-of-range")
        #expect(refusal("odi", [3, 2, 1]) == "answer-count")
    }

    // MARK: NDI (percent = raw / (5 × answered) × 100)

    @Test func ndiComplete() throws {
        // 2+1+1+2+2+1+1+1+1+2 = 14; 14 × 2 = 28 % → mild (10–28 % = raw 5–14).
        let s = try score("ndi", [2, 1, 1, 2, 2, 1, 1, 1, 1, 2])
        #expect(s.score == 28)
        #expect(s.interpretation == "Mild disability")
    }

    @Test func ndiDrivingSkipped() throws {
        // Driving (item 8) not applicable: 13 / 45 × 100 = 28.888…
        let s = try score("ndi", [2, 1, 1, 2, 2, 1, 1, nil, 1, 2])
        #expect(abs(s.score - 28.8888888) < 1e-6)
        #expect(s.interpretation == "Mild disability")
        #expect(refusal("ndi", [nil, nil, 1, 2, 2, 1, 1, 1, 1, 2]) == "too-many-missing")
    }

    // MARK: LEFS (sum of 20 items 0–4)

    @Test func lefsSum() throws {
        // ten 3s and ten 4s = 30 + 40 = 70.
        let s = try score("lefs", Array(repeating: 3, count: 10) + Array(repeating: 4, count: 10))
        #expect(s.score == 70)
        #expect(s.scoreRange == [0, 80])
        #expect(refusal("lefs", Array(repeating: 3, count: 19) + [nil]) == "too-many-missing")
        #expect(refusal("lefs", Array(repeating: 5, count: 20)) == "answer-out-of-range")
    }

    // MARK: KOOS JR / HOOS JR (raw sum → HSS table)

    @Test(arguments: [
        ([0, 0, 0, 0, 0, 0, 0], 100.000),   // raw 0
        ([1, 1, 1, 1, 1, 1, 1], 68.284),    // raw 7
        ([2, 2, 2, 2, 2, 2, 2], 52.465),    // raw 14
        ([4, 4, 4, 4, 3, 0, 0], 39.625),    // raw 4+4+4+4+3 = 19
        ([3, 3, 3, 3, 3, 2, 0], 44.905),    // raw 17
    ])
    func koosJRTable(answers: [Int], expected: Double) throws {
        #expect(try score("koos-jr", answers).score == expected)
    }

    @Test func koosJRRequiresAllItems() throws {
        #expect(try score("koos-jr", [4, 4, 4, 4, 4, 4, 4]).score == 0)      // raw 28 → 0
        #expect(try score("koos-jr", [1, 0, 0, 0, 0, 0, 0]).score == 91.975) // raw 1
        #expect(refusal("koos-jr", [1, 1, 1, 1, 1, 1, nil]) == "too-many-missing")
    }

    @Test func hoosJRTable() throws {
        #expect(try score("hoos-jr", [0, 0, 0, 0, 0, 0]).score == 100)       // raw 0
        #expect(try score("hoos-jr", [2, 2, 2, 2, 2, 1]).score == 55.985)    // raw 11
        #expect(try score("hoos-jr", [4, 4, 4, 4, 4, 4]).score == 0)         // raw 24
        #expect(try score("hoos-jr", [4, 4, 4, 4, 4, 3]).score == 8.104)     // raw 23
        #expect(refusal("hoos-jr", [nil, 1, 1, 1, 1, 1]) == "too-many-missing")
    }

    // MARK: QuickDASH (((sum / n) − 1) × 25, n ≥ 10)

    @Test func quickDASHComplete() throws {
        // 11 items: 2,3,2,1,1,3,2,2,3,1,2 = 22; 22/11 = 2; (2 − 1) × 25 = 25.
        let s = try score("quickdash", [2, 3, 2, 1, 1, 3, 2, 2, 3, 1, 2])
        #expect(s.score == 25)
        #expect(s.answered == 11)
    }

    @Test func quickDASHOneMissing() throws {
        // Last item missing: 20 / 10 = 2.0 → 25; with 21 over 10: 2.1 → 27.5.
        #expect(try score("quickdash", [2, 3, 2, 1, 1, 3, 2, 2, 3, 1, nil]).score == 25)
        #expect(try score("quickdash", [2, 3, 2, 1, 1, 3, 2, 2, 3, 2, nil]).score == 27.5)
        #expect(refusal("quickdash", [2, 3, 2, 1, 1, 3, 2, 2, 3, nil, nil]) == "too-many-missing")
        #expect(refusal("quickdash", [0, 3, 2, 1, 1, 3, 2, 2, 3, 1, 2]) == "answer-out-of-range")
        #expect(try score("quickdash", Array(repeating: 1, count: 11)).score == 0)
        #expect(try score("quickdash", Array(repeating: 5, count: 11)).score == 100)
    }

    // MARK: PSFS (mean of activity ratings)

    @Test func psfsMeans() throws {
        #expect(try score("psfs", [3, 5, 4]).score == 4)                 // 12 / 3
        #expect(try score("psfs", [7]).score == 7)
        #expect(abs(try score("psfs", [2, 3, 3, nil]).score - 8.0 / 3) < 1e-12)  // blank slot ignored
        #expect(refusal("psfs", [11]) == "answer-out-of-range")
        #expect(refusal("psfs", []) == "answer-count")
        #expect(refusal("psfs", [1, 2, 3, 4, 5, 6]) == "answer-count")
        #expect(refusal("psfs", [nil]) == "too-many-missing")
        // Values no form offers are refused with a message, whatever their size (a fuzzer once
        // crashed the server with -1.2e34).
        for wild in [-1.155571405946594e+34, 1.7976931348623157e308, -1.5, .infinity, .nan] {
            let psfs = try #require(MeasureLibrary.measure(code: "psfs"))
            #expect(throws: DomainError.self, "\(wild)") { try MeasureScoring.score(psfs, values: [wild]) }
        }
        #expect(MeasureScoring.format(-1.155571405946594e+34) == "-1.155571405946594e+34")
        #expect(MeasureScoring.format(12) == "12")
    }

    // MARK: NPRS, PHQ-2

    @Test(arguments: [(0, "No pain"), (3, "Mild pain"), (4, "Moderate pain"), (6, "Moderate pain"), (7, "Severe pain"), (10, "Severe pain")])
    func nprsBands(value: Int, label: String) throws {
        let s = try score("nprs", [value])
        #expect(s.score == Double(value))
        #expect(s.interpretation == label)
    }

    @Test func nprsAndPHQ2Refusals() throws {
        #expect(refusal("nprs", [nil]) == "too-many-missing")
        #expect(refusal("nprs", [11]) == "answer-out-of-range")
        #expect(try score("phq2", [1, 1]).interpretation == "Negative screen")                         // 2 < 3
        #expect(try score("phq2", [1, 2]).interpretation == "Positive screen: follow up for depression") // 3
        #expect(refusal("phq2", [1, nil]) == "too-many-missing")
        #expect(refusal("phq2", [4, 0]) == "answer-out-of-range")
    }

    // MARK: Performance tests

    @Test func performanceTests() throws {
        let tug = try #require(MeasureLibrary.measure(code: "tug"))
        #expect(try MeasureScoring.score(tug, values: [11.9]).interpretation == "Below the fall-risk threshold")
        #expect(try MeasureScoring.score(tug, values: [12]).interpretation.hasPrefix("At risk"))
        #expect(throws: DomainError.self) { try MeasureScoring.score(tug, values: [-1]) }
        #expect(throws: DomainError.self) { try MeasureScoring.score(tug, values: [.nan]) }
        // Berg: 14 items of 3 = 42 → independent (41–56); 14 × 1 = 14 → wheelchair bound.
        #expect(try score("berg", Array(repeating: 3, count: 14)).score == 42)
        #expect(try score("berg", Array(repeating: 3, count: 14)).interpretation == "Independent")
        #expect(try score("berg", Array(repeating: 1, count: 14)).interpretation == "Wheelchair bound")
        #expect(try score("berg", Array(repeating: 2, count: 14)).interpretation == "Walking with assistance") // 28
    }

    @Test(arguments: [
        (13, 62, ChairStand.Sex.male, true), (14, 62, .male, false), (11, 62, .female, true), (12, 62, .female, false),
        (9, 82, .female, false), (8, 82, .female, true), (3, 92, .female, true), (4, 92, .female, false),
    ])
    func chairStandNorms(stands: Int, age: Int, sex: ChairStand.Sex, below: Bool) {
        #expect(ChairStand.isBelowAverage(stands: stands, age: age, sex: sex) == below)
    }

    @Test func chairStandOutsideNormedAges() {
        #expect(ChairStand.isBelowAverage(stands: 5, age: 59, sex: .male) == nil)
        #expect(ChairStand.isBelowAverage(stands: 5, age: 95, sex: .male) == nil)
    }

    // MARK: Change since the first administration

    @Test func meaningfulChangeRespectsDirection() throws {
        let odi = try #require(MeasureLibrary.measure(code: "odi"))
        #expect(MeasureScoring.change(odi, first: 40, latest: 30).meaningful)        // 10 points better
        #expect(!MeasureScoring.change(odi, first: 40, latest: 31).meaningful)       // 9 points, 22.5 %
        #expect(MeasureScoring.change(odi, first: 20, latest: 14).meaningful)        // 6 points but 30 %
        #expect(!MeasureScoring.change(odi, first: 30, latest: 40).meaningful)       // worse
        #expect(MeasureScoring.change(odi, first: 30, latest: 40).improvement == -10)
        let lefs = try #require(MeasureLibrary.measure(code: "lefs"))
        #expect(MeasureScoring.change(lefs, first: 40, latest: 49).meaningful)       // +9 = MCID
        #expect(!MeasureScoring.change(lefs, first: 40, latest: 48).meaningful)
        let koos = try #require(MeasureLibrary.measure(code: "koos-jr"))
        #expect(!MeasureScoring.change(koos, first: 40, latest: 90).meaningful, "no MCID is applied where none is settled")
    }

    @Test func libraryIsConsistent() {
        #expect(Set(MeasureLibrary.all.map(\.code)).count == MeasureLibrary.all.count)
        for code in ["odi", "ndi", "lefs", "koos-jr", "hoos-jr", "quickdash", "psfs", "nprs", "phq2"] {
            #expect(MeasureLibrary.measure(code: code) != nil, "\(code)")
        }
        #expect(MeasureLibrary.odi.items.count == 10 && MeasureLibrary.ndi.items.count == 10)
        #expect(MeasureLibrary.lefs.items.count == 20 && MeasureLibrary.quickDASH.items.count == 11)
        #expect(MeasureLibrary.koosJR.items.count == 7 && MeasureLibrary.hoosJR.items.count == 6)
        if case .lookup(let t) = MeasureLibrary.koosJR.rule { #expect(t.count == 29) } else { Issue.record("KOOS JR uses its table") }
        if case .lookup(let t) = MeasureLibrary.hoosJR.rule { #expect(t.count == 25) } else { Issue.record("HOOS JR uses its table") }
    }
}

@Suite struct WholeAnswerTests {
    @Test func questionnaireAnswersMustBeWhole() throws {
        let error = #expect(throws: DomainError.self) { try MeasureScoring.score(MeasureLibrary.nprs, values: [2.5]) }
        #expect(error?.code == "answer-not-whole")
        #expect(try MeasureScoring.score(MeasureLibrary.tug, values: [12.5]).score == 12.5, "performance values may be fractional")
    }
}

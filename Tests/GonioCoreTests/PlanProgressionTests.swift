import Testing
@testable import GonioCore

/// From a plan and its logs to the engine's input; the check-in; the alert rules.
@Suite struct PlanProgressionTests {
    static func day(_ d: Int) -> CalendarDay { try! CalendarDay(year: 2026, month: 11, day: d) }
    static func plan(_ dose: Dose, exercise: String = "sit-to-stand") -> PlanContent {
        PlanContent(title: "Knee", startDate: day(1), items: [PlanItem(id: "a", exerciseID: exercise, dose: dose),
                                                             PlanItem(id: "b", exerciseID: "heel-raise", dose: Dose(sets: 2, reps: 15))])
    }

    @Test func theLastChangeIsWhereTheItemsDoseLastChanged() {
        let ten = Dose(sets: 3, reps: 10), twelve = Dose(sets: 3, reps: 12)
        // Version 2 changed the other exercise only: the run for "a" starts at version 1.
        var v2 = Self.plan(ten)
        v2.items[1].dose.reps = 20
        let versions = [(day: Self.day(1), content: Self.plan(ten)), (day: Self.day(8), content: v2), (day: Self.day(15), content: Self.plan(twelve))]
        #expect(PlanProgression.lastChange(itemID: "a", versions: Array(versions.prefix(2))) == Self.day(1))
        #expect(PlanProgression.lastChange(itemID: "a", versions: versions) == Self.day(15))
        #expect(PlanProgression.lastChange(itemID: "b", versions: Array(versions.prefix(2))) == Self.day(8))
        #expect(PlanProgression.lastChange(itemID: "zz", versions: versions) == nil)
        // A swapped exercise under the same item is a change too.
        #expect(PlanProgression.lastChange(itemID: "a", versions: [versions[0], (day: Self.day(9), content: Self.plan(ten, exercise: "mini-squat"))]) == Self.day(9))
    }

    @Test func theInputTakesLogsSinceTheChangeWithTheMorningAfter() throws {
        func log(_ d: Int, item: String = "a", reps: Int = 30, skipped: Bool = false) -> PlanProgression.Logged {
            .init(itemID: item, day: Self.day(d), skipped: skipped, setsDone: skipped ? 0 : 3, repsDone: skipped ? 0 : reps, painDuring: 2, painAfter: 1,
                  effort: 4, formScore: nil)
        }
        let input = PlanProgression.input(dose: Dose(sets: 3, reps: 10, daysPerWeek: 3), itemID: "a", since: Self.day(5),
                                          logs: [log(3), log(6, reps: 28), log(7, item: "b"), log(8, skipped: true), log(9)],
                                          mornings: [Self.day(7): 1, Self.day(10): 3], baseline: 1)
        #expect(input.logs.map(\.date) == [Self.day(6), Self.day(9)])
        #expect(input.logs[0].repsDone == [10, 9, 9] && input.logs[0].painNextMorning == 1)
        #expect(input.logs[1].painNextMorning == 3)
        #expect(input.prescription == Prescription(sets: 3, reps: 10, sessionsPerWeek: 3))
        #expect(input.baselineMorningPain == 1)
        #expect(Progression.suggest(input).rule == "morning-pain-above-baseline")
    }

    @Test func loadsInKilogramsAreLoads() {
        #expect(PlanProgression.kilograms("2 kg") == 2 && PlanProgression.kilograms("1,5kg") == 1.5 && PlanProgression.kilograms(" 10 KG ") == 10)
        #expect(PlanProgression.kilograms("red band") == nil && PlanProgression.kilograms("kg") == nil && PlanProgression.kilograms("-2 kg") == nil)
        #expect(PlanProgression.prescription(Dose(sets: 3, reps: 10, load: "2 kg")).loadKg == 2)
        #expect(PlanProgression.prescription(Dose(sets: 2, reps: 0, holdSeconds: 30, perDay: 2, daysPerWeek: 7)) == Prescription(sets: 2, holdSeconds: 30, sessionsPerWeek: 14))
        var dose = Dose(sets: 3, reps: 10, load: "2 kg")
        dose = PlanProgression.apply(Prescription(loadKg: 2.5), to: dose)
        #expect(dose.load == "2.5 kg" && dose.reps == 10)
        #expect(PlanProgression.apply(Prescription(sets: 4, reps: 12), to: dose).summary == "4 sets of 12, 2.5 kg")
    }

    @Test func aCheckInIsCheckedAndItsRedFlagsScored() throws {
        #expect(throws: DomainError.self) { _ = try CheckIn(morningPain: 11).validated() }
        #expect(throws: DomainError.self) { _ = try CheckIn(morningPain: 2, answers: ["age": true]).validated() }
        #expect(try CheckIn(morningPain: 2).validated().triage.outcome == .clear)
        #expect(try CheckIn(morningPain: 2, answers: ["saddle-numbness": true, "bladder-change": true]).validated().triage.outcome == .emergency)
        #expect(try CheckIn(morningPain: 2, answers: ["calf-swelling": true]).validated().triage.outcome >= .urgentInPerson)
        #expect(CheckIn.questions.count == CheckIn.questionIDs.count, "every question id is one of the screen's")
    }

    @Test func alertRules() throws {
        let today = Self.day(20)
        let rising = [(Self.day(8), 2), (Self.day(10), 2), (Self.day(15), 4), (Self.day(18), 5)].map { (day: $0.0, pain: $0.1) }
        #expect(ProgressAlerts.painRising(rising, today: today) == .init(before: 2, now: 4.5))
        #expect(ProgressAlerts.painRising(Array(rising.prefix(3)), today: today) == nil, "one session this week is not a trend")
        #expect(ProgressAlerts.painRising([(Self.day(8), 2), (Self.day(10), 2), (Self.day(15), 3), (Self.day(18), 3)].map { (day: $0.0, pain: $0.1) }, today: today) == nil)
        #expect(ProgressAlerts.noPractice(lastPractised: Self.day(15), planStart: Self.day(1), today: today) == 5)
        #expect(ProgressAlerts.noPractice(lastPractised: Self.day(18), planStart: Self.day(1), today: today) == nil)
        #expect(ProgressAlerts.noPractice(lastPractised: nil, planStart: Self.day(17), today: today) == 4)
        #expect(ProgressAlerts.noPractice(lastPractised: nil, planStart: nil, today: today) == nil)
        let odi = try #require(MeasureLibrary.measure(code: "odi"))  // lower is better, MCID 10 points or 30%
        #expect(ProgressAlerts.worsening(odi, previous: 30, latest: 40))
        #expect(!ProgressAlerts.worsening(odi, previous: 30, latest: 36))
        #expect(!ProgressAlerts.worsening(odi, previous: 40, latest: 20))
        let lefs = try #require(MeasureLibrary.measure(code: "lefs"))  // higher is better, MCID 9
        #expect(ProgressAlerts.worsening(lefs, previous: 50, latest: 40) && !ProgressAlerts.worsening(lefs, previous: 50, latest: 45))
    }
}

@Suite struct DischargeSummaryTests {
    @Test func measuresAreJudgedAgainstTheirMeaningfulChange() throws {
        let odi = try #require(MeasureLibrary.measure(code: "odi"))  // lower is better, 10 points or 30%
        #expect(DischargeSummary.verdict(odi, first: 40, last: 20) == .meaningfulImprovement)
        #expect(DischargeSummary.verdict(odi, first: 40, last: 36) == .someImprovement)
        #expect(DischargeSummary.verdict(odi, first: 40, last: 40) == .noChange)
        #expect(DischargeSummary.verdict(odi, first: 40, last: 44) == .worse)
        #expect(DischargeSummary.verdict(odi, first: 30, last: 42) == .meaningfullyWorse)
        let lefs = try #require(MeasureLibrary.measure(code: "lefs"))  // higher is better, 9 points
        #expect(DischargeSummary.verdict(lefs, first: 40, last: 50) == .meaningfulImprovement)
    }

    @Test func goalsAndAdherenceInWords() throws {
        let day = try CalendarDay(year: 2026, month: 12, day: 1)
        let goals = [Goal(id: "a", text: "Walk", term: .short, targetDate: day, status: .met),
                     Goal(id: "b", text: "Stairs", term: .long, targetDate: day, status: .partiallyMet),
                     Goal(id: "c", text: "Run", term: .long, targetDate: day, status: .notMet)]
        #expect(DischargeSummary.goalsLine(goals) == "1 of 3 goals met (1 partly).")
        #expect(DischargeSummary.goalsLine([]) == "No goals were recorded.")
        #expect(DischargeSummary.adherenceLine(done: 41, due: 48) == "Sessions done: 41 of 48 (85%).")
    }
}

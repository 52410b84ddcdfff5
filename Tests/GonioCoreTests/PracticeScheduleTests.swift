import Foundation
import Testing
@testable import GonioCore

@Suite struct CalendarArithmeticTests {
    @Test func dayNumbersRoundTripAndKnowTheirWeekday() throws {
        #expect(try CalendarDay("1970-01-01").dayNumber == 0)
        #expect(try CalendarDay("2000-03-01").dayNumber == 11017)
        for n in stride(from: -25_000, through: 80_000, by: 37) {
            #expect(CalendarDay(dayNumber: n).dayNumber == n)
        }
        #expect(try CalendarDay("2026-11-30").weekday == 1, "a Monday")
        #expect(try CalendarDay("2026-12-06").weekday == 7, "a Sunday")
        #expect(try CalendarDay("2024-02-29").adding(days: 1).description == "2024-03-01")
        #expect(try CalendarDay("2026-12-31").adding(days: 1).description == "2027-01-01")
        #expect(try CalendarDay("2026-12-03").weekStart.description == "2026-11-30")
        #expect(try CalendarDay("2026-11-30").days(to: CalendarDay("2026-12-07")) == 7)
        #expect(try CalendarDay("2026-11-30").longName == "Monday 30 November")
    }

    static func instant(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    @Test(arguments: [
        // The same instant is a different day on either side of the date line.
        ("2026-11-30T09:30:00Z", "Pacific/Auckland", "2026-11-30"),
        ("2026-11-30T11:30:00Z", "Pacific/Auckland", "2026-12-01"),
        ("2026-11-30T09:30:00Z", "Pacific/Honolulu", "2026-11-29"),
        // New York springs forward at 02:00 on 2026-03-08 (07:00Z) and falls back at 02:00 on 2026-11-01 (06:00Z).
        ("2026-03-08T04:59:00Z", "America/New_York", "2026-03-07"),
        ("2026-03-08T05:00:00Z", "America/New_York", "2026-03-08"),
        ("2026-03-09T03:59:00Z", "America/New_York", "2026-03-08"),
        ("2026-03-09T04:00:00Z", "America/New_York", "2026-03-09"),
        ("2026-11-01T03:59:00Z", "America/New_York", "2026-10-31"),
        ("2026-11-02T04:59:00Z", "America/New_York", "2026-11-01"),
        ("2026-11-02T05:00:00Z", "America/New_York", "2026-11-02"),
        // London's clocks go back on 2026-10-25: 23:30Z is still the 25th there.
        ("2026-10-25T23:30:00Z", "Europe/London", "2026-10-25"),
        ("2026-07-01T23:30:00Z", "Europe/London", "2026-07-02"),
    ])
    func theLocalDayOfAnInstantFollowsTheZoneAndItsDaylightSaving(at: String, zone: String, day: String) throws {
        let tz = try PatientTimeZone(zone)
        #expect(CalendarDay(at: Self.instant(at), in: tz.timeZone).description == day)
    }

    @Test func aLocalDayStartsAtLocalMidnightAndLastsAsLongAsTheClocksSay() throws {
        let ny = try PatientTimeZone("America/New_York").timeZone
        let spring = try CalendarDay("2026-03-08"), autumn = try CalendarDay("2026-11-01")
        #expect(spring.start(in: ny) == Self.instant("2026-03-08T05:00:00Z"))
        #expect(spring.adding(days: 1).start(in: ny).timeIntervalSince(spring.start(in: ny)) == 23 * 3600)
        #expect(autumn.adding(days: 1).start(in: ny).timeIntervalSince(autumn.start(in: ny)) == 25 * 3600)
        // São Paulo once skipped midnight itself (2018-11-04 began at 01:00).
        let saoPaulo = try PatientTimeZone("America/Sao_Paulo").timeZone
        #expect(try CalendarDay("2018-11-04").start(in: saoPaulo) == Self.instant("2018-11-04T03:00:00Z"))
    }

    @Test func timeZonesAreCheckedAndAJurisdictionSuggestsOne() throws {
        #expect(throws: DomainError.self) { try PatientTimeZone("Mars/Olympus") }
        #expect(throws: DomainError.self) { try PatientTimeZone("") }
        #expect(PatientTimeZone.usual(for: "US-CA").identifier == "America/Los_Angeles")
        #expect(PatientTimeZone.usual(for: "US-NY").identifier == "America/New_York")
        #expect(PatientTimeZone.usual(for: "US-AZ").identifier == "America/Phoenix")
        #expect(PatientTimeZone.usual(for: nil) == .utc)
        for code in Jurisdiction.usStates.keys {
            #expect(PatientTimeZone.usual(for: "US-\(code)") != .utc, "\(code) has no usual zone")
        }
    }
}

@Suite struct PracticeScheduleTests {
    static func item(_ id: String, days: Int = 7, perDay: Int = 1, weekdays: [Int]? = nil, block: PlanItem.Block = .main) -> PlanItem {
        PlanItem(id: id, exerciseID: "knee-\(id)", block: block, dose: Dose(sets: 2, reps: 10, perDay: perDay, daysPerWeek: days), weekdays: weekdays)
    }

    static func plan(_ items: [PlanItem], start: String = "2026-11-02", end: String? = nil) throws -> PlanContent {
        PlanContent(title: "Knee", startDate: try CalendarDay(start), endDate: try end.map(CalendarDay.init), items: items)
    }

    static func day(_ text: String) -> CalendarDay { try! CalendarDay(text) }

    @Test func usualWeekdaysSpreadRestDays() {
        #expect(PracticeSchedule.usualWeekdays(3) == [1, 3, 5])
        #expect(PracticeSchedule.usualWeekdays(2) == [1, 4])
        for n in 1...7 { #expect(PracticeSchedule.usualWeekdays(n).count == n) }
    }

    @Test func dueFollowsDaysOfTheWeekAndThePlansDates() throws {
        let plan = try Self.plan([Self.item("daily"), Self.item("mwf", days: 3), Self.item("tue-thu", days: 2, weekdays: [2, 4])],
                                 end: "2026-11-29")
        #expect(PracticeSchedule.due(plan, on: Self.day("2026-11-02")).map(\.id) == ["daily", "mwf"], "a Monday")
        #expect(PracticeSchedule.due(plan, on: Self.day("2026-11-03")).map(\.id) == ["daily", "tue-thu"])
        #expect(PracticeSchedule.due(plan, on: Self.day("2026-11-08")).map(\.id) == ["daily"], "a Sunday")
        #expect(PracticeSchedule.due(plan, on: Self.day("2026-11-01")).isEmpty, "before the start")
        #expect(PracticeSchedule.due(plan, on: Self.day("2026-11-29")).map(\.id) == ["daily"], "the last day counts")
        #expect(PracticeSchedule.due(plan, on: Self.day("2026-11-30")).isEmpty, "after the end")
    }

    @Test func todayCountsRoundsAndSessions() throws {
        let plan = try Self.plan([Self.item("a", perDay: 2), Self.item("b")])
        let monday = Self.day("2026-11-30")
        func logged(_ id: String, _ outcome: PracticeSchedule.Outcome = .completed, on day: CalendarDay = monday) -> PracticeSchedule.Logged {
            .init(itemID: id, day: day, outcome: outcome)
        }
        var today = PracticeSchedule.today(plan, on: monday, logs: [logged("a", on: monday.adding(days: -1))])
        #expect(today.sessions == 2 && today.sessionsDone == 0 && today.status == .notStarted && today.nextSession == 1)
        #expect(today.items.map(\.status) == [.notStarted, .notStarted])
        #expect(today.session(2).map(\.item.id) == ["a"])

        today = PracticeSchedule.today(plan, on: monday, logs: [logged("a")])
        #expect(today.items.map(\.status) == [.partlyDone, .notStarted] && today.sessionsDone == 0 && today.status == .partlyDone)

        today = PracticeSchedule.today(plan, on: monday, logs: [logged("a"), logged("b", .skipped)])
        #expect(today.sessionsDone == 1 && today.nextSession == 2, "a session with one exercise practised and one skipped is done")

        today = PracticeSchedule.today(plan, on: monday, logs: [logged("a", .skipped), logged("b", .skipped)])
        #expect(today.sessionsDone == 0, "a session of skips is not practice")

        today = PracticeSchedule.today(plan, on: monday, logs: [logged("a"), logged("b"), logged("a", .stopped), logged("a"), logged("b")])
        #expect(today.sessionsDone == 2 && today.status == .done && today.nextSession == nil)
        #expect(today.items.map(\.logged) == [2, 1], "extra logs do not count past the dose")
    }

    @Test func adherenceIsSessionsDoneOverDuePerWeekWithAStreak() throws {
        // Daily, one session a day, from Monday 16 November; today is Wednesday 2 December.
        let plan = try Self.plan([Self.item("a"), Self.item("b", days: 3)], start: "2026-11-16")
        let today = Self.day("2026-12-02")
        var logs: [PracticeSchedule.Logged] = []
        var day = Self.day("2026-11-16")
        while day < today {
            let missed = ["2026-11-18", "2026-11-19", "2026-11-27"].contains(day.description)
            if !missed {
                logs.append(.init(itemID: "a", day: day, outcome: .completed))
                if [1, 3, 5].contains(day.weekday) { logs.append(.init(itemID: "b", day: day, outcome: .partial)) }
            }
            day = day.adding(days: 1)
        }
        let a = PracticeSchedule.adherence(weeks: 4, today: today, since: plan.startDate, plan: { _ in plan }, logs: logs)
        #expect(a.weeks.map(\.start.description) == ["2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30"])
        #expect(a.weeks.map(\.sessions) == [0, 7, 7, 3])
        #expect(a.weeks.map(\.sessionsDone) == [0, 5, 6, 2])
        #expect(a.weeks[0].rate == nil)
        #expect(a.streak == 4, "28 Nov to 1 Dec; today is not done yet and does not break it")
        #expect(a.lastPractised == Self.day("2026-12-01"))

        logs.append(.init(itemID: "a", day: today, outcome: .completed))
        logs.append(.init(itemID: "b", day: today, outcome: .completed))
        let done = PracticeSchedule.adherence(weeks: 1, today: today, since: plan.startDate, plan: { _ in plan }, logs: logs)
        #expect(done.streak == 5 && done.weeks.count == 1 && done.weeks[0].sessionsDone == 3)

        // Days with nothing due neither count nor break the streak.
        let weekdaysOnly = try Self.plan([Self.item("a", days: 5)], start: "2026-11-16")
        let friday = [PracticeSchedule.Logged(itemID: "a", day: Self.day("2026-11-27"), outcome: .completed),
                      .init(itemID: "a", day: Self.day("2026-11-30"), outcome: .completed)]
        let overWeekend = PracticeSchedule.adherence(weeks: 1, today: Self.day("2026-11-30"), since: weekdaysOnly.startDate,
                                                     plan: { _ in weekdaysOnly }, logs: friday)
        #expect(overWeekend.streak == 2)
        let sunday = PracticeSchedule.today(weekdaysOnly, on: Self.day("2026-11-29"), logs: [])
        #expect(sunday.items.isEmpty && sunday.status == .nothingDue && sunday.nextSession == nil)
    }

    @Test func thePlanInForceEachDayIsTheOneCounted() throws {
        let before = try Self.plan([Self.item("a")], start: "2026-11-23")
        let after = try Self.plan([Self.item("a"), Self.item("b")], start: "2026-11-23")
        let logs = (0..<7).map { PracticeSchedule.Logged(itemID: "a", day: Self.day("2026-11-23").adding(days: $0), outcome: .completed) }
        let a = PracticeSchedule.adherence(weeks: 1, today: Self.day("2026-11-29"), since: before.startDate,
                                           plan: { $0 < Self.day("2026-11-27") ? before : after }, logs: logs)
        #expect(a.weeks[0].sessions == 7 && a.weeks[0].sessionsDone == 4, "a alone completed the days before b was added, not after")
    }
}

@Suite struct PlanTests {
    static let library = try! ExerciseLibrary([ExerciseLibraryTests.exercise("knee-long-arc"), ExerciseLibraryTests.exercise("knee-sit-to-stand")])

    static func content(_ items: [PlanItem]) -> PlanContent {
        PlanContent(title: "  Knee plan ", startDate: try! CalendarDay("2026-11-30"), notes: "  ", items: items)
    }

    @Test func aValidPlanIsTidiedAndOrderedBySessionBlock() throws {
        let plan = try Self.content([
            PlanItem(id: "1", exerciseID: "knee-long-arc", block: .coolDown, dose: Dose(sets: 1, reps: 10)),
            PlanItem(id: "2", exerciseID: "knee-sit-to-stand", dose: Dose(sets: 3, reps: 8, daysPerWeek: 3), weekdays: [5, 1, 3]),
            PlanItem(id: "3", exerciseID: "knee-long-arc", block: .warmUp, dose: Dose(sets: 1, reps: 5)),
        ]).validated(exercise: Self.library.exercise(id:))
        #expect(plan.title == "Knee plan" && plan.notes == nil)
        #expect(plan.items.map(\.id) == ["3", "2", "1"])
        #expect(plan.items[1].weekdays == [1, 3, 5])
    }

    @Test(arguments: [
        ("exercise-unknown", PlanItem(id: "1", exerciseID: "knee-nope", dose: Dose(sets: 1, reps: 1))),
        ("dose-invalid", PlanItem(id: "1", exerciseID: "knee-long-arc", dose: Dose(sets: 0, reps: 10))),
        ("dose-invalid", PlanItem(id: "1", exerciseID: "knee-long-arc", dose: Dose(sets: 1, reps: 0))),
        ("dose-invalid", PlanItem(id: "1", exerciseID: "knee-long-arc", dose: Dose(sets: 1, reps: 10, load: String(repeating: "k", count: 41)))),
        ("weekdays-invalid", PlanItem(id: "1", exerciseID: "knee-long-arc", dose: Dose(sets: 1, reps: 10, daysPerWeek: 2), weekdays: [1])),
        ("weekdays-invalid", PlanItem(id: "1", exerciseID: "knee-long-arc", dose: Dose(sets: 1, reps: 10, daysPerWeek: 2), weekdays: [1, 1])),
        ("weekdays-invalid", PlanItem(id: "1", exerciseID: "knee-long-arc", dose: Dose(sets: 1, reps: 10, daysPerWeek: 1), weekdays: [8])),
        ("plan-item-invalid", PlanItem(id: "", exerciseID: "knee-long-arc", dose: Dose(sets: 1, reps: 10))),
    ])
    func badItemsAreRefusedWithTheirReason(code: String, item: PlanItem) {
        expectCode(code) { try Self.content([item]).validated(exercise: Self.library.exercise(id:)) }
    }

    @Test func wholePlanRules() throws {
        let item = PlanItem(id: "1", exerciseID: "knee-long-arc", dose: Dose(sets: 1, reps: 10))
        expectCode("plan-empty") { try Self.content([]).validated(exercise: Self.library.exercise(id:)) }
        expectCode("plan-item-invalid") { try Self.content([item, item]).validated(exercise: Self.library.exercise(id:)) }
        var plan = Self.content([item])
        plan.endDate = try CalendarDay("2026-11-01")
        expectCode("plan-dates-invalid") { try plan.validated(exercise: Self.library.exercise(id:)) }
        plan = Self.content([item])
        plan.title = " "
        expectCode("plan-title-invalid") { try plan.validated(exercise: Self.library.exercise(id:)) }
        plan = Self.content(Array(repeating: item, count: 31).enumerated().map { var i = $1; i.id = "\($0)"; return i })
        expectCode("plan-too-long") { try plan.validated(exercise: Self.library.exercise(id:)) }
        expectCode("reason-required") { try PlanChange.reason("  ") }
        #expect(try PlanChange.reason(" Progressed after review ") == "Progressed after review")
    }

    @Test func aProtocolPhaseBecomesAPlanWithItsDoses() throws {
        let condition = ConditionProtocol(
            id: "knee-test", name: "Knee test", condition: "For tests.", summary: "Two phases.", regions: [.knee], sources: ["A guideline."],
            phases: [
                .init(name: "Early", startWeek: 1, endWeek: 2, goals: ["Move."], progressionCriteria: ["Less pain."],
                      warmUp: [.init(exercise: "knee-long-arc")], main: [.init(exercise: "knee-sit-to-stand", dose: DoseChange(sets: 3, side: .right), note: "Use the arms.")]),
                .init(name: "Later", startWeek: 3, endWeek: nil, goals: ["Stronger."], progressionCriteria: ["Done."],
                      main: [.init(exercise: "knee-sit-to-stand"), .init(exercise: "knee-long-arc")]),
            ])
        var n = 0
        let plan = try PlanContent.from(condition, phase: 0, start: CalendarDay("2026-11-30"), exercises: Self.library) { n += 1; return "i\(n)" }
        #expect(plan.items.map(\.exerciseID) == ["knee-long-arc", "knee-sit-to-stand"])
        #expect(plan.items.map(\.block) == [.warmUp, .main])
        #expect(plan.items[1].dose.sets == 3 && plan.items[1].dose.reps == 10 && plan.items[1].dose.side == .right)
        #expect(plan.items[1].notes == "Use the arms." && plan.phase == "Early" && plan.protocolID == "knee-test")
        #expect(plan.endDate?.description == "2026-12-13", "two weeks")
        let later = try PlanContent.from(condition, phase: 1, start: CalendarDay("2026-11-30"), exercises: Self.library) { "x\(n)" }
        #expect(later.endDate == nil)
        expectCode("phase-invalid") {
            try PlanContent.from(condition, phase: 2, start: CalendarDay("2026-11-30"), exercises: Self.library) { "" }
        }
        // The protocol rules: a second phase that starts no later than the first, and an unknown exercise.
        var broken = condition
        broken.phases[1].startWeek = 1
        broken.phases[1].main[0].exercise = "knee-missing"
        let messages = ProtocolLibrary.problems(in: [broken], exercises: Self.library).map(\.message).joined(separator: "\n")
        #expect(messages.contains("startWeek must rise") && messages.contains("unknown exercise knee-missing"))
    }

    @Test func doseChangesKeepWhatTheyLeaveOut() {
        let base = Dose(sets: 2, reps: 10, holdSeconds: 5, restSeconds: 30, perDay: 2, daysPerWeek: 7, side: .each)
        #expect(DoseChange().applied(to: base) == base)
        let changed = DoseChange(reps: 12, daysPerWeek: 3, side: .left, load: "1 kg").applied(to: base)
        #expect(changed.reps == 12 && changed.sets == 2 && changed.daysPerWeek == 3 && changed.load == "1 kg")
        #expect(changed.summary == "2 sets of 12, hold 5 s each, left side, 1 kg")
        #expect(changed.frequency == "Twice a day, 3 days a week")
        #expect(Dose(sets: 1, reps: 5).frequency == "Every day")
    }
}

@Suite struct PracticeReportTests {
    @Test func reportsAreCheckedAndPainAboveFiveBreachesTheRule() throws {
        let fine = try PracticeReport(outcome: .completed, setsDone: 2, repsDone: 20, painBefore: 3, painDuring: 5, painAfter: 4, effort: 4,
                                      feeling: .aboutRight, note: "  ").validated()
        #expect(!fine.breachesPainLimit() && fine.note == nil && fine.worstPain == 5)
        #expect(PracticeReport(outcome: .stopped, setsDone: 1, repsDone: 4, painDuring: 7).breachesPainLimit())
        #expect(PracticeReport(outcome: .completed, setsDone: 2, repsDone: 20, painAfter: 6).breachesPainLimit())
        #expect(!PracticeReport(outcome: .completed, setsDone: 2, repsDone: 20, painBefore: 8).breachesPainLimit(),
                "pain before starting is the baseline, not a reaction to the exercise")
        for bad in [PracticeReport(outcome: .completed, setsDone: 21, repsDone: 0), PracticeReport(outcome: .completed, setsDone: 1, repsDone: -1),
                    PracticeReport(outcome: .completed, setsDone: 1, repsDone: 1, painDuring: 11),
                    PracticeReport(outcome: .completed, setsDone: 1, repsDone: 1, effort: -1),
                    PracticeReport(outcome: .skipped, setsDone: 1, repsDone: 0),
                    PracticeReport(outcome: .completed, setsDone: 1, repsDone: 1, note: String(repeating: "x", count: 1001))] {
            #expect(throws: DomainError.self) { try bad.validated() }
        }
    }
}

/// Expects `body` to throw the domain error with this code.
func expectCode(_ code: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as DomainError {
        #expect(error.code == code, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

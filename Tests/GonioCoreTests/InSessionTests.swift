import Foundation
import Testing
@testable import GonioCore

/// The player's in-session rules and a clinic's own progression rules.
@Suite struct InSessionTests {
    @Test(arguments: [
        (nil as Double?, InSession.Action.carryOn), (0, .carryOn), (5, .carryOn), (5.5, .stop), (6, .stop), (10, .stop),
    ])
    func painAboveTheLimitStopsTheExercise(pain: Double?, expected: InSession.Action) {
        let advice = InSession.afterPain(pain)
        #expect(advice.action == expected)
        #expect((advice.rule == "pain-limit") == (expected == .stop))
    }

    @Test func aClinicsLowerPainLimitStopsSooner() {
        var rules = ProgressionRules.defaults
        rules.painDuringMax = 3
        #expect(InSession.afterPain(4, rules: rules).action == .stop)
        #expect(InSession.afterPain(4, rules: rules).reason?.contains("above 3 out of 10") == true)
        #expect(InSession.afterPain(3, rules: rules).action == .carryOn)
    }

    @Test(arguments: [
        // (form scores of counted repetitions, failed in a row, rule that fires or nil)
        ([Int](), 0, nil as String?),
        ([90, 90, 90, 90, 90], 0, nil),                      // fewer than six: no trend
        ([90, 90, 85, 80, 76, 74], 0, "form-declining"),    // last third 75 vs first 90
        ([90, 90, 85, 80, 78, 76], 0, nil),                  // 77 vs 90: 13 points
        ([90, 90, 90, 90, 90, 90], 2, nil),
        ([90, 90, 90], 3, "failed-repetitions"),
        ([90, 90, 85, 80, 76, 74], 3, "failed-repetitions"), // failing reps are said first
    ])
    func tiringSuggestsARest(scores: [Int], failed: Int, rule: String?) {
        let advice = InSession.afterRepetition(formScores: scores, failedInARow: failed)
        #expect(advice.rule == rule)
        #expect(advice.action == (rule == nil ? .carryOn : .rest))
    }

    @Test func theClinicsThresholdsApplyInSession() {
        var rules = ProgressionRules.defaults
        rules.formDropPoints = 10
        rules.failedRepsForRest = 2
        #expect(InSession.afterRepetition(formScores: [90, 90, 85, 80, 78, 76], failedInARow: 0, rules: rules).rule == "form-declining")
        #expect(InSession.afterRepetition(formScores: [], failedInARow: 2, rules: rules).rule == "failed-repetitions")
        // The log's flag uses the defaults, the same function.
        let summary = MotionSummary(spec: "mini-squat", source: .camera, repsCounted: 6, formScores: [90, 90, 85, 80, 76, 74])
        #expect(summary.formDeclined)
    }

    @Test func rulesLeftOutTakeTheirDefaults() throws {
        let partial = try JSONDecoder().decode(ProgressionRules.self, from: Data(#"{"painDuringMax": 4, "repsMax": 12}"#.utf8))
        var expected = ProgressionRules.defaults
        expected.painDuringMax = 4
        expected.repsMax = 12
        #expect(partial == expected)
        let empty = try JSONDecoder().decode(ProgressionRules.self, from: Data("{}".utf8))
        #expect(empty == .defaults)
        // Round trip: what is written reads back the same.
        #expect(try JSONDecoder().decode(ProgressionRules.self, from: JSONEncoder().encode(expected)) == expected)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ProgressionRules.self, from: Data(#"{"repsMax": "many"}"#.utf8)) }
    }

    @Test(arguments: [
        ("painDuringMax", 11.0), ("painAfterMax", -1), ("breachLookback", 0), ("sessionsToProgress", 11), ("effortToProgress", 10.5),
        ("adherenceMin", 1.2), ("formScoreMin", 101), ("repsStep", 0), ("repsMax", 2), ("setsMax", 11), ("holdStepSeconds", 0),
        ("holdMaxSeconds", 601), ("loadUpShare", 0.5), ("loadDownShare", 0), ("formDropPoints", 4), ("failedRepsForRest", 1),
        ("morningRiseAllowed", 6), ("weeklyRiseMin", -1),
    ])
    func aValueOffItsScaleIsRefusedByName(key: String, value: Double) throws {
        let json = "{\"\(key)\": \(value == value.rounded() ? String(Int(value)) : String(value))}"
        let rules = try JSONDecoder().decode(ProgressionRules.self, from: Data(json.utf8))
        #expect(throws: DomainError.self) { _ = try rules.validated() }
        do { _ = try rules.validated() } catch { #expect(error.message.hasPrefix(key)) }
    }

    @Test func effortLimitsMustLeaveRoomToProgress() throws {
        var rules = ProgressionRules.defaults
        rules.effortToProgress = 7
        rules.effortTooHard = 7
        #expect(throws: DomainError.self) { _ = try rules.validated() }
        rules.effortToProgress = 5
        #expect(try rules.validated() == rules)
        #expect(try ProgressionRules.defaults.validated() == .defaults)
    }

    @Test func everyRuleIsDescribedInWords() {
        let described = ProgressionRules.defaults.described
        #expect(described.count == ProgressionRules.CodingKeys.allCases.count - 1)  // all but the version
        #expect(Set(described.map(\.key)).count == described.count)
        #expect(described.first { $0.key == "painDuringMax" }?.value == 5)
        #expect(described.allSatisfy { !$0.label.isEmpty })
    }

    @Test func aClinicsStricterRulesChangeTheSuggestion() {
        // Two full sessions at effort 6 progress by the defaults; a clinic asking for three holds.
        let logs = [2, 4].map { day in
            SessionRecord(date: try! CalendarDay("2026-11-0\(day)"), setsDone: 3, repsDone: [10, 10, 10], painDuring: 2, painAfter: 2,
                          painNextMorning: 1, effort: 5)
        }
        let input = ProgressionInput(prescription: Prescription(sets: 3, reps: 10, sessionsPerWeek: 3), baselineMorningPain: 1, logs: logs)
        #expect(Progression.suggest(input).decision == .progress)
        var strict = ProgressionRules.defaults
        strict.sessionsToProgress = 3
        strict.version = 4
        let held = Progression.suggest(input, rules: strict)
        #expect(held.decision == .hold && held.rulesVersion == 4)
    }
}

/// Range of motion measured by hand.
@Suite struct GoniometryTests {
    static let today = try! CalendarDay("2026-11-30")

    @Test(arguments: [
        (0.0, 120.0, "2026-11-30", nil as String?),
        (5, 105, "2026-01-01", nil),
        (-10, 5, "2026-11-29", nil),             // a hyperextending knee starts below 0
        (0, 201, "2026-11-30", "rom-invalid"),
        (-31, 10, "2026-11-30", "rom-invalid"),
        (90, 90, "2026-11-30", "rom-invalid"),   // no range
        (100, 20, "2026-11-30", "rom-invalid"),
        (0, 100, "2026-12-01", "rom-in-future"),
        (0, 100, "2025-11-28", "rom-too-old"),
    ])
    func measurementsAreChecked(start: Double, end: Double, day: String, code: String?) throws {
        let m = GoniometerMeasurement(motion: .kneeFlexion, side: .right, start: start, end: end, measuredOn: try CalendarDay(day))
        if let code {
            #expect(throws: DomainError.self) { _ = try m.validated(today: Self.today) }
            do { _ = try m.validated(today: Self.today) } catch { #expect(error.code == code) }
        } else {
            #expect(try m.validated(today: Self.today) == m)
        }
        let nan = GoniometerMeasurement(motion: .kneeFlexion, side: .left, start: .nan, end: 10, measuredOn: Self.today)
        #expect(throws: DomainError.self) { _ = try nan.validated(today: Self.today) }
    }

    @Test func aMeasurementReadsInWordsWithItsNormalRange() throws {
        let m = GoniometerMeasurement(motion: .kneeFlexion, side: .right, start: 5, end: 112, active: false, measuredOn: Self.today, note: "  ")
        #expect(m.summary == "Knee flexion, right: 5°–112° passive (normal 0°–135°)")
        #expect(try m.validated(today: Self.today).note == nil)
        #expect(m.seriesKey == "goniometer:knee-flexion:right" && m.seriesName == "Knee flexion, right (by goniometer)")
        // AAOS normal ends, as tabled by Norkin & White.
        #expect(JointMotion.shoulderFlexion.normalEnd == 180 && JointMotion.hipAbduction.normalEnd == 45 && JointMotion.ankleDorsiflexion.normalEnd == 20)
        #expect(JointMotion.allCases.allSatisfy { $0.normalEnd > 0 && !$0.name.isEmpty })
        let long = GoniometerMeasurement(motion: .elbowFlexion, side: .left, end: 140, measuredOn: Self.today, note: String(repeating: "a", count: 501))
        #expect(throws: DomainError.self) { _ = try long.validated(today: Self.today) }
    }
}

@Suite struct MaintenancePlanCoreTests {
    @Test func theProgramKeepsTheDosesOnUpToThreeDaysAWeek() throws {
        let start = try CalendarDay("2026-11-02")
        func dose(perDay: Int, days: Int) -> Dose {
            var d = Dose(sets: 3, reps: 12, holdSeconds: 0, restSeconds: 60, perDay: perDay, daysPerWeek: days, side: .each)
            d.tempo = nil
            return d
        }
        let plan = PlanContent(title: "Knee OA, phase 2", startDate: start, endDate: try CalendarDay("2026-12-01"), protocolID: "knee-osteoarthritis",
                               phase: "Phase 2", items: [
                                PlanItem(id: "a", exerciseID: "x", dose: dose(perDay: 2, days: 7)),
                                PlanItem(id: "b", exerciseID: "y", dose: dose(perDay: 1, days: 2), weekdays: [2, 5]),
                                PlanItem(id: "c", exerciseID: "z", dose: dose(perDay: 1, days: 5), weekdays: [1, 2, 3, 4, 5]),
                               ])
        let kept = MaintenancePlan.from(plan, start: try CalendarDay("2026-12-02"))
        #expect(MaintenancePlan.isMaintenance(kept) && !MaintenancePlan.isMaintenance(plan))
        #expect(kept.endDate == nil && kept.title == "Home maintenance program" && kept.protocolID == "knee-osteoarthritis")
        #expect(kept.items.map(\.dose.perDay) == [1, 1, 1] && kept.items.map(\.dose.daysPerWeek) == [3, 2, 3])
        #expect(kept.items.map(\.dose.sets) == [3, 3, 3] && kept.items.map(\.dose.reps) == [12, 12, 12], "the doses reached are kept")
        #expect(kept.items[1].weekdays == [2, 5] && kept.items[2].weekdays == nil, "chosen days stay when they still fit")
    }
}

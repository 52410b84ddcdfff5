import Testing
@testable import GonioCore

/// The progression engine as tables of clinical scenarios: each rule alone, their interplay,
/// and missing data, which must never move a dose up.
@Suite struct ProgressionTests {
    static let dose = Prescription(sets: 3, reps: 10, sessionsPerWeek: 3)

    /// A session on November `day` with the full dose, low pain and moderate effort, changed by `edit`.
    static func log(_ day: Int, _ edit: (inout SessionRecord) -> Void = { _ in }) -> SessionRecord {
        var r = SessionRecord(date: try! CalendarDay(year: 2026, month: 11, day: day), setsDone: 3, repsDone: [10, 10, 10],
                              painDuring: 2, painAfter: 2, painNextMorning: 2, effort: 4)
        edit(&r)
        return r
    }

    static func suggest(_ logs: [SessionRecord], dose: Prescription = dose, baseline: Double? = 2) -> ProgressionSuggestion {
        Progression.suggest(ProgressionInput(prescription: dose, baselineMorningPain: baseline, logs: logs))
    }

    struct Scenario: CustomTestStringConvertible, Sendable {
        var name: String
        var logs: [SessionRecord]
        var baseline: Double? = 2
        var decision: ProgressionSuggestion.Decision
        var rule: String
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        // Progress
        Scenario(name: "two full sessions, pain 2, effort 4", logs: [log(2), log(4)], decision: .progress, rule: "dose-tolerated"),
        Scenario(name: "acceptable pain 5 (Silbernagel allows up to 5)", logs: [log(2) { $0.painDuring = 5 }, log(4) { $0.painDuring = 5 }],
                 decision: .progress, rule: "dose-tolerated"),
        Scenario(name: "latest morning not recorded yet", logs: [log(2), log(4) { $0.painNextMorning = nil }], decision: .progress, rule: "dose-tolerated"),
        Scenario(name: "extra repetitions count as the full dose", logs: [log(2) { $0.repsDone = [12, 12, 12] }, log(4) { $0.repsDone = [12, 11, 12] }],
                 decision: .progress, rule: "dose-tolerated"),
        // Regress: each breach alone
        Scenario(name: "pain during 6 in the latest session", logs: [log(2), log(4) { $0.painDuring = 6 }], decision: .regress, rule: "pain-during-high"),
        Scenario(name: "pain after 7", logs: [log(2), log(4) { $0.painAfter = 7 }], decision: .regress, rule: "pain-after-high"),
        Scenario(name: "morning pain above baseline", logs: [log(2), log(4) { $0.painNextMorning = 4 }], decision: .regress, rule: "morning-pain-above-baseline"),
        Scenario(name: "morning pain above the first morning when no baseline", logs: [log(2), log(4) { $0.painNextMorning = 3 }], baseline: nil,
                 decision: .regress, rule: "morning-pain-above-baseline"),
        Scenario(name: "morning pain rising week on week", logs: [log(2) { $0.painNextMorning = 1 }, log(4) { $0.painNextMorning = 1 },
                                                               log(9) { $0.painNextMorning = 2 }, log(11) { $0.painNextMorning = 2 }],
                 baseline: 3, decision: .regress, rule: "morning-pain-rising"),
        Scenario(name: "two sessions short at a very hard effort", logs: [log(2) { $0.repsDone = [10, 8, 6]; $0.effort = 8 },
                                                                        log(4) { $0.repsDone = [9, 7, 6]; $0.effort = 9 }],
                 decision: .regress, rule: "dose-too-hard"),
        Scenario(name: "two of the last three sessions above 5", logs: [log(2) { $0.painDuring = 6 }, log(4) { $0.painDuring = 7 }, log(6)],
                 decision: .regress, rule: "pain-during-high"),
        // Interplay: a breach beats everything that would progress
        Scenario(name: "breach with a perfect dose", logs: [log(2), log(4), log(6) { $0.painDuring = 8; $0.effort = 2 }], decision: .regress, rule: "pain-during-high"),
        // Hold
        Scenario(name: "one earlier breach, settled since", logs: [log(2) { $0.painDuring = 7 }, log(4), log(6)], decision: .hold, rule: "recent-pain-during"),
        Scenario(name: "only one session", logs: [log(2)], decision: .hold, rule: "not-enough-sessions"),
        Scenario(name: "effort 7 with the full dose", logs: [log(2), log(4) { $0.effort = 7 }], decision: .hold, rule: "effort-high"),
        Scenario(name: "one session short", logs: [log(2), log(4) { $0.repsDone = [10, 10, 8] }], decision: .hold, rule: "dose-incomplete"),
        Scenario(name: "short at an easy effort", logs: [log(2) { $0.repsDone = [10, 8, 6]; $0.effort = 3 }, log(4) { $0.repsDone = [9, 7, 6]; $0.effort = 3 }],
                 decision: .hold, rule: "dose-incomplete"),
        Scenario(name: "form falling on camera", logs: [log(2), log(4) { $0.formScore = 55 }], decision: .hold, rule: "form-low"),
        Scenario(name: "three sessions in three weeks of 3 a week", logs: [log(2), log(12), log(23)], decision: .hold, rule: "low-adherence"),
        Scenario(name: "no logs", logs: [], decision: .hold, rule: "no-logs"),
        // Missing data never causes progression
        Scenario(name: "pain not recorded", logs: [log(2), log(4) { $0.painDuring = nil }], decision: .hold, rule: "missing-data"),
        Scenario(name: "effort not recorded", logs: [log(2) { $0.effort = nil }, log(4)], decision: .hold, rule: "missing-data"),
        Scenario(name: "repetitions not recorded", logs: [log(2), log(4) { $0.repsDone = nil; $0.setsDone = nil }], decision: .hold, rule: "missing-data"),
        Scenario(name: "no morning after recorded", logs: [log(2) { $0.painNextMorning = nil }, log(4) { $0.painNextMorning = nil }],
                 baseline: nil, decision: .hold, rule: "missing-data"),
        Scenario(name: "everything null", logs: [log(2) { $0 = SessionRecord(date: $0.date) }, log(4) { $0 = SessionRecord(date: $0.date) }],
                 baseline: nil, decision: .hold, rule: "missing-data"),
    ]

    @Test(arguments: scenarios)
    func scenario(_ s: Scenario) {
        let out = Self.suggest(s.logs, baseline: s.baseline)
        #expect(out.decision == s.decision && out.rule == s.rule, "\(s.name): \(out.decision) \(out.rule) \(out.reasons)")
        #expect(!out.reasons.isEmpty && out.reasons.allSatisfy { !$0.isEmpty })
        #expect((out.decision == .hold) == (out.change == Prescription()), "a change only when the dose moves")
    }

    @Test func everyFiredRuleIsExplainedWithItsNumbers() {
        let out = Self.suggest([Self.log(2), Self.log(4) { $0.painDuring = 7; $0.painNextMorning = 5 }])
        #expect(out.rule == "pain-during-high")
        #expect(out.reasons.count == 2)
        #expect(out.reasons[0] == "Pain during the exercise reached 7/10 on Wednesday 4 November, above the 5/10 limit.")
        #expect(out.reasons[1].contains("pain was 5/10, above the usual 2/10"))
    }

    @Test func stepsFollowTheDose() {
        let good = [Self.log(2), Self.log(4)]
        // Repetitions up by 2, to 15; then a set more with about 80% of the repetitions; then the hold.
        #expect(Self.suggest(good, dose: Prescription(sets: 3, reps: 10)).change == Prescription(reps: 12))
        #expect(Self.suggest(good.map { l in var l = l; l.repsDone = [14, 14, 14]; return l }, dose: Prescription(sets: 3, reps: 14)).change
                == Prescription(reps: 15))
        #expect(Self.suggest(good.map { l in var l = l; l.repsDone = [15, 15, 15]; return l }, dose: Prescription(sets: 3, reps: 15)).change
                == Prescription(sets: 4, reps: 12))
        let holds = good.map { l in var l = l; l.repsDone = nil; l.setsDone = 3; return l }
        #expect(Self.suggest(holds, dose: Prescription(sets: 3, holdSeconds: 30)).change == Prescription(sets: 4))
        #expect(Self.suggest(holds.map { l in var l = l; l.setsDone = 4; return l }, dose: Prescription(sets: 4, holdSeconds: 30)).change
                == Prescription(holdSeconds: 35))
        // A load goes up 5%, to the half kilogram (ACSM 2–10%), and down 10% on a breach.
        #expect(Self.suggest(good, dose: Prescription(sets: 3, reps: 10, loadKg: 10)).change == Prescription(loadKg: 10.5))
        #expect(Self.suggest([Self.log(2), Self.log(4) { $0.painDuring = 8 }], dose: Prescription(sets: 3, reps: 10, loadKg: 10)).change == Prescription(loadKg: 9))
        // Regressing repetitions: 20% fewer, at least 2, never below 3.
        #expect(Self.suggest([Self.log(2), Self.log(4) { $0.painDuring = 8 }]).change == Prescription(reps: 8))
        #expect(Self.suggest([Self.log(2) { $0.painDuring = 8 }], dose: Prescription(sets: 2, reps: 3)).change == Prescription(sets: 1))
    }

    @Test func theOrderOfLogsDoesNotMatter() {
        let logs = [Self.log(4) { $0.painDuring = 7 }, Self.log(2)]
        #expect(Self.suggest(logs).decision == .regress)
        #expect(Self.suggest([Self.log(4), Self.log(2) { $0.painDuring = 7 }]).decision == .hold, "the breach was the earlier session")
    }

    @Test func badInputIsRefusedNamingTheField() {
        func refuse(_ input: ProgressionInput, _ text: String) {
            #expect(throws: DomainError.self) { _ = try input.validated() }
            do { _ = try input.validated() } catch { #expect("\(error)".contains(text) || (error as DomainError).message.contains(text), "\(error)") }
        }
        refuse(ProgressionInput(prescription: Prescription(sets: 3), logs: []), "reps or holdSeconds")
        refuse(ProgressionInput(prescription: Prescription(sets: 0, reps: 10), logs: []), "prescription.sets")
        refuse(ProgressionInput(prescription: Self.dose, baselineMorningPain: 11, logs: []), "baselineMorningPain")
        refuse(ProgressionInput(prescription: Self.dose, logs: [Self.log(2) { $0.effort = -1 }]), "logs[0].effort")
        refuse(ProgressionInput(prescription: Self.dose, logs: [Self.log(2), Self.log(3) { $0.repsDone = [10, -1] }]), "logs[1].repsDone")
        refuse(ProgressionInput(prescription: Self.dose, logs: [Self.log(2) { $0.painDuring = .nan }]), "logs[0].painDuring")
    }
}

import Testing
@testable import GonioCore

@Suite struct EvaluationComplexityTests {
    /// CPT 97161–97163: each component's level, and the lowest of the three wins.
    @Test(arguments: [
        (0, 1, Presentation.stable, EvaluationComplexity?.some(.low)),
        (0, 2, .stable, .low),
        (1, 3, .evolving, .moderate),
        (2, 3, .evolving, .moderate),
        (3, 4, .unstable, .high),
        (5, 6, .unstable, .high),
        (3, 4, .stable, .low),          // stable presentation caps at low
        (0, 4, .unstable, .low),        // no personal factors caps at low
        (3, 2, .unstable, .low),        // 1–2 elements cap at low
        (3, 3, .unstable, .moderate),   // 3 elements cap at moderate
        (1, 5, .unstable, .moderate),   // 1–2 factors cap at moderate
        (4, 4, .evolving, .moderate),
        (2, 0, .stable, nil),           // nothing examined: no evaluation code
    ])
    func supportedLevel(factors: Int, elements: Int, presentation: Presentation, expected: EvaluationComplexity?) {
        #expect(EvaluationComplexity.supported(personalFactors: factors, elementsExamined: elements, presentation: presentation) == expected)
    }

    @Test func codes() {
        #expect(EvaluationComplexity.low.cptCode == "97161")
        #expect(EvaluationComplexity.moderate.cptCode == "97162")
        #expect(EvaluationComplexity.high.cptCode == "97163")
    }
}

@Suite struct NoteRuleTests {
    static func evaluation() -> SOAPNote {
        var n = SOAPNote()
        n.subjective = "Low back pain for 8 weeks."
        n.objective.rom = [ROMMeasurement(joint: "lumbar", motion: "flexion", side: .notApplicable, degrees: 40)]
        n.objective.strength = [StrengthMeasurement(muscleGroup: "hip abductors", side: .left, grade: "4-")]
        n.objective.specialTests = [SpecialTest(name: "Straight leg raise", side: .right, result: .negative)]
        n.objective.measures = ["odi"]
        n.assessment.diagnosis = "Non-specific low back pain"
        n.assessment.impairments = ["Reduced lumbar flexion"]
        n.assessment.complexity = .moderate
        n.assessment.personalFactors = 1
        n.assessment.elementsExamined = 3
        n.assessment.presentation = .evolving
        n.assessment.reasoning = "Beta blocker use; evolving symptoms; ROM, strength and special tests examined."
        n.plan.frequencyPerWeek = 2
        n.plan.durationWeeks = 6
        n.plan.goals = [
            Goal(id: "g1", text: "Sit 30 minutes with pain ≤ 3/10", term: .short, targetDate: try! CalendarDay("2026-12-20"), status: .notMet),
            Goal(id: "g2", text: "ODI ≤ 20 %", term: .long, targetDate: try! CalendarDay("2027-01-31"), status: .notMet),
        ]
        return n
    }

    func code(_ note: SOAPNote, _ kind: NoteKind = .initialEvaluation, signing: Bool = true) -> String? {
        (#expect(throws: DomainError.self) { try NoteRules.validate(note, kind: kind, forSigning: signing) })?.code
    }

    @Test func completeEvaluationCanBeSigned() throws {
        try NoteRules.validate(Self.evaluation(), kind: .initialEvaluation, forSigning: true)
    }

    @Test func draftsMayBePartial() throws {
        try NoteRules.validate(SOAPNote(), kind: .initialEvaluation, forSigning: false)
        #expect(code(SOAPNote()) == "diagnosis-missing")
    }

    @Test func signingNeedsPlanGoalsAndComplexityReasoning() {
        var n = Self.evaluation()
        n.plan.durationWeeks = nil
        #expect(code(n) == "plan-incomplete")
        n = Self.evaluation()
        n.plan.goals.removeAll { $0.term == .long }
        #expect(code(n) == "goals-missing")
        n = Self.evaluation()
        n.assessment.reasoning = " "
        #expect(code(n) == "complexity-incomplete")
    }

    @Test func complexityMustBeSupportedByTheDocumentation() {
        var n = Self.evaluation()
        n.assessment.complexity = .high
        #expect(code(n, signing: false) == "complexity-not-supported")
        n.assessment.complexity = .low
        #expect((try? NoteRules.validate(n, kind: .initialEvaluation, forSigning: true)) != nil, "a lower level is always allowed")
        var follow = SOAPNote()
        follow.assessment.complexity = .low
        #expect(code(follow, .followUp, signing: false) == "complexity-not-applicable")
    }

    @Test func objectiveValuesAreChecked() {
        var n = Self.evaluation()
        n.objective.strength[0].grade = "6"
        #expect(code(n, signing: false) == "strength-grade-invalid")
        n = Self.evaluation()
        n.objective.rom[0].degrees = 500
        #expect(code(n, signing: false) == "rom-out-of-range")
        n = Self.evaluation()
        n.objective.measures = ["sf-36"]
        #expect(code(n, signing: false) == "measure-invalid")
        n = Self.evaluation()
        n.plan.frequencyPerWeek = 9
        #expect(code(n, signing: false) == "frequency-invalid")
        n = Self.evaluation()
        n.plan.goals.append(n.plan.goals[0])
        #expect(code(n, signing: false) == "goal-duplicate")
    }

    @Test func followUpAndDischargeRules() throws {
        var follow = SOAPNote()
        #expect(code(follow, .followUp) == "note-empty")
        follow.subjective = "Sitting tolerance up to 20 minutes."
        try NoteRules.validate(follow, kind: .followUp, forSigning: true)
        var discharge = SOAPNote()
        #expect(code(discharge, .discharge) == "goals-missing")
        discharge.plan.goals = Self.evaluation().plan.goals
        discharge.plan.goals[0].status = .met
        discharge.plan.goals[1].status = .partiallyMet
        try NoteRules.validate(discharge, kind: .discharge, forSigning: true)
        let summary = NoteRules.goalSummary(discharge.plan.goals)
        #expect(summary.met == 1 && summary.partiallyMet == 1 && summary.notMet == 0)
    }

    @Test func normalRanges() {
        #expect(NormalRanges.normal(joint: "Shoulder", motion: "flexion") == 0...180)
        #expect(NormalRanges.normal(joint: "knee", motion: "flexion") == 0...135)
        #expect(NormalRanges.normal(joint: "knee", motion: "abduction") == nil)
    }

    @Test func subjectiveStartsFromTheIntake() {
        var i = Intake()
        i.conditionCategory = .postSurgical
        i.bodyRegions = [.knee]
        i.surgeryDate = try! CalendarDay("2026-11-01")
        i.surgeryProcedure = "Total knee replacement"
        i.currentPain = 4
        i.goals = "Walk the dog"
        i.medications = [.anticoagulant]
        let text = NoteRules.subjectiveFromIntake(i)
        #expect(text.contains("Recovery after surgery"))
        #expect(text.contains("Surgery: Total knee replacement on 2026-11-01."))
        #expect(text.contains("Current pain (NPRS): 4/10."))
        #expect(text.contains("Patient's goals: Walk the dog"))
        #expect(text.contains("Blood thinners"))
    }
}

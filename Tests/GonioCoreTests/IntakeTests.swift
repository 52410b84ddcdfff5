import Testing
@testable import GonioCore

@Suite struct IntakeTests {
    static let today = try! CalendarDay("2026-11-29")

    /// A complete intake with every red-flag question answered "no".
    static func complete() -> Intake {
        var i = Intake()
        i.conditionCategory = .musculoskeletal
        i.bodyRegions = [.lowerBack]
        i.onsetDate = try! CalendarDay("2026-10-01")
        i.currentPain = 5
        i.goals = "Lift my grandson again"
        i.visitLocation = try! Jurisdiction("US-CA")
        i.age = 58
        i.readiness.hasCameraDevice = true
        i.readiness.internet = .good
        i.readiness.spaceToMove = true
        i.readiness.assistanceNeeded = .independent
        for q in RedFlagScreen.questions where q.type == .boolean { i.redFlags[q.id] = false }
        return i
    }

    @Test func completeIntakeHasNothingMissingAndScreensClear() throws {
        let i = Self.complete()
        try IntakeRules.validate(i, today: Self.today)
        #expect(IntakeRules.missing(i).isEmpty)
        #expect(IntakeRules.triage(i).outcome == .clear)
        #expect(IntakeRules.concerns(i).isEmpty)
    }

    @Test func emptyDraftListsEverythingNeeded() {
        let missing = IntakeRules.missing(Intake())
        for field in ["conditionCategory", "bodyRegions", "onsetDate", "currentPain", "goals", "visitLocation", "age",
                      "readiness.hasCameraDevice", "readiness.internet", "readiness.spaceToMove", "readiness.assistanceNeeded",
                      "redFlags.bladder-change", "redFlags.self-harm-thoughts"] {
            #expect(missing.contains(field), "\(field)")
        }
    }

    @Test func unansweredSafetyQuestionBlocksSubmission() {
        var i = Self.complete()
        i.redFlags["chest-pain"] = nil
        #expect(IntakeRules.missing(i) == ["redFlags.chest-pain"])
    }

    @Test func surgeryNeedsDateAndProcedure() {
        var i = Self.complete()
        i.conditionCategory = .postSurgical
        #expect(Set(IntakeRules.missing(i)) == ["surgeryDate", "surgeryProcedure"])
        i.surgeryDate = try! CalendarDay("2026-11-01")
        i.surgeryProcedure = "Total knee replacement"
        #expect(IntakeRules.missing(i).isEmpty)
    }

    @Test func helperQuestionOnlyWhenHelpIsNeeded() {
        var i = Self.complete()
        i.readiness.assistanceNeeded = .someHelp
        #expect(IntakeRules.missing(i) == ["readiness.helperAvailable"])
    }

    @Test func validationRefusesBadValues() {
        func code(_ change: (inout Intake) -> Void) -> String? {
            var i = Self.complete()
            change(&i)
            return (#expect(throws: DomainError.self) { try IntakeRules.validate(i, today: Self.today) })?.code
        }
        #expect(code { $0.currentPain = 11 } == "pain-out-of-range")
        #expect(code { $0.currentPain = -1 } == "pain-out-of-range")
        #expect(code { $0.age = 130 } == "age-out-of-range")
        #expect(code { $0.onsetDate = try! CalendarDay("2026-11-30") } == "date-in-future")
        #expect(code { $0.goals = String(repeating: "a", count: 2001) } == "text-too-long")
        #expect(code { $0.bodyRegions = [.knee, .knee] } == "body-region-duplicate")
        #expect(code { $0.redFlags["made-up"] = true } == "unknown-question")
        #expect(code { $0.redFlags["age"] = true } == "unknown-question")
    }

    @Test func triageUsesAnswersAndAge() {
        var i = Self.complete()
        i.redFlags["sudden-severe-pain"] = true
        #expect(IntakeRules.triage(i).outcome == .clear, "58 is under the age threshold")
        i.age = 70
        #expect(IntakeRules.triage(i).outcome == .urgentInPerson)
        i.redFlags["saddle-numbness"] = true
        #expect(IntakeRules.triage(i).outcome == .emergency)
    }

    @Test func concernsHighlightReadinessAndMedication() {
        var i = Self.complete()
        i.readiness.hasCameraDevice = false
        i.readiness.internet = .poor
        i.readiness.spaceToMove = false
        i.readiness.assistanceNeeded = .fullHelp
        i.readiness.helperAvailable = false
        i.readiness.preferredLanguage = "Spanish"
        i.medications = [.anticoagulant, .betaBlocker, .insulin]
        i.history = [.falls, .pregnancy, .pacemaker]
        let codes = IntakeRules.concerns(i).map(\.code)
        #expect(codes == ["no-camera", "poor-internet", "no-space", "no-helper", "language", "anticoagulant", "beta-blocker",
                          "hypoglycaemia", "fall-risk", "pregnancy", "implanted-device"])
        i.readiness.helperAvailable = true
        i.readiness.preferredLanguage = "English"
        #expect(IntakeRules.concerns(i).contains { $0.code == "needs-helper" && $0.level == .info })
        #expect(!IntakeRules.concerns(i).contains { $0.code == "language" })
    }

    @Test(arguments: [
        (false, TriageOutcome?.some(.clear), TriageDecision?.none, false),
        (true, .some(.clear), nil, true),
        (true, .some(.therapistReview), nil, false),
        (true, .some(.therapistReview), .clearedForVirtualCare, true),
        (true, .some(.urgentInPerson), .referredInPerson, false),
        (true, .some(.urgentInPerson), .clearedForVirtualCare, true),
        (true, .some(.emergency), nil, false),
        (true, .some(.emergency), .referredEmergency, false),
        (true, nil, nil, false),
    ])
    func bookingGate(submitted: Bool, outcome: TriageOutcome?, decision: TriageDecision?, allowed: Bool) {
        #expect(TriageGate.mayBookVirtualVisit(submitted: submitted, outcome: outcome, decision: decision) == allowed)
    }

    @Test func decisionsNeedAReasonAndAFlag() throws {
        try TriageGate.validateDecision(.clearedForVirtualCare, reason: "Night pain explained by shift work.", outcome: .therapistReview)
        #expect(throws: DomainError.self) { try TriageGate.validateDecision(.clearedForVirtualCare, reason: "  ", outcome: .therapistReview) }
        #expect(throws: DomainError.self) { try TriageGate.validateDecision(.clearedForVirtualCare, reason: "ok", outcome: .clear) }
        #expect(throws: DomainError.self) { try TriageGate.validateDecision(.clearedForVirtualCare, reason: "ok", outcome: nil) }
    }
}

import Testing
@testable import GonioCore

/// Every rule of the red-flag screen, alone and in combination (CLINICAL.md §5).
@Suite struct TriageTests {
    func evaluate(_ raw: [String: TriageInput]) throws -> TriageResult { try RedFlagScreen.evaluate(raw) }

    @Test func noAnswersIsClear() throws {
        let r = try evaluate([:])
        #expect(r.outcome == .clear)
        #expect(r.reasons.isEmpty)
        let no = try evaluate(Dictionary(uniqueKeysWithValues: RedFlagScreen.questions.filter { $0.type == .boolean }.map { ($0.id, TriageInput.bool(false)) }))
        #expect(no.outcome == .clear)
    }

    /// Each rule, triggered by the smallest set of answers, gives its outcome and names itself.
    @Test(arguments: [
        (["bladder-change": true], TriageOutcome.emergency, "cauda-equina"),
        (["bowel-incontinence": true], .emergency, "cauda-equina"),
        (["saddle-numbness": true], .emergency, "cauda-equina"),
        (["both-legs-symptoms": true], .urgentInPerson, "cauda-equina-possible"),
        (["leg-weakness-worsening": true], .urgentInPerson, "cauda-equina-possible"),
        (["sexual-dysfunction": true], .urgentInPerson, "cauda-equina-possible"),
        (["stroke-signs": true], .emergency, "cervical-arterial-dysfunction"),
        (["worst-headache": true], .emergency, "cervical-arterial-dysfunction"),
        (["dizziness": true], .therapistReview, "dizziness"),
        (["chest-pain": true], .emergency, "chest-pain"),
        (["short-of-breath": true], .emergency, "pulmonary-embolism"),
        (["calf-swelling": true], .urgentInPerson, "deep-vein-thrombosis"),
        (["breathless-on-exertion": true], .urgentInPerson, "exertional-breathlessness"),
        (["hot-swollen-joint": true, "fever": true], .emergency, "septic-arthritis"),
        (["fever": true], .urgentInPerson, "spinal-infection"),
        (["infection-risk": true, "night-pain": true], .urgentInPerson, "spinal-infection"),
        (["hot-swollen-joint": true], .urgentInPerson, "hot-swollen-joint"),
        (["major-trauma": true], .urgentInPerson, "fracture-trauma"),
        (["cannot-bear-weight": true], .urgentInPerson, "fracture-trauma"),
        (["sudden-severe-pain": true, "osteoporosis": true], .urgentInPerson, "fracture-fragility"),
        (["sudden-severe-pain": true, "long-term-steroids": true], .urgentInPerson, "fracture-fragility"),
        (["sudden-severe-pain": true, "age": 70], .urgentInPerson, "fracture-fragility"),
        (["osteoporosis": true], .therapistReview, "fracture-risk-factors"),
        (["long-term-steroids": true], .therapistReview, "fracture-risk-factors"),
        (["cancer-history": true, "weight-loss": true], .urgentInPerson, "malignancy"),
        (["cancer-history": true, "night-pain": true], .urgentInPerson, "malignancy"),
        (["cancer-history": true], .therapistReview, "malignancy-possible"),
        (["weight-loss": true], .therapistReview, "malignancy-possible"),
        (["night-pain": true], .therapistReview, "malignancy-possible"),
        (["age": 51, "no-improvement-month": true], .therapistReview, "malignancy-possible"),
        (["clumsy-hands": true, "gait-change": true], .urgentInPerson, "cervical-myelopathy"),
        (["gait-change": true, "tingling-arms-or-legs": true], .urgentInPerson, "cervical-myelopathy"),
        (["clumsy-hands": true], .therapistReview, "cervical-myelopathy-possible"),
        (["new-neuro-deficit": true], .urgentInPerson, "neurological-deficit"),
        (["self-harm-thoughts": true], .emergency, "self-harm"),
    ] as [([String: TriageInput], TriageOutcome, String)])
    func eachRule(answers: [String: TriageInput], outcome: TriageOutcome, rule: String) throws {
        let r = try evaluate(answers)
        #expect(r.outcome == outcome, "\(answers)")
        #expect(r.reasons.contains { $0.rule == rule && $0.outcome == outcome && !$0.source.isEmpty })
    }

    @Test func thresholdsOnAge() throws {
        #expect(try evaluate(["sudden-severe-pain": true, "age": 64]).outcome == .clear)
        #expect(try evaluate(["sudden-severe-pain": true, "age": 65]).outcome == .urgentInPerson)
        #expect(try evaluate(["age": 50, "no-improvement-month": true]).outcome == .clear)
        #expect(try evaluate(["age": 80]).outcome == .clear, "age alone is not a red flag")
        #expect(try evaluate(["infection-risk": true]).outcome == .clear, "a risk factor alone does not fire")
        #expect(try evaluate(["hot-swollen-joint": false, "fever": false]).outcome == .clear)
    }

    @Test func theMostSeriousOutcomeWins() throws {
        let r = try evaluate(["osteoporosis": true, "major-trauma": true, "bladder-change": true])
        #expect(r.outcome == .emergency)
        #expect(r.reasons.map(\.rule) == ["cauda-equina"], "an emergency is reported alone")
        let urgent = try evaluate(["osteoporosis": true, "major-trauma": true, "dizziness": true])
        #expect(urgent.outcome == .urgentInPerson)
        #expect(urgent.reasons.map(\.rule) == ["fracture-trauma", "dizziness", "fracture-risk-factors"]
                || urgent.reasons.map(\.rule) == ["fracture-trauma", "fracture-risk-factors", "dizziness"])
        #expect(urgent.reasons.first?.outcome == .urgentInPerson)
        let both = try evaluate(["clumsy-hands": true, "gait-change": true, "tingling-arms-or-legs": true])
        #expect(both.reasons.map(\.rule) == ["cervical-myelopathy"], "the 'possible' variant does not also fire")
    }

    @Test func invalidAnswersAreRefused() {
        func code(_ raw: [String: TriageInput]) -> String? {
            (#expect(throws: DomainError.self) { try RedFlagScreen.evaluate(raw) })?.code
        }
        #expect(code(["nope": true]) == "unknown-question")
        #expect(code(["fever": "yes"]) == "answer-type")
        #expect(code(["fever": 1]) == "answer-type")
        #expect(code(["age": true]) == "answer-type")
        #expect(code(["fever": .other]) == "answer-type")
        #expect(code(["age": 200]) == "answer-type")
        #expect(code(["age": -1]) == "answer-type")
    }

    @Test func questionIDsAreUniqueAndStable() {
        let ids = RedFlagScreen.questions.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.first == "age")
        #expect(ids.contains("bladder-change") && ids.contains("chest-pain") && ids.contains("self-harm-thoughts"))
        #expect(TriageOutcome.allCases.sorted() == [.clear, .therapistReview, .urgentInPerson, .emergency])
    }
}

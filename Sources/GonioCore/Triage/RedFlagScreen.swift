/// The red-flag screen a patient (or caregiver) answers at intake, and the rules that route
/// some answers to emergency or in-person care. Sources: CLINICAL.md §5 — Finucane et al.,
/// JOSPT 2020;50(7):350 (IFOMPT spinal red flags), Rushton et al., JOSPT 2023;53(1):7 (cervical
/// vascular), Cook et al., JMMT 2010;18:175. IFOMPT's caveat applies: single red flags have
/// poor diagnostic accuracy; the screen raises suspicion for a clinician, it does not diagnose.
public enum TriageOutcome: String, Codable, Sendable, CaseIterable, Comparable {
    case clear
    case therapistReview = "therapist-review"
    case urgentInPerson = "urgent-in-person"
    case emergency

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }

    /// What the patient is told.
    public var advice: String {
        switch self {
        case .clear: "Nothing in your answers stops you from starting physical therapy online."
        case .therapistReview: "A therapist will review your answers before your first online visit."
        case .urgentInPerson: "Please see a doctor in person within 24 hours before starting physical therapy."
        case .emergency: "Call 911 (or your local emergency number) now. Do not wait for an online visit."
        }
    }
}

public struct TriageQuestion: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case boolean, number }
    public var id: String
    public var text: String
    public var type: Kind
    /// For numbers: the accepted range.
    public var minimum: Double?
    public var maximum: Double?
}

public enum TriageAnswer: Sendable, Equatable {
    case yes(Bool)
    case number(Double)
}

/// An answer as it arrives (JSON or a form), before it is checked against its question.
public enum TriageInput: Sendable, Equatable, Decodable, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral {
    case bool(Bool)
    case number(Double)
    case text(String)
    case other

    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .text(value) }

    /// JSON true/false stay booleans (never 1/0), numbers stay numbers.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let t = try? c.decode(String.self) { self = .text(t) }
        else { self = .other }
    }
}

public struct TriageReason: Codable, Sendable, Equatable {
    public var rule: String
    public var outcome: TriageOutcome
    public var explanation: String
    public var source: String
}

public struct TriageResult: Codable, Sendable, Equatable {
    public var outcome: TriageOutcome
    public var reasons: [TriageReason]

    public init(outcome: TriageOutcome, reasons: [TriageReason]) {
        self.outcome = outcome
        self.reasons = reasons
    }
}

public enum RedFlagScreen {
    static func yesNo(_ id: String, _ text: String) -> TriageQuestion { .init(id: id, text: text, type: .boolean) }

    /// Stable ids: stored answers and scripts refer to them.
    public static let questions: [TriageQuestion] = [
        .init(id: "age", text: "How old are you?", type: .number, minimum: 0, maximum: 120),
        yesNo("bladder-change", "Since this problem began, have you had new trouble passing urine, leaking urine, or a changed feeling when you pass urine?"),
        yesNo("bowel-incontinence", "Since this problem began, have you lost control of your bowels?"),
        yesNo("saddle-numbness", "Do you have numbness around your bottom, genitals or inner thighs (where you would sit on a saddle)?"),
        yesNo("sexual-dysfunction", "Have you noticed new problems with sexual function since this began?"),
        yesNo("both-legs-symptoms", "Do you have pain, tingling or numbness running down both legs?"),
        yesNo("leg-weakness-worsening", "Are your legs getting weaker, or is your foot catching or dragging more and more?"),
        yesNo("major-trauma", "Did this start with a fall from height, a car accident or another hard impact?"),
        yesNo("cannot-bear-weight", "Since the injury, are you unable to take four steps on the injured leg?"),
        yesNo("osteoporosis", "Have you been told you have osteoporosis (thin bones)?"),
        yesNo("long-term-steroids", "Have you taken steroid tablets (such as prednisone) for three months or more?"),
        yesNo("sudden-severe-pain", "Did severe pain start suddenly after a minor strain, lift or cough?"),
        yesNo("cancer-history", "Have you ever had cancer?"),
        yesNo("weight-loss", "Have you lost weight recently without trying?"),
        yesNo("night-pain", "Is the pain constant, or does it wake you at night and not ease when you change position?"),
        yesNo("no-improvement-month", "Has the pain gone on for more than a month without any improvement?"),
        yesNo("fever", "Have you had a fever, chills or night sweats with this problem?"),
        yesNo("infection-risk", "Do you inject drugs, take medicine that weakens the immune system, or have you had an infection or a spine procedure in the last few weeks?"),
        yesNo("hot-swollen-joint", "Is a joint hot, red and swollen?"),
        yesNo("clumsy-hands", "Have your hands become clumsy (trouble with buttons, writing or dropping things)?"),
        yesNo("gait-change", "Has your walking become unsteady or changed without a reason you know of?"),
        yesNo("tingling-arms-or-legs", "Do you have tingling or numbness in both arms, or in both arms and legs?"),
        yesNo("dizziness", "Do you get dizzy or feel the room spinning?"),
        yesNo("stroke-signs", "Have you had double vision, trouble speaking or swallowing, sudden falls without losing consciousness, or numbness of the face?"),
        yesNo("worst-headache", "Have you had a sudden, severe headache or neck pain unlike anything before?"),
        yesNo("calf-swelling", "Is one calf swollen, warm or painful, especially after surgery or a long time not moving?"),
        yesNo("short-of-breath", "Are you short of breath at rest, or did breathlessness come on suddenly?"),
        yesNo("chest-pain", "Do you get chest pain or pressure, at rest or when you exert yourself?"),
        yesNo("breathless-on-exertion", "Do you get unusually short of breath with light activity, such as walking across a room?"),
        yesNo("new-neuro-deficit", "Have you had new weakness, numbness or loss of feeling that is spreading or that you cannot explain?"),
        yesNo("self-harm-thoughts", "In the last two weeks, have you had thoughts that you would be better off dead, or of hurting yourself?"),
    ]

    static let byID: [String: TriageQuestion] = Dictionary(uniqueKeysWithValues: questions.map { ($0.id, $0) })

    /// A rule: a condition over the answers, the outcome it leads to, and why.
    struct Rule: Sendable {
        var id: String
        var outcome: TriageOutcome
        var explanation: String
        var source: String
        var applies: @Sendable (Answers) -> Bool
    }

    /// Answers by question id; unanswered questions are simply absent (treated as "no").
    public struct Answers: Sendable {
        var values: [String: TriageAnswer]
        func yes(_ id: String) -> Bool { if case .yes(true) = values[id] { return true } else { return false } }
        func count(_ ids: [String]) -> Int { ids.count(where: yes) }
        var age: Double? { if case .number(let n) = values["age"] { return n } else { return nil } }
    }

    static let finucane = "Finucane et al., JOSPT 2020;50(7):350 (IFOMPT); CLINICAL.md §5"
    static let rushton = "Rushton et al., JOSPT 2023;53(1):7; CLINICAL.md §5"
    static let caudaEquinaSigns = ["bladder-change", "bowel-incontinence", "saddle-numbness"]

    static let rules: [Rule] = [
        // Cauda equina syndrome: emergency (same-day emergency department).
        Rule(id: "cauda-equina", outcome: .emergency,
             explanation: "Bladder or bowel change or saddle numbness can mean pressure on the nerves at the base of the spine (cauda equina syndrome).",
             source: finucane) { $0.count(caudaEquinaSigns) >= 1 },
        Rule(id: "cauda-equina-possible", outcome: .urgentInPerson,
             explanation: "Symptoms in both legs, worsening leg weakness or new sexual dysfunction can be early signs of cauda equina syndrome.",
             source: finucane) { $0.count(["both-legs-symptoms", "leg-weakness-worsening", "sexual-dysfunction"]) >= 1 },
        // Cervical arterial dysfunction and stroke: emergency.
        Rule(id: "cervical-arterial-dysfunction", outcome: .emergency,
             explanation: "Double vision, trouble speaking or swallowing, drop attacks, facial numbness or a sudden unusual headache can be signs of a stroke or a torn neck artery.",
             source: rushton) { $0.count(["stroke-signs", "worst-headache"]) >= 1 },
        Rule(id: "dizziness", outcome: .therapistReview,
             explanation: "Dizziness has many causes; the therapist checks it before neck treatment.",
             source: rushton) { $0.yes("dizziness") },
        // Cardiorespiratory and vascular: emergency / urgent (CLINICAL.md §5 "Other vascular" [M]).
        Rule(id: "chest-pain", outcome: .emergency, explanation: "Chest pain can mean a heart problem.",
             source: "CLINICAL.md §5 (other vascular) [uncertain: M]") { $0.yes("chest-pain") },
        Rule(id: "pulmonary-embolism", outcome: .emergency,
             explanation: "Sudden breathlessness, or breathlessness with a swollen calf, can mean a blood clot in the lung.",
             source: "CLINICAL.md §5 (other vascular) [uncertain: M]") { $0.yes("short-of-breath") },
        Rule(id: "deep-vein-thrombosis", outcome: .urgentInPerson,
             explanation: "A swollen, warm or painful calf can mean a blood clot in the leg.",
             source: "CLINICAL.md §5 (other vascular) [uncertain: M]") { $0.yes("calf-swelling") },
        Rule(id: "exertional-breathlessness", outcome: .urgentInPerson,
             explanation: "Unusual breathlessness with light activity should be checked by a doctor before exercise.",
             source: "CLINICAL.md §5 (other vascular) [uncertain: M]") { $0.yes("breathless-on-exertion") },
        // Infection.
        Rule(id: "septic-arthritis", outcome: .emergency,
             explanation: "A hot, swollen joint with fever can mean an infected joint.", source: "CLINICAL.md §5 (systemic)") {
            $0.yes("hot-swollen-joint") && $0.yes("fever")
        },
        Rule(id: "spinal-infection", outcome: .urgentInPerson,
             explanation: "Fever or chills with this pain, or infection risk factors, need a same-day medical check.",
             source: finucane) { $0.yes("fever") || ($0.yes("infection-risk") && $0.yes("night-pain")) },
        Rule(id: "hot-swollen-joint", outcome: .urgentInPerson,
             explanation: "A hot, red, swollen joint needs a medical check.", source: "CLINICAL.md §5 (systemic)") { $0.yes("hot-swollen-joint") },
        // Fracture.
        Rule(id: "fracture-trauma", outcome: .urgentInPerson,
             explanation: "Pain that began with a hard impact, or not being able to bear weight after an injury, needs an X-ray before therapy.",
             source: finucane + "; Ottawa rules (Stiell 1992/1996) [M]") { $0.yes("major-trauma") || $0.yes("cannot-bear-weight") },
        Rule(id: "fracture-fragility", outcome: .urgentInPerson,
             explanation: "Sudden severe pain after a minor strain, with thin bones, long steroid use or older age, can mean a fracture.",
             source: finucane) { a in
            a.yes("sudden-severe-pain") && (a.yes("osteoporosis") || a.yes("long-term-steroids") || (a.age ?? 0) >= 65)
        },
        Rule(id: "fracture-risk-factors", outcome: .therapistReview,
             explanation: "Thin bones or long steroid use raise the risk of fractures; the therapist takes this into account.",
             source: finucane) { $0.yes("osteoporosis") || $0.yes("long-term-steroids") },
        // Malignancy.
        Rule(id: "malignancy", outcome: .urgentInPerson,
             explanation: "A history of cancer with unexplained weight loss or constant night pain needs a medical check.",
             source: finucane) { $0.yes("cancer-history") && ($0.yes("weight-loss") || $0.yes("night-pain")) },
        Rule(id: "malignancy-possible", outcome: .therapistReview,
             explanation: "Past cancer, unexplained weight loss, constant night pain, or pain over 50 that is not improving deserve a closer look.",
             source: finucane) { a in
            a.yes("cancer-history") || a.yes("weight-loss") || a.yes("night-pain")
                || ((a.age ?? 0) > 50 && a.yes("no-improvement-month"))
        },
        // Cervical myelopathy: reportable symptoms only; the sign cluster needs an in-person exam.
        Rule(id: "cervical-myelopathy", outcome: .urgentInPerson,
             explanation: "Clumsy hands with a changed walk or tingling in both arms can mean pressure on the spinal cord in the neck.",
             source: "Cook et al., JMMT 2010;18:175; CLINICAL.md §5") {
            $0.count(["clumsy-hands", "gait-change", "tingling-arms-or-legs"]) >= 2
        },
        Rule(id: "cervical-myelopathy-possible", outcome: .therapistReview,
             explanation: "Clumsy hands, a changed walk, or tingling in both arms deserve a closer look.",
             source: "Cook et al., JMMT 2010;18:175; CLINICAL.md §5") {
            $0.count(["clumsy-hands", "gait-change", "tingling-arms-or-legs"]) == 1
        },
        Rule(id: "neurological-deficit", outcome: .urgentInPerson,
             explanation: "New or spreading weakness or numbness needs a medical check.", source: "CLINICAL.md §5 (systemic)") {
            $0.yes("new-neuro-deficit")
        },
        Rule(id: "self-harm", outcome: .emergency,
             explanation: "Thoughts of self-harm need help now: call or text 988 (US Suicide & Crisis Lifeline) or your emergency number.",
             source: "CLINICAL.md §5 (systemic)") { $0.yes("self-harm-thoughts") },
    ]

    /// Checks raw answers (question id → true/false or a number) and converts them.
    public static func parse(_ raw: [String: TriageInput]) throws(DomainError) -> Answers {
        var values: [String: TriageAnswer] = [:]
        for (id, value) in raw.sorted(by: { $0.key < $1.key }) {
            guard let question = byID[id] else {
                throw .invalid("unknown-question", "There is no triage question '\(id.prefix(60))'.")
            }
            switch (question.type, value) {
            case (.boolean, .bool(let b)):
                values[id] = .yes(b)
            case (.boolean, _):
                throw .invalid("answer-type", "Answer '\(id)' with true or false.")
            case (.number, _):
                guard case .number(let n) = value, n.isFinite,
                      n >= (question.minimum ?? -.infinity), n <= (question.maximum ?? .infinity)
                else {
                    throw .invalid("answer-type", "Answer '\(id)' with a number from \(Int(question.minimum ?? 0)) to \(Int(question.maximum ?? 0)).")
                }
                values[id] = .number(n)
            }
        }
        return Answers(values: values)
    }

    /// The outcome is the most serious outcome of any rule that applies; every applying rule is a
    /// reason. An emergency outcome is reported alone with its reasons (nothing else is offered).
    public static func evaluate(_ answers: Answers) -> TriageResult {
        let fired = rules.filter { $0.applies(answers) }
        let outcome = fired.map(\.outcome).max() ?? .clear
        let reasons = fired.filter { outcome != .emergency || $0.outcome == .emergency }
            .sorted { $0.outcome > $1.outcome }
            .map { TriageReason(rule: $0.id, outcome: $0.outcome, explanation: $0.explanation, source: $0.source) }
        return TriageResult(outcome: outcome, reasons: reasons)
    }

    public static func evaluate(_ raw: [String: TriageInput]) throws(DomainError) -> TriageResult {
        evaluate(try parse(raw))
    }
}

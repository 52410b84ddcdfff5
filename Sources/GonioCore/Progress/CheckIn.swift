/// A patient's short daily check-in: pain on waking (how the last session settled overnight,
/// the Silbernagel model's next-morning rule, CLINICAL.md §6) and a few questions about new
/// symptoms that must not wait for the next visit, scored by the intake's red-flag rules
/// (CLINICAL.md §5: IFOMPT framework, Finucane et al. JOSPT 2020).
public struct CheckIn: Codable, Equatable, Sendable {
    /// NPRS 0-10 on waking (CLINICAL.md §1.8).
    public var morningPain: Int
    /// The red-flag questions answered, by id (a subset of the intake's: `questionIDs`).
    public var answers: [String: Bool]
    public var note: String?

    public init(morningPain: Int, answers: [String: Bool] = [:], note: String? = nil) {
        self.morningPain = morningPain
        self.answers = answers
        self.note = note
    }

    /// New symptoms worth asking about day to day, in an order a patient can follow: nerves
    /// (cauda equina, spreading weakness), then circulation and breathing, then infection.
    public static let questionIDs = ["bladder-change", "bowel-incontinence", "saddle-numbness", "leg-weakness-worsening", "new-neuro-deficit",
                                     "calf-swelling", "short-of-breath", "chest-pain", "fever", "hot-swollen-joint"]

    /// The questions in the words of a daily check-in ("Since yesterday, have you had..."),
    /// scored as the intake's questions of the same id.
    public static let wording: [String: String] = [
        "bladder-change": "New trouble passing urine, leaking urine, or a changed feeling when you pass urine",
        "bowel-incontinence": "Lost control of your bowels",
        "saddle-numbness": "Numbness around your bottom, genitals or inner thighs",
        "leg-weakness-worsening": "Legs getting weaker, or a foot catching or dragging",
        "new-neuro-deficit": "New weakness, numbness or loss of feeling that is spreading",
        "calf-swelling": "A calf that is swollen, warm or painful",
        "short-of-breath": "Short of breath at rest, or breathlessness that came on suddenly",
        "chest-pain": "Chest pain or pressure",
        "fever": "A fever, chills or night sweats",
        "hot-swollen-joint": "A joint that is hot, red and swollen",
    ]

    public static var questions: [TriageQuestion] {
        questionIDs.compactMap { id in
            RedFlagScreen.questions.first { $0.id == id }.map { q in var q = q; q.text = wording[id] ?? q.text; return q }
        }
    }

    public func validated() throws(DomainError) -> CheckIn {
        guard (0...10).contains(morningPain) else { throw .invalid("pain-invalid", "Morning pain is a number from 0 (none) to 10 (worst).") }
        for id in answers.keys where !Self.questionIDs.contains(id) {
            throw .invalid("unknown-question", "There is no check-in question '\(id.prefix(60))'.")
        }
        var out = self
        out.note = try PlanContent.text(note, "The note", 1000)
        return out
    }

    /// What the answers mean: anything but `clear` is an alert for the therapist, and the
    /// patient is told at once what to do (an emergency: call emergency services now).
    public var triage: TriageResult {
        RedFlagScreen.evaluate((try? RedFlagScreen.parse(answers.mapValues { TriageInput.bool($0) })) ?? RedFlagScreen.parse(empty: ()))
    }
}

extension RedFlagScreen {
    static func parse(empty: Void) -> Answers { (try? parse([:]))! }
}

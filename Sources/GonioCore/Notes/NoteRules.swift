/// Normal active ranges of motion for adults, in degrees, shown beside measurements.
/// Values per the AAOS tables (Greene & Heckman 1994) as commonly reproduced [uncertain: M —
/// recalled, not re-checked here; norms vary by age and source].
public enum NormalRanges {
    public static let table: [String: ClosedRange<Double>] = [
        "shoulder/flexion": 0...180, "shoulder/extension": 0...60, "shoulder/abduction": 0...180,
        "shoulder/internal-rotation": 0...70, "shoulder/external-rotation": 0...90,
        "elbow/flexion": 0...150, "forearm/pronation": 0...80, "forearm/supination": 0...80,
        "wrist/flexion": 0...80, "wrist/extension": 0...70,
        "hip/flexion": 0...120, "hip/extension": 0...30, "hip/abduction": 0...45, "hip/adduction": 0...30,
        "hip/internal-rotation": 0...45, "hip/external-rotation": 0...45,
        "knee/flexion": 0...135, "ankle/dorsiflexion": 0...20, "ankle/plantarflexion": 0...50,
        "cervical/flexion": 0...45, "cervical/extension": 0...45, "cervical/rotation": 0...80, "cervical/lateral-flexion": 0...45,
        "lumbar/flexion": 0...60, "lumbar/extension": 0...25,
    ]

    public static func normal(joint: String, motion: String) -> ClosedRange<Double>? {
        table["\(joint.lowercased())/\(motion.lowercased())"]
    }
}

public enum NoteRules {
    static let maxText = 10_000

    /// Checks a note's content. Drafts may be partial; `forSigning` also requires what each kind
    /// needs: an initial evaluation or re-evaluation needs an assessment with a diagnosis, a
    /// complexity the documented components support, and a plan with frequency, duration and at
    /// least one short- and one long-term goal; a discharge needs the goals' final statuses.
    public static func validate(_ note: SOAPNote, kind: NoteKind, forSigning: Bool) throws(DomainError) {
        let texts = [note.subjective, note.objective.findings, note.assessment.diagnosis, note.assessment.reasoning, note.plan.interventions]
        if texts.contains(where: { ($0?.count ?? 0) > maxText }) {
            throw .invalid("text-too-long", "Keep each section to \(maxText) characters.")
        }
        for m in note.objective.rom {
            guard m.degrees.isFinite, (-30...360).contains(m.degrees) else {
                throw .invalid("rom-out-of-range", "Range of motion for \(m.joint) \(m.motion) must be between -30 and 360 degrees.")
            }
            guard !m.joint.trimmingWhitespace().isEmpty, !m.motion.trimmingWhitespace().isEmpty else {
                throw .invalid("rom-incomplete", "Name the joint and the motion for each range-of-motion measurement.")
            }
        }
        for s in note.objective.strength where !StrengthMeasurement.grades.contains(s.grade) {
            throw .invalid("strength-grade-invalid", "Strength grades are 0 to 5 (with + or -), e.g. 4-.")
        }
        for code in note.objective.measures where MeasureLibrary.measure(code: code) == nil {
            throw .invalid("measure-invalid", "Unknown outcome measure '\(code.prefix(30))'.")
        }
        if let f = note.plan.frequencyPerWeek, !(1...7).contains(f) {
            throw .invalid("frequency-invalid", "Frequency is 1 to 7 visits a week.")
        }
        if let d = note.plan.durationWeeks, !(1...52).contains(d) {
            throw .invalid("duration-invalid", "Duration is 1 to 52 weeks.")
        }
        if let p = note.assessment.personalFactors, !(0...20).contains(p) {
            throw .invalid("factors-invalid", "Personal factors and comorbidities: 0 to 20.")
        }
        if let e = note.assessment.elementsExamined, !(0...20).contains(e) {
            throw .invalid("elements-invalid", "Body elements examined: 0 to 20.")
        }
        if Set(note.plan.goals.map(\.id)).count != note.plan.goals.count {
            throw .invalid("goal-duplicate", "Each goal needs its own id.")
        }
        if note.plan.goals.contains(where: { $0.text.trimmingWhitespace().isEmpty }) {
            throw .invalid("goal-text-missing", "Describe each goal in measurable terms.")
        }
        if let complexity = note.assessment.complexity {
            guard kind == .initialEvaluation else {
                throw .invalid("complexity-not-applicable", "Evaluation complexity belongs to the initial evaluation.")
            }
            if let factors = note.assessment.personalFactors, let elements = note.assessment.elementsExamined,
               let presentation = note.assessment.presentation {
                guard let supported = EvaluationComplexity.supported(personalFactors: factors, elementsExamined: elements, presentation: presentation),
                      complexity <= supported
                else {
                    let level = EvaluationComplexity.supported(personalFactors: factors, elementsExamined: elements, presentation: presentation)
                    throw .invalid("complexity-not-supported",
                                   "The documented history, examination and presentation support \(level.map { "\($0.rawValue) complexity (\($0.cptCode))" } ?? "no evaluation code") at most.")
                }
            }
        }
        guard forSigning else { return }
        switch kind {
        case .initialEvaluation, .reEvaluation:
            guard !(note.assessment.diagnosis ?? "").trimmingWhitespace().isEmpty else {
                throw .invalid("diagnosis-missing", "Add the diagnosis before signing.")
            }
            guard note.plan.frequencyPerWeek != nil, note.plan.durationWeeks != nil else {
                throw .invalid("plan-incomplete", "Add the plan's frequency and duration before signing.")
            }
            guard note.plan.goals.contains(where: { $0.term == .short }), note.plan.goals.contains(where: { $0.term == .long }) else {
                throw .invalid("goals-missing", "Add at least one short-term and one long-term goal before signing.")
            }
            if kind == .initialEvaluation {
                guard note.assessment.complexity != nil, note.assessment.personalFactors != nil,
                      note.assessment.elementsExamined != nil, note.assessment.presentation != nil,
                      !(note.assessment.reasoning ?? "").trimmingWhitespace().isEmpty
                else {
                    throw .invalid("complexity-incomplete",
                                   "Record the evaluation complexity with its reasoning: personal factors, elements examined and presentation (CPT 97161–97163).")
                }
            }
        case .discharge:
            guard !note.plan.goals.isEmpty else {
                throw .invalid("goals-missing", "List the goals with their final status before signing the discharge summary.")
            }
        case .followUp:
            guard !(note.subjective ?? "").trimmingWhitespace().isEmpty || !(note.objective.findings ?? "").trimmingWhitespace().isEmpty else {
                throw .invalid("note-empty", "Write the subjective or objective findings before signing.")
            }
        }
    }

    /// Goals met and not, for a discharge summary.
    public static func goalSummary(_ goals: [Goal]) -> (met: Int, partiallyMet: Int, notMet: Int) {
        (goals.count { $0.status == .met }, goals.count { $0.status == .partiallyMet }, goals.count { $0.status == .notMet })
    }

    /// A subjective section started from the intake, for the therapist to edit.
    public static func subjectiveFromIntake(_ intake: Intake) -> String {
        var lines: [String] = []
        if let c = intake.conditionCategory { lines.append("Reason for care: \(c.displayName).") }
        if !intake.bodyRegions.isEmpty { lines.append("Region(s): \(intake.bodyRegions.map(\.displayName).joined(separator: ", ")).") }
        if let onset = intake.onsetDate { lines.append("Onset: \(onset).") }
        if let surgery = intake.surgeryDate { lines.append("Surgery: \(intake.surgeryProcedure ?? "procedure not given") on \(surgery).") }
        if let s = intake.symptoms { lines.append("Symptoms: \(s)") }
        if let p = intake.currentPain { lines.append("Current pain (NPRS): \(p)/10.") }
        if let b = intake.betterWith { lines.append("Better with: \(b)") }
        if let w = intake.worseWith { lines.append("Worse with: \(w)") }
        if let g = intake.goals { lines.append("Patient's goals: \(g)") }
        if !intake.history.isEmpty { lines.append("History: \(intake.history.map(\.displayName).joined(separator: "; ")).") }
        if !intake.medications.isEmpty { lines.append("Medications: \(intake.medications.map(\.displayName).joined(separator: "; ")).") }
        return lines.joined(separator: "\n")
    }
}

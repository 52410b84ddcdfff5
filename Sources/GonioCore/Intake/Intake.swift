/// What a patient (or their caregiver) tells Gonio before the first visit. Saved as a draft as
/// they go; submitted when complete, which runs the red-flag screen.
public struct Intake: Codable, Sendable, Equatable {
    public enum ConditionCategory: String, Codable, Sendable, CaseIterable {
        case musculoskeletal, postSurgical = "post-surgical", athleticInjury = "athletic-injury", neurological, pediatric, other
        public var displayName: String {
            switch self {
            case .musculoskeletal: "Muscle, joint or bone problem"
            case .postSurgical: "Recovery after surgery"
            case .athleticInjury: "Sports or exercise injury"
            case .neurological: "Neurological condition (e.g. stroke, Parkinson's, MS)"
            case .pediatric: "Child's development or condition"
            case .other: "Something else"
            }
        }
    }

    public enum BodyRegion: String, Codable, Sendable, CaseIterable {
        case neck, upperBack = "upper-back", lowerBack = "lower-back", shoulder, elbow, wristHand = "wrist-hand",
             hip, knee, ankleFoot = "ankle-foot", wholeBody = "whole-body"
        public var displayName: String {
            switch self {
            case .neck: "Neck"
            case .upperBack: "Upper back"
            case .lowerBack: "Lower back"
            case .shoulder: "Shoulder"
            case .elbow: "Elbow"
            case .wristHand: "Wrist or hand"
            case .hip: "Hip"
            case .knee: "Knee"
            case .ankleFoot: "Ankle or foot"
            case .wholeBody: "Whole body or balance"
            }
        }
    }

    /// History items that change how exercise is dosed or supervised.
    public enum HistoryItem: String, Codable, Sendable, CaseIterable {
        case heartDisease = "heart-disease", highBloodPressure = "high-blood-pressure", diabetes, lungDisease = "lung-disease",
             osteoporosis, cancer, stroke, falls, jointReplacement = "joint-replacement", pacemaker, pregnancy, seizures
        public var displayName: String {
            switch self {
            case .heartDisease: "Heart disease"
            case .highBloodPressure: "High blood pressure"
            case .diabetes: "Diabetes"
            case .lungDisease: "Lung disease (e.g. COPD, asthma)"
            case .osteoporosis: "Osteoporosis"
            case .cancer: "Cancer (now or in the past)"
            case .stroke: "Stroke"
            case .falls: "Falls in the last year"
            case .jointReplacement: "Joint replacement"
            case .pacemaker: "Pacemaker or implanted device"
            case .pregnancy: "Pregnant now"
            case .seizures: "Seizures"
            }
        }
    }

    /// Medication classes that matter for exercise.
    public enum Medication: String, Codable, Sendable, CaseIterable {
        case anticoagulant, betaBlocker = "beta-blocker", insulin, corticosteroid, opioid, sedative
        public var displayName: String {
            switch self {
            case .anticoagulant: "Blood thinners (e.g. warfarin, apixaban)"
            case .betaBlocker: "Beta blockers (e.g. metoprolol)"
            case .insulin: "Insulin or other diabetes medicine that can cause low blood sugar"
            case .corticosteroid: "Steroid tablets (e.g. prednisone)"
            case .opioid: "Opioid pain medicine"
            case .sedative: "Sleeping tablets or sedatives"
            }
        }
    }

    public enum InternetQuality: String, Codable, Sendable, CaseIterable { case good, fair, poor, none }
    public enum Assistance: String, Codable, Sendable, CaseIterable {
        case independent, someHelp = "some-help", fullHelp = "full-help"
    }

    public struct Readiness: Codable, Sendable, Equatable {
        public var hasCameraDevice: Bool?
        public var internet: InternetQuality?
        public var spaceToMove: Bool?
        public var assistanceNeeded: Assistance?
        public var helperAvailable: Bool?
        public var preferredLanguage: String?
        public init() {}
    }

    public var conditionCategory: ConditionCategory?
    public var bodyRegions: [BodyRegion]
    public var onsetDate: CalendarDay?
    public var surgeryDate: CalendarDay?
    public var surgeryProcedure: String?
    public var symptoms: String?
    public var currentPain: Int?
    public var betterWith: String?
    public var worseWith: String?
    public var goals: String?
    public var history: [HistoryItem]
    public var medications: [Medication]
    public var otherMedications: String?
    /// Where the patient will be during visits: licensure follows the patient (CLINICAL.md §4).
    public var visitLocation: Jurisdiction?
    public var readiness: Readiness
    /// Red-flag screen answers by question id (RedFlagScreen.questions).
    public var redFlags: [String: Bool]
    public var age: Int?

    public init() {
        bodyRegions = []
        history = []
        medications = []
        readiness = Readiness()
        redFlags = [:]
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        conditionCategory = try c.decodeIfPresent(ConditionCategory.self, forKey: .conditionCategory)
        bodyRegions = try c.decodeIfPresent([BodyRegion].self, forKey: .bodyRegions) ?? []
        onsetDate = try c.decodeIfPresent(CalendarDay.self, forKey: .onsetDate)
        surgeryDate = try c.decodeIfPresent(CalendarDay.self, forKey: .surgeryDate)
        surgeryProcedure = try c.decodeIfPresent(String.self, forKey: .surgeryProcedure)
        symptoms = try c.decodeIfPresent(String.self, forKey: .symptoms)
        currentPain = try c.decodeIfPresent(Int.self, forKey: .currentPain)
        betterWith = try c.decodeIfPresent(String.self, forKey: .betterWith)
        worseWith = try c.decodeIfPresent(String.self, forKey: .worseWith)
        goals = try c.decodeIfPresent(String.self, forKey: .goals)
        history = try c.decodeIfPresent([HistoryItem].self, forKey: .history) ?? []
        medications = try c.decodeIfPresent([Medication].self, forKey: .medications) ?? []
        otherMedications = try c.decodeIfPresent(String.self, forKey: .otherMedications)
        visitLocation = try c.decodeIfPresent(Jurisdiction.self, forKey: .visitLocation)
        readiness = try c.decodeIfPresent(Readiness.self, forKey: .readiness) ?? Readiness()
        redFlags = try c.decodeIfPresent([String: Bool].self, forKey: .redFlags) ?? [:]
        age = try c.decodeIfPresent(Int.self, forKey: .age)
    }
}

/// Something the therapist should see before the first visit.
public struct IntakeConcern: Codable, Sendable, Equatable {
    public enum Level: String, Codable, Sendable { case info, caution }
    public var code: String
    public var level: Level
    public var message: String
}

public enum IntakeRules {
    public static let maxTextLength = 2000

    /// Checks a draft: values in range, dates not in the future, text bounded, red-flag ids known.
    public static func validate(_ intake: Intake, today: CalendarDay) throws(DomainError) {
        if let pain = intake.currentPain, !(0...10).contains(pain) {
            throw .invalid("pain-out-of-range", "Current pain must be from 0 (no pain) to 10 (worst imaginable).")
        }
        if let age = intake.age, !(0...120).contains(age) {
            throw .invalid("age-out-of-range", "Age must be between 0 and 120.")
        }
        for (name, day) in [("onset date", intake.onsetDate), ("surgery date", intake.surgeryDate)] {
            if let day, day > today { throw .invalid("date-in-future", "The \(name) cannot be in the future.") }
        }
        let texts: [(String, String?)] = [
            ("surgery procedure", intake.surgeryProcedure), ("symptoms", intake.symptoms), ("what makes it better", intake.betterWith),
            ("what makes it worse", intake.worseWith), ("goals", intake.goals), ("other medications", intake.otherMedications),
            ("preferred language", intake.readiness.preferredLanguage),
        ]
        for (name, text) in texts where (text?.count ?? 0) > maxTextLength {
            throw .invalid("text-too-long", "Keep \(name) to \(maxTextLength) characters.")
        }
        if Set(intake.bodyRegions).count != intake.bodyRegions.count {
            throw .invalid("body-region-duplicate", "List each body region once.")
        }
        let known = Set(RedFlagScreen.questions.map(\.id))
        if let unknown = intake.redFlags.keys.sorted().first(where: { !known.contains($0) || $0 == "age" }) {
            throw .invalid("unknown-question", "There is no yes/no red-flag question '\(unknown.prefix(60))'.")
        }
    }

    /// What is still needed before the intake can be submitted (empty when complete).
    public static func missing(_ intake: Intake) -> [String] {
        var missing: [String] = []
        func blank(_ s: String?) -> Bool { (s ?? "").trimmingWhitespace().isEmpty }
        if intake.conditionCategory == nil { missing.append("conditionCategory") }
        if intake.bodyRegions.isEmpty { missing.append("bodyRegions") }
        if intake.conditionCategory == .postSurgical {
            if intake.surgeryDate == nil { missing.append("surgeryDate") }
            if blank(intake.surgeryProcedure) { missing.append("surgeryProcedure") }
        } else if intake.onsetDate == nil {
            missing.append("onsetDate")
        }
        if intake.currentPain == nil { missing.append("currentPain") }
        if blank(intake.goals) { missing.append("goals") }
        if intake.visitLocation == nil { missing.append("visitLocation") }
        if intake.age == nil { missing.append("age") }
        let r = intake.readiness
        if r.hasCameraDevice == nil { missing.append("readiness.hasCameraDevice") }
        if r.internet == nil { missing.append("readiness.internet") }
        if r.spaceToMove == nil { missing.append("readiness.spaceToMove") }
        if r.assistanceNeeded == nil { missing.append("readiness.assistanceNeeded") }
        if r.assistanceNeeded != nil, r.assistanceNeeded != .independent, r.helperAvailable == nil {
            missing.append("readiness.helperAvailable")
        }
        // Every red-flag question must be answered: an unanswered safety question is not a "no".
        for q in RedFlagScreen.questions where q.type == .boolean && intake.redFlags[q.id] == nil {
            missing.append("redFlags.\(q.id)")
        }
        return missing
    }

    /// The red-flag screen on the intake's answers (age from the intake).
    public static func triage(_ intake: Intake) -> TriageResult {
        var answers = intake.redFlags.mapValues(TriageInput.bool)
        if let age = intake.age { answers["age"] = .number(Double(age)) }
        // Ids were validated on save; an unknown id cannot reach here.
        return (try? RedFlagScreen.evaluate(answers)) ?? TriageResult(outcome: .therapistReview, reasons: [])
    }

    /// Readiness for virtual care and exercise-relevant history, for the therapist's summary.
    /// Medication notes follow common exercise-prescription cautions (ACSM guidance) [uncertain: M].
    public static func concerns(_ intake: Intake) -> [IntakeConcern] {
        var out: [IntakeConcern] = []
        let r = intake.readiness
        func add(_ code: String, _ level: IntakeConcern.Level, _ message: String) {
            out.append(IntakeConcern(code: code, level: level, message: message))
        }
        if r.hasCameraDevice == false { add("no-camera", .caution, "No device with a camera: video visits and form checks are not possible yet.") }
        switch r.internet {
        case .poor?: add("poor-internet", .caution, "Poor internet: plan audio fallback and low-bandwidth video.")
        case .none?: add("no-internet", .caution, "No internet at home: virtual care needs another place or an in-person plan.")
        default: break
        }
        if r.spaceToMove == false { add("no-space", .caution, "Not enough space to move safely: choose seated or standing-in-place exercises.") }
        if let need = r.assistanceNeeded, need != .independent {
            if r.helperAvailable == false {
                add("no-helper", .caution, "Needs help to move but no one can assist during sessions: consider in-person care or caregiver support.")
            } else {
                add("needs-helper", .info, "Needs help to move: a helper should be present for sessions.")
            }
        }
        if let language = r.preferredLanguage?.trimmingWhitespace(), !language.isEmpty, language.lowercased() != "english" {
            add("language", .info, "Prefers \(language): arrange an interpreter if needed.")
        }
        if intake.medications.contains(.anticoagulant) { add("anticoagulant", .caution, "Takes blood thinners: higher bleeding and bruising risk with falls.") }
        if intake.medications.contains(.betaBlocker) { add("beta-blocker", .caution, "Takes beta blockers: heart rate response is blunted; dose by perceived exertion.") }
        if intake.medications.contains(.insulin) { add("hypoglycaemia", .caution, "Takes insulin or similar: risk of low blood sugar during exercise.") }
        if intake.history.contains(.falls) || intake.medications.contains(.sedative) {
            add("fall-risk", .caution, "Fall risk (falls in the last year or sedatives): supervise balance work.")
        }
        if intake.history.contains(.pregnancy) { add("pregnancy", .caution, "Pregnant: adapt exercise choice and intensity.") }
        if intake.history.contains(.pacemaker) { add("implanted-device", .info, "Has an implanted device.") }
        return out
    }
}

/// Where an intake stands. Stored as its raw value.
public enum IntakeStatus: String, Codable, Sendable, CaseIterable {
    /// Saved answers that can still change.
    case draft
    /// Locked: the red-flag screen has run; corrections go through the therapist.
    case submitted
}

/// The therapist's decision on a flagged intake.
public enum TriageDecision: String, Codable, Sendable, CaseIterable {
    /// Virtual care may go ahead.
    case clearedForVirtualCare = "cleared-for-virtual-care"
    /// The patient must be seen in person first.
    case referredInPerson = "referred-in-person"
    /// The patient was sent to emergency care.
    case referredEmergency = "referred-emergency"
}

public enum TriageGate {
    /// Whether a virtual visit may be booked: only after a submitted intake, and only when the
    /// screen was clear or a therapist has cleared it (issue 3).
    public static func mayBookVirtualVisit(submitted: Bool, outcome: TriageOutcome?, decision: TriageDecision?) -> Bool {
        guard submitted, let outcome else { return false }
        if outcome == .clear { return true }
        return decision == .clearedForVirtualCare
    }

    /// A therapist's decision must give a reason; it can only be made on a submitted, flagged intake.
    public static func validateDecision(_ decision: TriageDecision, reason: String, outcome: TriageOutcome?) throws(DomainError) {
        guard let outcome else { throw .conflict("intake-not-submitted", "The intake has not been submitted yet.") }
        guard outcome != .clear else { throw .conflict("intake-not-flagged", "The screen was clear; no decision is needed.") }
        let trimmed = reason.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .invalid("reason-missing", "Give the reason for the decision.") }
        guard trimmed.count <= 2000 else { throw .invalid("reason-too-long", "Keep the reason to 2000 characters.") }
    }
}

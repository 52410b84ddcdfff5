import Vapor
import Fluent
import GonioCore

/// The intake as JSON (`/api/v1/patients/{id}/intake`) and as a phone-friendly page saved as a
/// draft, submitted when complete, with the screen's result and the therapist's decision. Both
/// ask the gate the same questions, so every role and caregiver scope gets the same answer.
struct IntakeRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.intake, use: getAPI)
        routes.api.put(Paths.API.intake, use: saveAPI)
        routes.api.post(Paths.API.intakeSubmit, use: submitAPI)
        routes.api.post(Paths.API.intakeDecision, use: decideAPI)

        routes.web.get(Paths.intake, use: show)
        routes.web.post(Paths.intake, use: save)
        routes.web.post(Paths.intakeDecision, use: decide)
    }

    static func resource(_ id: UUID) -> String { "patient/\(id)/intake" }

    // MARK: API

    func getAPI(req: Request) async throws -> IntakeService.View {
        let ctx = req.context
        let id = try req.uuidParameter("patientID")
        let patient = try await ctx.gate.authorize(.intakeRead, patientID: id, resource: Self.resource(id))
        return try await IntakeService(ctx: ctx).get(patient)
    }

    func saveAPI(req: Request) async throws -> IntakeService.View {
        let id = try req.uuidParameter("patientID")
        return try await req.context.gate.change(.intakeSave, patientID: id, resource: Self.resource(id)) { patient, tx in
            try await IntakeService(ctx: tx).saveDraft(patient, intake: try req.content.decode(Intake.self))
        }
    }

    func submitAPI(req: Request) async throws -> IntakeService.View {
        let id = try req.uuidParameter("patientID")
        return try await req.context.gate.change(.intakeSubmit, patientID: id, resource: Self.resource(id)) { patient, tx in
            try await IntakeService(ctx: tx).submit(patient)
        }
    }

    struct DecisionBody: Content {
        var decision: String
        var reason: String
    }

    func decideAPI(req: Request) async throws -> IntakeService.View {
        let id = try req.uuidParameter("patientID")
        return try await req.context.gate.change(.intakeDecide, patientID: id, resource: Self.resource(id) + "/decision") { patient, tx in
            let body = try req.content.decode(DecisionBody.self)
            return try await IntakeService(ctx: tx).decide(patient, decision: body.decision, reason: body.reason)
        }
    }

    // MARK: Pages

    struct YesNoRow: Encodable {
        var id: String
        var text: String
        var yes: Bool
        var no: Bool
    }

    struct Reason: Encodable {
        var explanation: String
        var source: String
    }

    struct Context: Encodable {
        var patientId: String
        var formAction: String
        var decisionAction: String
        var patientName: String
        var status: String
        var editable: Bool
        var submitted: Bool
        var canDecide: Bool
        var categories: [Choice]
        var regions: [Choice]
        var onsetDate: String
        var surgeryDate: String
        var surgeryProcedure: String
        var symptoms: String
        var pain: [Choice]
        var betterWith: String
        var worseWith: String
        var goals: String
        var history: [Choice]
        var medications: [Choice]
        var otherMedications: String
        var age: String
        var states: [Choice]
        var camera: [Choice]
        var internet: [Choice]
        var space: [Choice]
        var assistance: [Choice]
        var helper: [Choice]
        var language: String
        var questions: [YesNoRow]
        var missing: Int
        var outcome: String
        var advice: String
        var isEmergency: Bool
        var reasons: [Reason]
        var concerns: [IntakeConcern]
        var decision: String
        var decisionReason: String
        var decisionOptions: [Choice]
        var virtualCareAllowed: Bool
        var maxDate: String
    }

    static func yesNo(_ value: Bool?) -> [Choice] {
        [Choice(value: "yes", label: "Yes", selected: value == true), Choice(value: "no", label: "No", selected: value == false)]
    }

    /// What the page shows and offers, from the gate's proof: no second look-up of the patient.
    func context(_ req: Request, patient: AuthorizedPatient, view: IntakeService.View) -> Context {
        let (patientID, name, mayFill, mayDecide) = (patient.id, patient.name, patient.may(.completeForms), patient.may(.writeClinical))
        let i = view.intake
        let r = i.readiness
        let submitted = view.status == IntakeStatus.submitted.rawValue
        let decision = view.decision.flatMap { TriageDecision(rawValue: $0.decision) }
        return Context(
            patientId: patientID.uuidString, formAction: Paths.intake(patientID), decisionAction: Paths.intakeDecision(patientID),
            patientName: name, status: view.status,
            editable: mayFill && !submitted, submitted: submitted,
            canDecide: mayDecide && submitted && (view.triage?.outcome ?? .clear) != .clear,
            categories: Intake.ConditionCategory.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: i.conditionCategory == $0) },
            regions: Intake.BodyRegion.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: i.bodyRegions.contains($0)) },
            onsetDate: i.onsetDate?.description ?? "", surgeryDate: i.surgeryDate?.description ?? "",
            surgeryProcedure: i.surgeryProcedure ?? "", symptoms: i.symptoms ?? "",
            pain: (0...10).map { Choice(value: String($0), label: String($0), selected: i.currentPain == $0) },
            betterWith: i.betterWith ?? "", worseWith: i.worseWith ?? "", goals: i.goals ?? "",
            history: Intake.HistoryItem.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: i.history.contains($0)) },
            medications: Intake.Medication.allCases.map { Choice(value: $0.rawValue, label: $0.displayName, selected: i.medications.contains($0)) },
            otherMedications: i.otherMedications ?? "", age: i.age.map(String.init) ?? "",
            states: Choice.usStates(selected: i.visitLocation?.code),
            camera: Self.yesNo(r.hasCameraDevice),
            internet: [("good", "Good: video calls work well"), ("fair", "Fair: video sometimes freezes"), ("poor", "Poor: video rarely works"), ("none", "No internet at home")]
                .map { Choice(value: $0.0, label: $0.1, selected: r.internet?.rawValue == $0.0) },
            space: Self.yesNo(r.spaceToMove),
            assistance: [("independent", "I move around on my own"), ("some-help", "I need some help"), ("full-help", "I need help for most movements")]
                .map { Choice(value: $0.0, label: $0.1, selected: r.assistanceNeeded?.rawValue == $0.0) },
            helper: Self.yesNo(r.helperAvailable), language: r.preferredLanguage ?? "",
            questions: RedFlagScreen.questions.filter { $0.type == .boolean }.map {
                YesNoRow(id: $0.id, text: $0.text, yes: i.redFlags[$0.id] == true, no: i.redFlags[$0.id] == false)
            },
            missing: view.missing.count,
            outcome: view.triage?.outcome.rawValue ?? "",
            advice: view.triage?.outcome.advice ?? "",
            isEmergency: view.triage?.outcome == .emergency,
            reasons: (view.triage?.reasons ?? []).map { Reason(explanation: $0.explanation, source: $0.source) },
            concerns: view.concerns,
            decision: decision.map(Self.decisionLabel) ?? "", decisionReason: view.decision?.reason ?? "",
            decisionOptions: TriageDecision.allCases.map { Choice(value: $0.rawValue, label: Self.decisionLabel($0), selected: false) },
            virtualCareAllowed: view.virtualCareAllowed, maxDate: req.context.today.description)
    }

    static func decisionLabel(_ d: TriageDecision) -> String {
        switch d {
        case .clearedForVirtualCare: "Cleared for virtual care"
        case .referredInPerson: "Referred for in-person care first"
        case .referredEmergency: "Sent to emergency care"
        }
    }

    func render(_ req: Request, patient: AuthorizedPatient, view: IntakeService.View, notice: String? = nil, error: String? = nil,
                status: HTTPResponseStatus = .ok) async throws -> Response {
        try await WebPage.render(req, "intake", title: "Intake", context(req, patient: patient, view: view),
                                 notice: notice, error: error, status: status)
    }

    /// Reads the intake (audited as `intake.read`) and shows it.
    func page(_ req: Request, id: UUID, typed: Intake? = nil, notice: String? = nil, error: String? = nil,
              status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = req.context
        let patient = try await ctx.gate.authorize(.intakeRead, patientID: id, resource: Self.resource(id))
        var view = try await IntakeService(ctx: ctx).get(patient)
        if let typed, view.status != IntakeStatus.submitted.rawValue {
            view.intake = typed
            view.missing = IntakeRules.missing(typed)
        }
        return try await render(req, patient: patient, view: view, notice: notice, error: error, status: status)
    }

    func show(req: Request) async throws -> Response {
        try await page(req, id: try req.uuidParameter("patientID"), notice: WebPage.notice(req, [
            "saved": "Your answers are saved. You can come back and finish later.", "decided": "Your decision was recorded.",
        ]))
    }

    /// The form's fields. Checkbox groups arrive as arrays; yes/no questions as rf[id]=yes|no.
    struct Form: Content {
        var action: String?
        var conditionCategory: String?
        var bodyRegions: [String]?
        var onsetDate: String?
        var surgeryDate: String?
        var surgeryProcedure: String?
        var symptoms: String?
        var currentPain: String?
        var betterWith: String?
        var worseWith: String?
        var goals: String?
        var history: [String]?
        var medications: [String]?
        var otherMedications: String?
        var age: String?
        var visitLocation: String?
        var hasCameraDevice: String?
        var internet: String?
        var spaceToMove: String?
        var assistanceNeeded: String?
        var helperAvailable: String?
        var preferredLanguage: String?
        var rf: [String: String]?

        func intake() throws -> Intake {
            func text(_ s: String?) -> String? {
                let t = s?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                return t.isEmpty ? nil : t
            }
            func choice<T: RawRepresentable>(_ raw: String?, _ field: String) throws -> T? where T.RawValue == String {
                guard let raw = text(raw) else { return nil }
                guard let value = T(rawValue: raw) else { throw DomainError.invalid("\(field)-invalid", "Choose one of the options for \(field).") }
                return value
            }
            func yes(_ raw: String?) -> Bool? { raw == "yes" ? true : raw == "no" ? false : nil }
            func day(_ raw: String?) throws -> CalendarDay? { try text(raw).map { try CalendarDay($0) } }
            var i = Intake()
            i.conditionCategory = try choice(conditionCategory, "the kind of problem")
            i.bodyRegions = try (bodyRegions ?? []).map { raw in
                guard let r = Intake.BodyRegion(rawValue: raw) else { throw DomainError.invalid("body-region-invalid", "Choose body regions from the list.") }
                return r
            }
            i.onsetDate = try day(onsetDate)
            i.surgeryDate = try day(surgeryDate)
            i.surgeryProcedure = text(surgeryProcedure)
            i.symptoms = text(symptoms)
            if let pain = text(currentPain) {
                guard let n = Int(pain) else { throw DomainError.invalid("pain-out-of-range", "Choose your pain from 0 to 10.") }
                i.currentPain = n
            }
            i.betterWith = text(betterWith)
            i.worseWith = text(worseWith)
            i.goals = text(goals)
            i.history = try (history ?? []).map { raw in
                guard let h = Intake.HistoryItem(rawValue: raw) else { throw DomainError.invalid("history-invalid", "Choose health conditions from the list.") }
                return h
            }
            i.medications = try (medications ?? []).map { raw in
                guard let m = Intake.Medication(rawValue: raw) else { throw DomainError.invalid("medication-invalid", "Choose medicines from the list.") }
                return m
            }
            i.otherMedications = text(otherMedications)
            if let a = text(age) {
                guard let n = Int(a) else { throw DomainError.invalid("age-out-of-range", "Give your age in whole years.") }
                i.age = n
            }
            i.visitLocation = try text(visitLocation).map { try Jurisdiction($0) }
            i.readiness.hasCameraDevice = yes(hasCameraDevice)
            i.readiness.internet = try choice(internet, "internet")
            i.readiness.spaceToMove = yes(spaceToMove)
            i.readiness.assistanceNeeded = try choice(assistanceNeeded, "help needed")
            i.readiness.helperAvailable = yes(helperAvailable)
            i.readiness.preferredLanguage = text(preferredLanguage)
            for (id, answer) in rf ?? [:] {
                if let b = yes(answer) { i.redFlags[id] = b }
            }
            return i
        }
    }

    /// Saves the typed answers; "submit" saves and submits them in one change (one transaction,
    /// audited as `intake.save` and `intake.submit`), so what is screened is exactly what was typed.
    func save(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let ctx = req.context
        var typed: Intake?
        do {
            let (patient, view, submitting) = try await ctx.gate.change(.intakeSave, patientID: id, resource: Self.resource(id)) { patient, tx in
                let form = try req.form(Form.self)
                let service = IntakeService(ctx: tx)
                var view = try await service.saveDraft(patient, intake: try form.intake())
                guard form.action == "submit" else { return (patient, view, false) }
                // Submitting needs the same permission as saving; it is named in the log too.
                try await tx.audit.record(.init(action: PatientOperation.intakeSubmit.rawValue, patientID: patient.id,
                                                clinicID: patient.clinicID, resource: Self.resource(id), outcome: .allowed))
                view = try await service.submit(patient)
                return (patient, view, true)
            }
            guard submitting else { return WebPage.seeOther(Paths.intake(id, query: ["notice": "saved"])) }
            return try await render(req, patient: patient, view: view)
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            // Show the form again with what was typed and the message.
            typed = try? req.form(Form.self).intake()
            return try await page(req, id: id, typed: typed, error: error.message, status: HTTPResponseStatus(domain: error))
        }
    }

    struct DecisionForm: Content {
        var decision: String?
        var reason: String?
    }

    func decide(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        return try await WebPage.submitting({
            try await req.context.gate.change(.intakeDecide, patientID: id, resource: Self.resource(id) + "/decision") { patient, tx in
                let form = try req.form(DecisionForm.self)
                _ = try await IntakeService(ctx: tx).decide(patient, decision: form.decision ?? "", reason: form.reason ?? "")
            }
            return WebPage.seeOther(Paths.intake(id, query: ["notice": "decided"]))
        }, orShow: { message, status in
            try await page(req, id: id, error: message, status: status)
        })
    }
}

import Vapor
import Fluent
import GonioCore

/// The intake on the web: a phone-friendly form saved as a draft, submitted when complete, and a
/// summary with the screen's result and the therapist's decision.
struct IntakePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let page = routes.grouped("patients", ":patientID", "intake")
        page.get(use: show)
        page.post(use: save)
        page.post("decision", use: decide)
    }

    typealias Option = WebController.Option

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
        var patientName: String
        var status: String
        var editable: Bool
        var submitted: Bool
        var canDecide: Bool
        var categories: [Option]
        var regions: [Option]
        var onsetDate: String
        var surgeryDate: String
        var surgeryProcedure: String
        var symptoms: String
        var pain: [Option]
        var betterWith: String
        var worseWith: String
        var goals: String
        var history: [Option]
        var medications: [Option]
        var otherMedications: String
        var age: String
        var states: [Option]
        var camera: [Option]
        var internet: [Option]
        var space: [Option]
        var assistance: [Option]
        var helper: [Option]
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
        var decisionOptions: [Option]
        var virtualCareAllowed: Bool
        var maxDate: String
    }

    static func yesNo(_ value: Bool?) -> [Option] {
        [Option(value: "yes", label: "Yes", selected: value == true), Option(value: "no", label: "No", selected: value == false)]
    }

    func context(_ req: Request, patientID: UUID, view: IntakeService.View) async throws -> Context {
        // The caller was authorised by IntakeService already; this only decides what to offer.
        let may = try await req.patientAccess.capabilities(patientID: patientID)
        let (name, mayFill, mayDecide) = (may.patientName, may.completeForms, may.writeClinical)
        let i = view.intake
        let r = i.readiness
        let decision = view.decision.flatMap { TriageDecision(rawValue: $0.decision) }
        return Context(
            patientId: patientID.uuidString, patientName: name, status: view.status,
            editable: mayFill && view.status != "submitted", submitted: view.status == "submitted",
            canDecide: mayDecide && view.status == "submitted" && (view.triage?.outcome ?? .clear) != .clear,
            categories: Intake.ConditionCategory.allCases.map { Option(value: $0.rawValue, label: $0.displayName, selected: i.conditionCategory == $0) },
            regions: Intake.BodyRegion.allCases.map { Option(value: $0.rawValue, label: $0.displayName, selected: i.bodyRegions.contains($0)) },
            onsetDate: i.onsetDate?.description ?? "", surgeryDate: i.surgeryDate?.description ?? "",
            surgeryProcedure: i.surgeryProcedure ?? "", symptoms: i.symptoms ?? "",
            pain: (0...10).map { Option(value: String($0), label: String($0), selected: i.currentPain == $0) },
            betterWith: i.betterWith ?? "", worseWith: i.worseWith ?? "", goals: i.goals ?? "",
            history: Intake.HistoryItem.allCases.map { Option(value: $0.rawValue, label: $0.displayName, selected: i.history.contains($0)) },
            medications: Intake.Medication.allCases.map { Option(value: $0.rawValue, label: $0.displayName, selected: i.medications.contains($0)) },
            otherMedications: i.otherMedications ?? "", age: i.age.map(String.init) ?? "",
            states: Jurisdiction.usStates.sorted { $0.value < $1.value }.map {
                Option(value: "US-\($0.key)", label: $0.value, selected: i.visitLocation?.code == "US-\($0.key)")
            },
            camera: Self.yesNo(r.hasCameraDevice),
            internet: [("good", "Good: video calls work well"), ("fair", "Fair: video sometimes freezes"), ("poor", "Poor: video rarely works"), ("none", "No internet at home")]
                .map { Option(value: $0.0, label: $0.1, selected: r.internet?.rawValue == $0.0) },
            space: Self.yesNo(r.spaceToMove),
            assistance: [("independent", "I move around on my own"), ("some-help", "I need some help"), ("full-help", "I need help for most movements")]
                .map { Option(value: $0.0, label: $0.1, selected: r.assistanceNeeded?.rawValue == $0.0) },
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
            decisionOptions: TriageDecision.allCases.map { Option(value: $0.rawValue, label: Self.decisionLabel($0), selected: false) },
            virtualCareAllowed: view.virtualCareAllowed, maxDate: req.today.description)
    }

    static func decisionLabel(_ d: TriageDecision) -> String {
        switch d {
        case .clearedForVirtualCare: "Cleared for virtual care"
        case .referredInPerson: "Referred for in-person care first"
        case .referredEmergency: "Sent to emergency care"
        }
    }

    func render(_ req: Request, patientID: UUID, view: IntakeService.View, notice: String? = nil, error: String? = nil,
                status: HTTPResponseStatus = .ok) async throws -> Response {
        try await WebPage.render(req, "intake", title: "Intake", context(req, patientID: patientID, view: view),
                                 notice: notice, error: error, status: status)
    }

    func show(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        let view = try await IntakeService(req: req).get(patientID: id)
        let notice = (try? req.query.get(String.self, at: "notice")).flatMap {
            ["saved": "Your answers are saved. You can come back and finish later.", "decided": "Your decision was recorded."][$0]
        }
        return try await render(req, patientID: id, view: view, notice: notice)
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

    func save(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        _ = try req.requireUser()
        let form = try req.content.decode(Form.self)
        let service = IntakeService(req: req)
        do {
            let intake = try form.intake()
            var view = try await service.saveDraft(patientID: id, intake: intake)
            if form.action == "submit" {
                view = try await service.submit(patientID: id)
                return try await render(req, patientID: id, view: view)
            }
            return Response(status: .seeOther, headers: ["Location": "/patients/\(id)/intake?notice=saved"])
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            // Show the form again with what was typed and the message.
            var view = try await service.get(patientID: id)
            if view.status != "submitted", let typed = try? form.intake() {
                view.intake = typed
                view.missing = IntakeRules.missing(typed)
            }
            return try await render(req, patientID: id, view: view, error: error.message, status: HTTPResponseStatus(domain: error))
        }
    }

    struct DecisionForm: Content {
        var decision: String?
        var reason: String?
    }

    func decide(req: Request) async throws -> Response {
        let id = try req.uuidParameter("patientID")
        _ = try req.requireUser()
        let form = try req.content.decode(DecisionForm.self)
        return try await WebPage.submitting({
            _ = try await IntakeService(req: req).decide(patientID: id, decision: form.decision ?? "", reason: form.reason ?? "")
            return Response(status: .seeOther, headers: ["Location": "/patients/\(id)/intake?notice=decided"])
        }, orShow: { message, status in
            try await render(req, patientID: id, view: IntakeService(req: req).get(patientID: id), error: message, status: status)
        })
    }
}

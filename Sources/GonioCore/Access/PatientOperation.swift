/// Something done with one patient's data, named as it appears in the audit log (`note.sign`),
/// and what the access policy must allow for it. Every read or write of patient data is one of
/// these; the server's gate asks `AccessPolicy` for `permits` and writes the name to the log.
///
/// Raw values are stable: they are stored in the audit log and offered as its filter.
public enum PatientOperation: String, CaseIterable, Codable, Sendable {
    /// A list of the patients one may act for (names; demographics where `viewRecord` holds):
    /// one audit entry names every patient shown.
    case patientList = "patient.list"
    case patientRead = "patient.read"
    case careTeamRead = "care-team.read"
    case careTeamAdd = "care-team.add"
    case careTeamRemove = "care-team.remove"
    case caregiversRead = "caregivers.read"
    case caregiverLink = "caregiver.link"
    case caregiverRevoke = "caregiver.revoke"
    /// The intake and its triage result. Whoever may fill it in may read what they are filling in.
    case intakeRead = "intake.read"
    /// Intake status (not started, draft, flagged, cleared) for each patient of a list.
    case intakeStatusList = "intake.status-list"
    case intakeSave = "intake.save"
    case intakeSubmit = "intake.submit"
    case intakeDecide = "intake.decide"
    /// Assigned measures. Scores are part of it only for those who may see the clinical record;
    /// a form-filler sees what is due.
    case measureList = "measure.list"
    case measureAssign = "measure.assign"
    /// Completing an assigned measure: questionnaires need `completeForms`, performance tests
    /// `writeClinical` (checked again once the assignment's kind is known).
    case measureComplete = "measure.complete"
    case noteList = "note.list"
    case noteRead = "note.read"
    /// The starting content of a new note (reads the intake and the latest evaluation).
    case noteTemplate = "note.template"
    case noteCreate = "note.create"
    case noteUpdate = "note.update"
    case noteSign = "note.sign"
    case noteAddendum = "note.addendum"
    /// The audit log of one patient.
    case auditRead = "audit.read"
    /// The current plan of care (and its earlier versions, for those who see the record).
    /// Whoever logs practice reads the plan they practise.
    case planRead = "plan.read"
    case planCreate = "plan.create"
    /// A new version of the plan, with the reason for it.
    case planRevise = "plan.revise"
    case planEnd = "plan.end"
    /// What is due today and what of it is done.
    case practiceToday = "practice.today"
    case practiceLog = "practice.log"
    /// Logs, adherence and streak.
    case practiceHistory = "practice.history"
    /// Last practice day and open alerts for each patient of a list.
    case practiceStatusList = "practice.status-list"
    /// A therapist marks a pain alert as seen.
    case practiceAlertAcknowledge = "practice.alert-acknowledge"
    /// A patient's visits, one visit, or its calendar file.
    case visitRead = "visit.read"
    case visitBook = "visit.book"
    /// Moving or cancelling a booked visit.
    case visitChange = "visit.change"
    /// Arrived with the minutes spent, or a no-show.
    case visitAttendance = "visit.attendance"
    /// Joining a video visit's call (the patient confirms where they are), and the host's start
    /// and end of the call.
    case visitJoin = "visit.join"
    /// A movement measured in a video visit (the virtual goniometer), kept with the visit.
    case visitMeasure = "visit.measure"
    /// The readings taken in a patient's visits.
    case visitReadings = "visit.readings"
    /// Range of motion measured by hand with a goniometer, and the list of them.
    case romRecord = "rom.record"
    case romList = "rom.list"
    /// The daily check-in: morning pain and new symptoms.
    case checkinSave = "checkin.save"
    case checkinList = "checkin.list"
    /// Progress over time: pain, adherence, measures, range of motion, goals.
    case progressRead = "progress.read"
    /// The progression engine's suggestions waiting for the therapist, and their decision.
    case suggestionList = "suggestion.list"
    case suggestionDecide = "suggestion.decide"
    /// Alerts between visits (pain, practice, measures, check-ins), and marking one seen.
    case alertList = "alert.list"
    case alertAcknowledge = "alert.acknowledge"
    /// Secure messages between the patient's side and the care team.
    case messageList = "message.list"
    case messageRead = "message.read"
    case messageSend = "message.send"
    /// The condition articles assigned with the plan, and whether they were read.
    case educationRead = "education.read"
    /// The patient's side opened an article: it counts as read.
    case educationMarkRead = "education.mark-read"
    /// What the course of care achieved: goals, measures, adherence, the exercises to keep.
    case dischargeSummary = "discharge.summary"
    /// The patient's invoices, payments and balance.
    case invoiceList = "invoice.list"
    /// The statement of account (charges, payments, refunds, balance) and a payment's receipt.
    case statementRead = "statement.read"
    case receiptRead = "receipt.read"
    /// Ending a subscription: the patient's side that pays, or the desk.
    case enrollmentCancel = "enrollment.cancel"
    /// The next period of a subscription, with its invoice (Gonio itself, when a period ends).
    case subscriptionRenew = "subscription.renew"
    /// Issuing an invoice (a visit, a subscription period, a package).
    case invoiceIssue = "invoice.issue"
    /// Recording a payment (outside the provider: cash, terminal, cheque) or a refund.
    case paymentRecord = "payment.record"
    /// Starting the provider's checkout to pay what is owed on an invoice.
    case invoicePay = "invoice.pay"
    /// Coding a visit (CPT codes, minutes, diagnoses), by its therapist; reading the coding and
    /// its claim (the therapist, the desk); the superbill (the patient, the desk).
    case visitCode = "visit.code"
    case visitCodingRead = "visit.coding-read"
    case superbillRead = "superbill.read"
    /// What a visit will cost the patient, before booking.
    case visitCost = "visit.cost"
    /// Applying for the sliding scale (the patient's side), and the clinic's decision.
    case discountApply = "discount.apply"
    case discountDecide = "discount.decide"
    /// Splitting an invoice's balance into instalments.
    case paymentPlanCreate = "payment-plan.create"
    /// Enrolling the patient in a package or subscription.
    case enrollmentCreate = "enrollment.create"
    /// Insurance coverage: reading it, and keeping it.
    case coverageRead = "coverage.read"
    case coverageSave = "coverage.save"
    /// The remote therapeutic monitoring ledger: days of data, management minutes, codes.
    case rtmRead = "rtm.read"
    /// The therapist logs treatment-management time (append-only).
    case rtmLog = "rtm.log"

    /// What Gonio itself may do for a patient unattended (a job, not a person): read a visit to
    /// remind of it, today's practice for the daily reminder, and a subscription's next period
    /// when the last one ends (the patient agreed to it when subscribing). Everything else
    /// needs a person.
    public static let unattended: Set<PatientOperation> = [.visitRead, .practiceToday, .subscriptionRenew]

    /// The policy actions that allow this operation: any one of them is enough.
    public var permits: Set<PatientAction> {
        switch self {
        case .patientList: [.viewRecord, .viewClinical, .completeForms, .logPractice, .bookVisit, .message]
        case .patientRead, .careTeamRead, .caregiversRead: [.viewRecord]
        case .careTeamAdd, .careTeamRemove: [.manageCareTeam]
        case .caregiverLink, .caregiverRevoke: [.manageCaregivers]
        case .intakeRead, .measureList: [.viewClinical, .completeForms]
        case .intakeStatusList: [.viewClinical]
        case .intakeSave, .intakeSubmit: [.completeForms]
        case .intakeDecide, .measureAssign, .noteTemplate, .noteCreate, .noteUpdate, .noteSign, .noteAddendum: [.writeClinical]
        case .measureComplete: [.completeForms, .writeClinical]
        case .noteList, .noteRead: [.viewClinical]
        case .auditRead: [.viewAudit]
        case .planRead, .practiceToday, .practiceHistory: [.viewClinical, .logPractice]
        case .planCreate, .planRevise, .planEnd, .practiceAlertAcknowledge: [.writeClinical]
        case .practiceLog: [.logPractice]
        case .practiceStatusList: [.viewClinical]
        case .visitRead: [.viewRecord, .bookVisit]
        case .visitBook, .visitChange: [.bookVisit]
        case .visitAttendance: [.writeClinical]
        case .visitJoin: [.viewRecord, .bookVisit, .writeClinical]
        case .visitMeasure: [.writeClinical]
        case .visitReadings, .romList: [.viewClinical]
        case .romRecord: [.writeClinical]
        case .checkinSave: [.logPractice]
        case .checkinList: [.viewClinical, .logPractice]
        case .progressRead: [.viewClinical]
        case .suggestionList, .suggestionDecide, .alertList, .alertAcknowledge: [.writeClinical]
        case .messageList, .messageRead, .messageSend: [.message]
        case .educationRead: [.viewClinical, .logPractice]
        case .educationMarkRead: [.logPractice]
        case .dischargeSummary: [.viewClinical]
        case .invoiceList, .invoicePay, .coverageRead, .superbillRead, .discountApply, .statementRead, .receiptRead: [.viewBilling]
        case .enrollmentCancel: [.viewBilling, .manageBilling]
        case .visitCost: [.viewBilling, .bookVisit]
        case .discountDecide, .enrollmentCreate, .paymentPlanCreate, .subscriptionRenew: [.manageBilling]
        case .visitCode: [.writeClinical]
        case .visitCodingRead: [.writeClinical, .manageBilling]
        case .invoiceIssue, .paymentRecord, .coverageSave: [.manageBilling]
        // The therapist who bills the monitoring, and the front desk's worklist.
        case .rtmRead: [.writeClinical, .manageBilling]
        case .rtmLog: [.writeClinical]
        }
    }

}

/// Events in the audit log that are not an operation on one existing patient's data.
public enum AccountEvent: String, CaseIterable, Codable, Sendable {
    /// A new account; for a patient, the record (date of birth, location) it creates.
    case register = "account.register"
    /// The audit log of a whole clinic.
    case clinicAuditRead = "audit.clinic-read"
    /// The payment provider's signed webhook recorded a card payment.
    case providerPayment = "payment.provider"
}

extension AccessPolicy {
    /// Whether `actor` may perform `operation`: one of its permitted actions is allowed. The
    /// reason of the first refusal is kept for the audit log.
    public static func decide(
        _ actor: Actor, _ operation: PatientOperation, relationship: PatientRelationship, now: Double
    ) -> AccessDecision {
        var refusal: AccessDecision?
        for action in PatientAction.allCases where operation.permits.contains(action) {
            let decision = decide(actor, action, relationship: relationship, now: now)
            if decision.isAllowed { return .allowed }
            refusal = refusal ?? decision
        }
        return refusal ?? .denied(reason: "no-action-permits-this")
    }

    /// Every action `actor` may take for this patient now: what a page offers (forms, links).
    public static func granted(_ actor: Actor, relationship: PatientRelationship, now: Double) -> Set<PatientAction> {
        Set(PatientAction.allCases.filter { decide(actor, $0, relationship: relationship, now: now).isAllowed })
    }
}

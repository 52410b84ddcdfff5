import Vapor
import Fluent
import GonioCore

/// Two weeks of care for the demo patients, made through the same services and gate as the app
/// (so the audit log tells the same story), each step on the day it happened:
/// - Maria Lopez (`patient@`), knee osteoarthritis: a clear intake, a signed initial
///   evaluation, KOOS JR and the 30-second chair stand at baseline and two weeks, a plan from the
///   knee osteoarthritis protocol (changed once), and two weeks of practice with missed days,
///   pain mostly 2-4 and one flare that raised an alert.
/// - James Chen (`patient2@`), three weeks after ACL reconstruction: an intake flagged for
///   review (dizziness) and cleared with a reason, a signed evaluation, LEFS at baseline and two
///   weeks, and a plan from phase 2 of the ACL protocol with practice.
/// Each has had a visit with the demo therapist and has the next one booked (`seedVisits`).
/// Nothing is logged today, so today each demo record says "Not started".
enum DemoHistory {
    struct People {
        var maria: UUID
        var james: UUID
        var mariaUser: CurrentUser
        var jamesUser: CurrentUser
        var dana: CurrentUser
        /// Maria's caregiver (her daughter).
        var ana: CurrentUser
        /// The clinic's admin.
        var admin: CurrentUser
    }

    static func people(_ ctx: CallContext, maria mariaID: UUID, james jamesID: UUID) async throws -> People {
        func user(_ email: String, patient: UUID? = nil) async throws -> CurrentUser {
            guard let model = try await UserModel.query(on: ctx.db).filter(\.$email == email).first() else {
                throw CommandFailure("Demo account \(email) is missing.")
            }
            let id = try model.requireID()
            let therapist = try await TherapistModel.query(on: ctx.db).filter(\.$user.$id == id).first()
            let memberships = try await ClinicMembershipModel.query(on: ctx.db).filter(\.$user.$id == id).all()
            let clinics = memberships.map(\.$clinic.id)
            return CurrentUser(userID: id, email: model.email, name: model.name, role: model.role, sessionID: UUID(), sessionKind: .api,
                               csrfToken: "", sessionCreatedAt: ctx.now, sessionLastSeenAt: ctx.now, patientID: patient,
                               therapistID: therapist?.id, therapistVerified: therapist?.verification == .verified, clinicIDs: clinics,
                               adminClinicIDs: memberships.filter { $0.role == .clinicAdmin }.map(\.$clinic.id))
        }
        let maria = try await user("patient@example.com", patient: mariaID), james = try await user("patient2@example.com", patient: jamesID)
        return People(maria: mariaID, james: jamesID, mariaUser: maria, jamesUser: james,
                      dana: try await user(DemoSeed.therapistEmail), ana: try await user("caregiver@example.com"),
                      admin: try await user("admin@example.com"))
    }

    /// `ctx` acting as `user` at `date`.
    static func acting(_ ctx: CallContext, _ user: CurrentUser, at date: Date) -> CallContext {
        var c = ctx
        c.principal = .user(user)
        c.clock = GonioClock { date }
        return c
    }

    /// A time on the patient's day `offset` days from today (negative: before), at local `hour`.
    static func at(_ offset: Int, _ hour: Double, today: CalendarDay, zone: TimeZone) -> Date {
        today.adding(days: offset).start(in: zone).addingTimeInterval(hour * 3600)
    }

    static func seed(_ ctx: CallContext, maria: UUID, james: UUID) async throws {
        let p = try await people(ctx, maria: maria, james: james)
        try await seedClinicRules(ctx, p)
        try await seedMaria(ctx, p)
        try await seedJames(ctx, p)
        try await seedVisits(ctx, p)
        try await seedBilling(ctx, p)
        try await seedRobert(ctx, p)
    }

    // MARK: Billing

    /// Maria has Medicare (with her coded visit, $44 short of the therapy threshold), two visit
    /// invoices for her coinsurance, one paid at the desk (and online by mistake the same day,
    /// which the desk refunded) and one open, and Dana's monitoring
    /// time this month beside her logged days. James pays for himself: the ACL package, half
    /// paid in cash so far.
    static func seedBilling(_ base: CallContext, _ p: People) async throws {
        let zone = PatientTimeZone.usual(for: "US-CA").timeZone
        let today = CalendarDay(at: base.now, in: zone)
        func when(_ offset: Int, _ hour: Double) -> Date { at(offset, hour, today: today, zone: zone) }
        let desk = acting(base, p.admin, at: when(-14, 9))
        // Riverside's prices: fees per CPT unit for claims, self-pay visit prices, two
        // subscriptions, a low back pain package, and its sliding scale; its NPI and Dana's.
        if let clinic = p.admin.adminClinicIDs.first {
            let prices = PriceList(
                fees: ["97161": 12_000, "97162": 14_000, "97163": 16_500, "97164": 9_000, "97110": 4_500, "97112": 4_800, "97116": 4_500,
                       "97140": 4_700, "97530": 5_000, "97535": 4_500],
                visits: [.init(visitType: "initial-evaluation", modality: .video, priceMinor: 12_000),
                         .init(visitType: "initial-evaluation", modality: .inPerson, priceMinor: 14_000),
                         .init(visitType: "follow-up", modality: .video, priceMinor: 8_500),
                         .init(visitType: "follow-up", modality: .inPerson, priceMinor: 9_500),
                         .init(visitType: "follow-up-45", modality: .video, priceMinor: 11_000),
                         .init(visitType: "re-evaluation", modality: .video, priceMinor: 9_000),
                         .init(visitType: "discharge", modality: .video, priceMinor: 8_500)],
                subscriptions: [.init(id: "home-program", name: "Home program and messaging", monthlyMinor: 4_900, visitsIncluded: 0),
                                .init(id: "home-plus-two", name: "Home program, messaging and two video visits", monthlyMinor: 12_900, visitsIncluded: 2)],
                packages: [.init(id: "low-back-8", name: "Low back pain: 8 weeks, 6 video visits and the home program", priceMinor: 48_000, visits: 6, weeks: 8),
                           .init(id: "acl-8", name: "ACL rehabilitation: 8 video visits and 12 weeks of the home program", priceMinor: 64_000, visits: 8, weeks: 12)],
                slidingScale: SlidingScale(brackets: [.init(upToPercent: 100, discountPercent: 75), .init(upToPercent: 150, discountPercent: 50),
                                                      .init(upToPercent: 200, discountPercent: 25)]),
                // Demo identifiers (an invented EIN and street), enough for an electronic claim.
                claimsProfile: ClaimsProfile(taxId: "93-4417206", address: PostalAddress(line1: "2200 Riverside Drive, Suite 140", city: "Portland",
                                                                                       state: "OR", zip: "97201-4411"),
                                             phone: "503-555-0142"))
            _ = try await CodingService(ctx: desk).savePrices(clinicID: clinic, prices, npi: "1548762305", baseVersion: 0)
        }
        if let therapistID = p.dana.therapistID, let dana = try await TherapistModel.find(therapistID, on: base.db) {
            dana.npi = "1987654328"
            try await dana.update(on: base.db)
        }
        _ = try await desk.gate.change(.coverageSave, patientID: p.maria) { patient, tx in
            try await BillingService(ctx: tx).saveCoverage(patient, rank: .primary, Coverage(
                payerKind: .medicare, payerName: "Medicare Part B", memberId: "1EG4-TE5-MK73", subscriberName: "Maria Lopez",
                coinsurancePercent: 20, deductibleMinor: 28_300, deductibleMetMinor: 28_300, eligibility: .verified,
                eligibilityCheckedOn: today.adding(days: -14), medicareAllowedThisYearMinor: 225_000,
                // The payer id a clearinghouse lists for Part B in her area varies by clearinghouse:
                // a demo value, as is her street.
                payerId: "MCRPTB01", subscriberAddress: PostalAddress(line1: "418 Alder Street", city: "San Jose", state: "CA", zip: "95112"))).id
        }
        var paid: UUID?
        for (offset, label) in [(-14, "Video visit, initial evaluation"), (-7, "Video visit, follow-up")] {
            let invoice = try await acting(base, p.admin, at: when(offset + 1, 9)).gate.change(.invoiceIssue, patientID: p.maria) { patient, tx in
                try await BillingService(ctx: tx).issue(patient, description: "\(label): Medicare coinsurance (20%)", lines: [
                    InvoiceLine(description: "\(label), allowed \(Money(minor: 9_260)); your 20% coinsurance", unitMinor: 1_852),
                ]).requireID()
            }
            if paid == nil { paid = invoice }
        }
        if let paid {
            _ = try await acting(base, p.admin, at: when(-12, 10)).gate.change(.paymentRecord, patientID: p.maria) { patient, tx in
                try await BillingService(ctx: tx).record(patient, invoiceID: paid, .init(id: nil, amount: "18.52", method: .terminal, reference: "Card terminal, front desk")).payment.requireID()
            }
            // That evening the online checkout she had left open went through as well: the
            // provider took the money, so Gonio recorded it, and the desk returned it next morning.
            var provider = base
            let evening = when(-12, 19)
            provider.clock = GonioClock { evening }
            _ = try await provider.transaction { tx in
                try await BillingService(ctx: tx).applyProviderPayment(.init(eventID: "evt_demo_maria_twice", sessionID: "cs_demo_maria_twice",
                                                                             invoiceID: paid, amount: Money(minor: 1_852)))
            }
            _ = try await acting(base, p.admin, at: when(-11, 9)).gate.change(.paymentRecord, patientID: p.maria) { patient, tx in
                try await BillingService(ctx: tx).record(patient, invoiceID: paid, .init(id: nil, amount: "18.52", method: .refund,
                                                                                    reference: "Paid twice: the online payment returned to her card")).payment.requireID()
            }
        }
        for (offset, minutes, interactive, activity) in [
            (-9, 8, false, "Reviewed the flare: pain logs, the stopped sit-to-stand set, her message"),
            (-8, 6, true, "Phone call with Maria about the flare and tomorrow's dose"),
            (-2, 9, false, "Weekly review of practice, check-ins and camera form scores"),
        ] {
            _ = try await acting(base, p.dana, at: when(offset, 17)).gate.change(.rtmLog, patientID: p.maria) { patient, tx in
                try await RTMService(ctx: tx).log(patient, .init(day: today.adding(days: offset), minutes: minutes, interactive: interactive, activity: activity)).requireID()
            }
        }
        // Dana coded Maria's visits that have taken place: the evaluation, then exercise and balance work.
        let coder = acting(base, p.dana, at: base.now)
        _ = try await coder.gate.change(.visitCode, patientID: p.maria) { patient, tx in
            for visit in try await VisitService(ctx: tx).visits(of: patient) where visit.tookPlace(by: tx.now) {
                let evaluation = visit.visitType == "initial-evaluation"
                _ = try await CodingService(ctx: tx).code(patient, visit: visit, VisitCodingInput(
                    evaluation: evaluation ? .evalModerate : nil, minutes: evaluation ? ["97110": 15] : ["97110": 23, "97112": 24],
                    diagnoses: ["M17.0", "M25.561"]))
            }
            return patient.id
        }
        // James pays for himself: enrolled in the ACL package when his plan began.
        let package = try await acting(base, p.admin, at: when(-12, 9)).gate.change(.enrollmentCreate, patientID: p.james) { patient, tx in
            let enrolment = try await CoverService(ctx: tx).enroll(patient, itemID: "acl-8").row
            guard let invoice = enrolment.$invoice.id else { throw CommandFailure("The package has no invoice.") }
            return invoice
        }
        _ = try await acting(base, p.admin, at: when(-12, 9.2)).gate.change(.paymentPlanCreate, patientID: p.james) { patient, tx in
            try await BillingService(ctx: tx).makePlan(patient, invoiceID: package, instalments: 2, firstDue: patient.day(at: tx.now), everyDays: 30).requireID()
        }
        _ = try await acting(base, p.admin, at: when(-12, 9.5)).gate.change(.paymentRecord, patientID: p.james) { patient, tx in
            try await BillingService(ctx: tx).record(patient, invoiceID: package, .init(id: nil, amount: "320", method: .cash, reference: "First of two instalments")).payment.requireID()
        }
    }

    // MARK: Robert

    /// Robert Okafor (`patient3@`), low back pain: evaluated nine weeks ago, six weeks of the
    /// protocol, the ODI from 34% to 14% (a meaningful change), discharged three weeks ago with
    /// both goals met, and keeping a home maintenance program since.
    static func seedRobert(_ base: CallContext, _ p: People) async throws {
        let zone = PatientTimeZone.usual(for: "US-CA").timeZone
        let today = CalendarDay(at: base.now, in: zone)
        func when(_ offset: Int, _ hour: Double) -> Date { at(offset, hour, today: today, zone: zone) }
        guard let clinicID = p.admin.adminClinicIDs.first, let therapistID = p.dana.therapistID else { return }
        let hash = try await UserModel.query(on: base.db).filter(\.$email == "patient@example.com").first()?.passwordHash ?? ""
        let account = UserModel(email: "patient3@example.com", name: "Robert Okafor", role: .patient, passwordHash: hash)
        try await account.create(on: base.db)
        let record = PatientModel(userID: try account.requireID(), clinicID: clinicID, dateOfBirth: "1969-02-17", location: "US-CA")
        try await record.create(on: base.db)
        let id = try record.requireID()
        try await CareTeamMemberModel(patientID: id, therapistID: therapistID, addedBy: p.admin.userID).create(on: base.db)
        let robert = CurrentUser(userID: try account.requireID(), email: account.email, name: account.name, role: .patient, sessionID: UUID(),
                                 sessionKind: .api, csrfToken: "", sessionCreatedAt: base.now, sessionLastSeenAt: base.now, patientID: id,
                                 therapistID: nil, therapistVerified: false, clinicIDs: [], adminClinicIDs: [])

        var intake = Intake()
        intake.conditionCategory = .musculoskeletal
        intake.bodyRegions = [.lowerBack]
        intake.onsetDate = today.adding(days: -110)
        intake.symptoms = "Low back ache after moving house, worse sitting at my desk; no pain down the legs."
        intake.currentPain = 5
        intake.betterWith = "Walking, changing position"
        intake.worseWith = "Sitting over 30 minutes, lifting"
        intake.goals = "Sit through a working day and lift the shopping without my back catching."
        intake.visitLocation = try Jurisdiction("US-CA")
        intake.age = 57
        readyForVideo(&intake)
        try await submitIntake(acting(base, robert, at: when(-64, 19)), id, intake)

        let goals = ["Sit for one hour with back pain at most 3/10", "Lift a 10 kg bag from the car boot without pain"]
        try await signEvaluation(acting(base, p.dana, at: when(-63, 9)), id, today: today.adding(days: -63), note: {
            var n = SOAPNote()
            n.subjective = "Non-specific low back pain for three months since moving house; no leg symptoms; sitting and lifting provoke it."
            n.objective.measures = ["odi"]
            n.assessment.diagnosis = "Non-specific low back pain, subacute"
            n.assessment.impairments = ["Reduced lumbar flexion tolerance", "Trunk endurance", "Sitting tolerance 30 minutes"]
            n.assessment.complexity = .low
            n.assessment.personalFactors = 0
            n.assessment.elementsExamined = 2
            n.assessment.presentation = .stable
            n.assessment.reasoning = "No personal factors; body structures and activity limitations examined; stable presentation."
            n.plan.frequencyPerWeek = 1
            n.plan.durationWeeks = 6
            n.plan.interventions = "Home exercise per the low back pain protocol, graded return to lifting, advice to stay active."
            return n
        }, goals: goals)
        try await measures(base, p.dana, robert, id, assignAt: when(-63, 9.5), secondAt: when(-22, 18), [
            ("odi", [2, 2, 2, 1, 2, 2, 1, 1, 2, 2], [1, 1, 1, 0, 1, 1, 0, 0, 1, 1]),
        ])
        let back = try protocolPlan(base, "low-back-pain", phase: 0, start: today.adding(days: -62))
        let plan = try await createPlan(acting(base, p.dana, at: when(-62, 9)), id, back, reason: "Low back pain protocol after the initial evaluation")
        // Six weeks of practice, every third day (what he logged), pain easing from 3 to 1.
        for offset in stride(from: -62, through: -22, by: 3) {
            for (round, items) in sessions(plan, on: today.adding(days: offset)).enumerated() where round == 0 {
                for (n, item) in items.enumerated() {
                    let pain = offset < -45 ? 3 : offset < -30 ? 2 : 1
                    let report = PracticeReport(outcome: .completed, setsDone: item.dose.sets, repsDone: item.dose.sets * item.dose.reps,
                                                painBefore: pain, painDuring: pain, painAfter: max(0, pain - 1), effort: 4 + (n % 2),
                                                feeling: .aboutRight)
                    try await log(acting(base, robert, at: when(offset, 7.5 + Double(n) * 0.08)), id, item, report)
                }
            }
        }
        // Discharged three weeks ago, both goals met, and his home program made from the plan.
        let discharge = acting(base, p.dana, at: when(-21, 10))
        let note = try await discharge.gate.change(.noteCreate, patientID: id) { patient, tx in
            var n = SOAPNote()
            n.subjective = "Sits through the working day; lifted the shopping all week without his back catching."
            n.objective.measures = ["odi"]
            n.assessment.diagnosis = "Non-specific low back pain, resolved"
            n.assessment.reasoning = "ODI 34% to 14%, past its meaningful change; both goals met."
            n.plan.interventions = "Discharged to the home maintenance program; get in touch if pain returns above 3/10 for more than a week."
            n.plan.goals = goals.enumerated().map { i, text in
                Goal(id: "g\(i + 1)", text: text, term: i == 0 ? .short : .long, targetDate: today.adding(days: i == 0 ? -35 : 21), status: .met)
            }
            return try await NoteService(ctx: tx).create(patient, kind: .discharge, body: n).id
        }
        _ = try await discharge.gate.change(.noteSign, patientID: id) { patient, tx in try await NoteService(ctx: tx).sign(patient, noteID: note).id }
        _ = try await discharge.gate.change(.planRevise, patientID: id) { patient, tx in
            try await DischargeRoutes.startMaintenance(tx, patient).version.version
        }
        // His discharge visit by video on the last weekday before the discharge note, held and
        // not yet invoiced: the desk invoices it from his billing page (at his sliding scale).
        if let danaTherapist = p.dana.therapistID {
            var day = -21
            while today.adding(days: day).weekday > 5 { day -= 1 }
            let start = when(day, 10)
            let visit = try await acting(base, p.dana, at: when(day - 1, 16)).gate.change(.visitBook, patientID: id) { patient, tx in
                try await VisitService(ctx: tx).book(patient, .init(therapistID: danaTherapist, start: start, visitType: "discharge", modality: .video,
                                                                    patientLocation: try Jurisdiction("US-CA")))
            }
            let visitID = try visit.requireID()
            _ = try await acting(base, p.dana, at: start.addingTimeInterval(32 * 60)).gate
                .change(.visitAttendance, patientID: id, resource: VisitRoutes.resource(visitID)) { patient, tx in
                    try await VisitService(ctx: tx).recordAttendance(patient, visitID: visitID, arrived: true, minutes: 29)
                }
        }
        // He pays for himself, at the clinic's sliding scale: a household of three on $35,000,
        // 128% of the guideline, 50% off, approved by the desk.
        _ = try await acting(base, robert, at: when(-64, 19.5)).gate.change(.discountApply, patientID: id) { patient, tx in
            try await CoverService(ctx: tx).apply(patient, householdSize: 3, annualIncome: 35_000).requireID()
        }
        _ = try await acting(base, p.admin, at: when(-63, 8)).gate.change(.discountDecide, patientID: id) { patient, tx in
            try await CoverService(ctx: tx).decide(patient, approve: true, discountPercent: nil).requireID()
        }
        // He took the home program and messaging subscription at his evaluation, at half price,
        // and paid its first period at the desk. Gonio renewed it twice since; he paid the
        // second by cheque and the latest is owed.
        let first = try await acting(base, p.admin, at: when(-63, 8.5)).gate.change(.enrollmentCreate, patientID: id) { patient, tx in
            let row = try await CoverService(ctx: tx).enroll(patient, itemID: "home-program").row
            guard let invoice = row.$invoice.id else { throw CommandFailure("The subscription has no invoice.") }
            return (try row.requireID(), invoice)
        }
        _ = try await acting(base, p.admin, at: when(-63, 8.6)).gate.change(.paymentRecord, patientID: id) { patient, tx in
            try await BillingService(ctx: tx).record(patient, invoiceID: first.1, .init(id: nil, amount: "24.50", method: .terminal, reference: nil)).payment.requireID()
        }
        var period = first.0
        for (offset, paid) in [(-33, true), (-3, false)] {
            var job = base
            job.principal = .system(CoverService.renewalJob)
            let time = when(offset, 0.1), current = period
            job.clock = GonioClock { time }
            let renewed = try await job.gate.change(.subscriptionRenew, patientID: id) { patient, tx in
                try await CoverService(ctx: tx).renew(patient, enrollmentID: current)
            }
            guard let renewed, let invoice = renewed.$invoice.id else { throw CommandFailure("The subscription did not renew.") }
            period = try renewed.requireID()
            if paid {
                _ = try await acting(base, p.admin, at: when(offset + 2, 10)).gate.change(.paymentRecord, patientID: id) { patient, tx in
                    try await BillingService(ctx: tx).record(patient, invoiceID: invoice, .init(id: nil, amount: "24.50", method: .cheque, reference: "Cheque 1042")).payment.requireID()
                }
            }
        }
    }

    /// The clinic keeps holds to 45 seconds (its own rules, version 2), so a therapist sees a
    /// clinic's set in force and the admin sees what was changed.
    static func seedClinicRules(_ base: CallContext, _ p: People) async throws {
        guard let clinic = p.admin.adminClinicIDs.first else { return }
        var rules = ProgressionRules.defaults
        rules.holdMaxSeconds = 45
        let ctx = acting(base, p.admin, at: base.now.addingTimeInterval(-30 * 86400))
        _ = try await ClinicRulesService(ctx: ctx).save(clinicID: clinic, rules: rules, baseVersion: 1)
    }

    // MARK: Maria

    static func seedMaria(_ base: CallContext, _ p: People) async throws {
        let zone = PatientTimeZone.usual(for: "US-CA").timeZone
        let today = CalendarDay(at: base.now, in: zone)
        func when(_ offset: Int, _ hour: Double) -> Date { at(offset, hour, today: today, zone: zone) }
        let id = p.maria

        var intake = Intake()
        intake.conditionCategory = .musculoskeletal
        intake.bodyRegions = [.knee]
        intake.onsetDate = today.adding(days: -400)
        intake.symptoms = "Aching in both knees, the right worse, for about a year. Stiff for ten minutes in the morning."
        intake.currentPain = 4
        intake.betterWith = "Moving about gently, warmth"
        intake.worseWith = "Stairs, getting up from low chairs, long walks"
        intake.goals = "Walk to the farmers' market and back (1 km) and manage the stairs at my daughter's house."
        intake.visitLocation = try Jurisdiction("US-CA")
        intake.age = 70
        readyForVideo(&intake)
        intake.readiness.helperAvailable = true
        try await submitIntake(acting(base, p.mariaUser, at: when(-16, 18.5)), id, intake)

        try await signEvaluation(acting(base, p.dana, at: when(-15, 10)), id, today: today.adding(days: -15), note: {
            var n = SOAPNote()
            n.subjective = "Bilateral knee pain, right worse, about a year; stairs and rising from low chairs hardest. Goal: walk 1 km to the market."
            n.objective.rom = [ROMMeasurement(joint: "knee", motion: "flexion", side: .right, degrees: 110),
                               ROMMeasurement(joint: "knee", motion: "extension", side: .right, degrees: -5)]
            n.objective.strength = [StrengthMeasurement(muscleGroup: "quadriceps", side: .right, grade: "4-"),
                                    StrengthMeasurement(muscleGroup: "hip abductors", side: .right, grade: "4-")]
            n.objective.specialTests = [SpecialTest(name: "Patellar grind", side: .right, result: .positive)]
            n.objective.measures = ["koos-jr", "chair-stand-30s"]
            n.assessment.diagnosis = "Knee osteoarthritis, bilateral, right worse"
            n.assessment.impairments = ["Reduced right knee flexion and extension", "Quadriceps and hip abductor weakness", "Reduced sit-to-stand capacity"]
            n.assessment.complexity = .moderate
            n.assessment.personalFactors = 1
            n.assessment.elementsExamined = 3
            n.assessment.presentation = .evolving
            n.assessment.reasoning = "Age and hypertension as personal factors; range, strength and function examined; symptoms evolving with activity."
            n.plan.frequencyPerWeek = 1
            n.plan.durationWeeks = 12
            n.plan.interventions = "Home exercise per the knee osteoarthritis protocol, education on load and pain, weekly video review."
            return n
        }, goals: ["Rise from a standard chair without using the hands", "Walk 1 km at a comfortable pace with pain at most 3/10"])

        try await measures(base, p.dana, p.mariaUser, id, assignAt: when(-15, 10.5), secondAt: when(-1, 11), [
            ("koos-jr", [2, 3, 1, 3, 1, 2, 2], [2, 2, 1, 2, 1, 1, 2]),
            ("chair-stand-30s", [9], [11]),
        ])

        let knee = try protocolPlan(base, "knee-osteoarthritis", phase: 0, start: today.adding(days: -14))
        let created = try await createPlan(acting(base, p.dana, at: when(-14, 9)), id, knee,
                                           reason: "Knee osteoarthritis protocol, phase 1, after the initial evaluation")
        var changed = created
        if let i = changed.items.firstIndex(where: { $0.exerciseID == "knee-sit-to-stand-arms" }) {
            changed.items[i].dose.reps += 2
            changed.items[i].notes = "Use the chair arms when the knee is sore; two more than last week."
        }
        try await revisePlan(acting(base, p.dana, at: when(-7, 16)), id, changed,
                             reason: "Weekly review: sit-to-stand going well, two more repetitions")

        // Two weeks of practice: missed days, a short day, pain mostly 2-4, one flare.
        let missed: Set<Int> = [-11, -6]
        for offset in -14 ... -1 where !missed.contains(offset) {
            let content = offset < -7 ? created : changed
            let hour = 9.0 + Double((offset * 37) & 7) / 8
            for (round, items) in sessions(content, on: today.adding(days: offset)).enumerated() {
                if round > 0, offset == -3 { continue }
                for (n, item) in items.enumerated() {
                    let flare = offset == -9 && item.exerciseID == "knee-sit-to-stand-arms"
                    let short = offset == -3 && item.block == .coolDown
                    let pain = 2 + ((offset + n) & 3) % 3
                    let report = PracticeReport(
                        outcome: flare ? .stopped : short ? .skipped : .completed,
                        setsDone: flare ? 1 : short ? 0 : item.dose.sets, repsDone: flare ? 4 : short ? 0 : item.dose.sets * item.dose.reps,
                        painBefore: short ? nil : 2 + (offset & 1), painDuring: short ? nil : flare ? 7 : pain,
                        painAfter: short ? nil : flare ? 6 : max(1, pain - 1), effort: short ? nil : 4 + ((offset * 3 + n) % 4 + 4) % 4,
                        feeling: short ? nil : flare ? .tooHard : .aboutRight,
                        note: flare ? "Sharp pain on the right knee at the second set; stopped." : nil)
                    var tracked = report
                    // The last four days' sit-to-stands were counted by the camera in the player;
                    // yesterday her form tired towards the end of the set.
                    if item.exerciseID == "knee-sit-to-stand-arms", offset >= -4, !flare, !short {
                        let reps = report.repsDone - (offset == -1 ? 2 : 0)
                        tracked.repsDone = reps
                        tracked.motion = MotionSummary(spec: "sit-to-stand", source: .camera, repsCounted: reps, partialReps: offset == -1 ? 2 : 0,
                                                       romMin: 8, romMax: offset == -1 ? 88 : 94, formScore: offset == -1 ? 80 : 95,
                                                       formScores: offset == -1 ? [100, 100, 95, 90, 80, 75, 70, 60, 60, 60].prefix(max(1, reps)).map { $0 } : nil)
                    }
                    try await log(acting(base, p.mariaUser, at: when(offset, hour + Double(round) * 8 + Double(n) * 0.08)), id, item, tracked)
                }
            }
        }
        // Her morning check-ins: usually 2/10 on waking; sore (4/10) the morning after the flare.
        for offset in -15 ... -1 where offset != -6 {
            try await checkIn(acting(base, p.mariaUser, at: when(offset, 7.25)), id, CheckIn(morningPain: offset == -8 ? 4 : 2))
        }
        // She read the article that came with her plan on its second day.
        _ = try await acting(base, p.mariaUser, at: when(-13, 20)).gate.change(.educationMarkRead, patientID: id) { patient, tx in
            try await EducationService(ctx: tx).markRead(patient, articleID: "knee-osteoarthritis")
            return id
        }
        // After the flare she asked her therapist about it, and got an answer; her question about
        // stairs, yesterday, waits for one.
        let flare = try await message(acting(base, p.mariaUser, at: when(-9, 19)), id, thread: nil, subject: "Sharp pain during sit to stand",
                                      MessageDraft(body: "My right knee gave a sharp pain on the second set of sit to stands today, so I stopped. Is this normal? Should I skip them tomorrow?",
                                                   reference: .exercise("knee-sit-to-stand-arms")))
        _ = try await message(acting(base, p.dana, at: when(-8, 10.5)), id, thread: flare, subject: nil,
                              MessageDraft(body: "Thank you for stopping and telling me. A short flare like this is common. Tomorrow do one set using the chair arms and keep the pain at 5/10 or less; if it is worse in the morning, skip them and message me."))
        _ = try await message(acting(base, p.mariaUser, at: when(-1, 20)), id, thread: flare, subject: nil,
                              MessageDraft(body: "The sit to stands are fine again. Going down the stairs is still the hardest part. Is there an exercise for that?"))
        // Dana measured both knees by hand at the evaluation, and the right again last week.
        for (offset, side, start, end) in [(-15, GoniometerMeasurement.Side.right, 5.0, 105.0), (-15, .left, 0, 118), (-5, .right, 3, 112)] {
            try await measure(acting(base, p.dana, at: when(offset, 11)), id, GoniometerMeasurement(
                motion: .kneeFlexion, side: side, start: start, end: end, measuredOn: today.adding(days: offset)))
        }
    }

    static func measure(_ ctx: CallContext, _ id: UUID, _ m: GoniometerMeasurement) async throws {
        _ = try await ctx.gate.change(.romRecord, patientID: id) { patient, tx in try await RomService(ctx: tx).record(patient, m).id }
    }

    // MARK: James

    static func seedJames(_ base: CallContext, _ p: People) async throws {
        let zone = PatientTimeZone.usual(for: "US-WA").timeZone
        let today = CalendarDay(at: base.now, in: zone)
        func when(_ offset: Int, _ hour: Double) -> Date { at(offset, hour, today: today, zone: zone) }
        let id = p.james

        var intake = Intake()
        intake.conditionCategory = .postSurgical
        intake.bodyRegions = [.knee]
        intake.onsetDate = today.adding(days: -40)
        intake.surgeryDate = today.adding(days: -23)
        intake.surgeryProcedure = "Left ACL reconstruction (hamstring graft)"
        intake.symptoms = "Knee stiff and swollen after surgery; walking with one crutch."
        intake.currentPain = 3
        intake.worseWith = "Stairs, standing for long"
        intake.goals = "Walk without a crutch, then get back to five-a-side football."
        intake.visitLocation = try Jurisdiction("US-WA")
        intake.age = 38
        readyForVideo(&intake)
        intake.redFlags["dizziness"] = true
        try await submitIntake(acting(base, p.jamesUser, at: when(-20, 20)), id, intake)
        // Flagged for review: the therapist checks and clears it, with the reason on record.
        _ = try await acting(base, p.dana, at: when(-19, 9)).gate.change(.intakeDecide, patientID: id) { patient, tx in
            try await IntakeService(ctx: tx).decide(
                patient, decision: TriageDecision.clearedForVirtualCare.rawValue,
                reason: "Phoned the patient: light-headed only when standing up quickly while on post-operative pain medication; gone since stopping it. No neurological symptoms. Safe to start virtual care; advised to stand up slowly.").status
        }

        try await signEvaluation(acting(base, p.dana, at: when(-19, 11)), id, today: today.adding(days: -19), note: {
            var n = SOAPNote()
            n.subjective = "Three weeks after left ACL reconstruction (hamstring graft). Walking with one crutch; knee stiff in the morning."
            n.objective.rom = [ROMMeasurement(joint: "knee", motion: "flexion", side: .left, degrees: 95),
                               ROMMeasurement(joint: "knee", motion: "extension", side: .left, degrees: -3)]
            n.objective.strength = [StrengthMeasurement(muscleGroup: "quadriceps", side: .left, grade: "3+")]
            n.objective.specialTests = [SpecialTest(name: "Effusion stroke test", side: .left, result: .positive)]
            n.objective.measures = ["lefs"]
            n.assessment.diagnosis = "Status post left ACL reconstruction, hamstring autograft"
            n.assessment.impairments = ["Reduced knee flexion", "Quadriceps weakness", "Gait with one crutch"]
            n.assessment.complexity = .moderate
            n.assessment.personalFactors = 1
            n.assessment.elementsExamined = 3
            n.assessment.presentation = .evolving
            n.assessment.reasoning = "Recent surgery as a personal factor; range, strength and gait examined; presentation evolving with healing."
            n.plan.frequencyPerWeek = 2
            n.plan.durationWeeks = 24
            n.plan.interventions = "ACL reconstruction protocol, phase 2; video review twice a week; progression by criteria."
            return n
        }, goals: ["Walk without a crutch and without a limp", "Full knee straightening, equal to the other side"])

        try await measures(base, p.dana, p.jamesUser, id, assignAt: when(-19, 11.5), secondAt: when(-5, 19), [
            ("lefs", [1, 2, 1, 2, 1, 2, 2, 2, 1, 1, 2, 3, 2, 3, 3, 3, 2, 3, 3, 2], [2, 3, 2, 3, 2, 3, 3, 2, 2, 2, 3, 3, 3, 3, 3, 4, 3, 3, 3, 3]),
        ])

        // His operated (right) knee, passive at the evaluation, then active a week later.
        for (offset, start, end, active) in [(-19, 8.0, 92.0, false), (-12, 5.0, 101.0, true)] {
            try await measure(acting(base, p.dana, at: when(offset, 11.5)), id, GoniometerMeasurement(
                motion: .kneeFlexion, side: .right, start: start, end: end, active: active, measuredOn: today.adding(days: offset),
                note: offset == -19 ? "Two weeks after ACL reconstruction (hamstring graft)." : nil))
        }

        let acl = try protocolPlan(base, "acl-reconstruction", phase: 1, start: today.adding(days: -12))
        let plan = try await createPlan(acting(base, p.dana, at: when(-12, 8)), id, acl,
                                        reason: "ACL reconstruction protocol, phase 2 (week 3 after surgery)")
        let missed: Set<Int> = [-9, -4]
        for offset in -12 ... -1 where !missed.contains(offset) {
            for (round, items) in sessions(plan, on: today.adding(days: offset)).enumerated() {
                for (n, item) in items.enumerated() {
                    let pain = 1 + ((offset + n) & 3) % 3
                    let report = PracticeReport(outcome: .completed, setsDone: item.dose.sets, repsDone: item.dose.sets * item.dose.reps,
                                                painBefore: 2, painDuring: pain, painAfter: max(1, pain - 1), effort: 4 + (n % 3),
                                                feeling: n % 4 == 0 ? .tooEasy : .aboutRight)
                    try await log(acting(base, p.jamesUser, at: when(offset, 18 + Double(round) * 2 + Double(n) * 0.08)), id, item, report)
                }
            }
        }
        // Three weeks after surgery, two days ago, his calf was swollen and sore: a red flag for
        // a clot, which the therapist sees as an alert (and he was told to see a doctor that day).
        for offset in -4 ... -1 {
            let calf = offset == -2
            try await checkIn(acting(base, p.jamesUser, at: when(offset, 7.5)), id,
                              CheckIn(morningPain: 3, answers: calf ? ["calf-swelling": true] : [:],
                                      note: calf ? "Left calf feels tight and looks a bit swollen." : nil))
        }
    }

    // MARK: Steps, through the app's services

    /// A camera, a good connection, room to move, no help needed, and "no" to every red flag.
    static func readyForVideo(_ intake: inout Intake) {
        intake.readiness.hasCameraDevice = true
        intake.readiness.internet = .good
        intake.readiness.spaceToMove = true
        intake.readiness.assistanceNeeded = .independent
        for q in RedFlagScreen.questions where q.type == .boolean { intake.redFlags[q.id] = false }
    }

    static func submitIntake(_ ctx: CallContext, _ id: UUID, _ intake: Intake) async throws {
        _ = try await ctx.gate.change(.intakeSave, patientID: id) { patient, tx in
            try await IntakeService(ctx: tx).saveDraft(patient, intake: intake).status
        }
        _ = try await ctx.gate.change(.intakeSubmit, patientID: id) { patient, tx in
            try await IntakeService(ctx: tx).submit(patient).status
        }
    }

    static func signEvaluation(_ ctx: CallContext, _ id: UUID, today: CalendarDay, note: () -> SOAPNote, goals: [String]) async throws {
        var draft = note()
        draft.plan.goals = goals.enumerated().map { i, text in
            Goal(id: "g\(i + 1)", text: text, term: i == 0 ? .short : .long, targetDate: today.adding(days: i == 0 ? 28 : 84), status: .notMet)
        }
        let body = draft
        let view = try await ctx.gate.change(.noteCreate, patientID: id) { patient, tx in
            try await NoteService(ctx: tx).create(patient, kind: .initialEvaluation, body: body)
        }
        _ = try await ctx.gate.change(.noteSign, patientID: id) { patient, tx in
            try await NoteService(ctx: tx).sign(patient, noteID: view.id).id
        }
    }

    /// Each measure assigned every two weeks, done at assignment (baseline) and two weeks on.
    static func measures(_ base: CallContext, _ therapist: CurrentUser, _ patientUser: CurrentUser, _ id: UUID, assignAt: Date, secondAt: Date,
                         _ list: [(code: String, first: [Double], second: [Double])]) async throws {
        for m in list {
            let assigner = acting(base, therapist, at: assignAt)
            let assignment = try await assigner.gate.change(.measureAssign, patientID: id) { patient, tx in
                try await MeasureService(ctx: tx).assign(patient, code: m.code, schedule: MeasureSchedule.Kind.everyWeeks.rawValue, intervalWeeks: 2).id
            }
            let performance = MeasureLibrary.measure(code: m.code)?.kind == .performance
            for (date, answers) in [(assignAt.addingTimeInterval(600), m.first), (secondAt, m.second)] {
                let ctx = acting(base, performance ? therapist : patientUser, at: date)
                _ = try await ctx.gate.change(.measureComplete, patientID: id) { patient, tx in
                    try await MeasureService(ctx: tx).complete(patient, assignmentID: assignment, answers: answers.map { Optional($0) }).id
                }
            }
        }
    }

    static func protocolPlan(_ ctx: CallContext, _ protocolID: String, phase: Int, start: CalendarDay) throws -> PlanContent {
        guard let found = ctx.content.protocols.protocol(id: protocolID) else { throw CommandFailure("Protocol \(protocolID) is missing.") }
        return try PlanContent.from(found, phase: phase, start: start, exercises: ctx.content.exercises) { UUID().uuidString.lowercased() }
    }

    static func createPlan(_ ctx: CallContext, _ id: UUID, _ content: PlanContent, reason: String) async throws -> PlanContent {
        try await ctx.gate.change(.planCreate, patientID: id) { patient, tx in
            try await PlanService(ctx: tx).create(patient, content: content, reason: reason).content
        }
    }

    static func revisePlan(_ ctx: CallContext, _ id: UUID, _ content: PlanContent, reason: String) async throws {
        _ = try await ctx.gate.change(.planRevise, patientID: id) { patient, tx in
            try await PlanService(ctx: tx).revise(patient, content: content, reason: reason, baseVersion: nil).version.version
        }
    }

    /// The sessions of a day: round n of every exercise due that many times.
    static func sessions(_ content: PlanContent, on day: CalendarDay) -> [[PlanItem]] {
        let due = PracticeSchedule.due(content, on: day)
        let count = due.map(\.dose.perDay).max() ?? 0
        return (0..<count).map { round in due.filter { $0.dose.perDay > round } }
    }

    /// A message from whoever `ctx` acts for: a new conversation (with a subject) or a reply.
    static func message(_ ctx: CallContext, _ id: UUID, thread: UUID?, subject: String?, _ draft: MessageDraft) async throws -> UUID {
        try await ctx.gate.change(.messageSend, patientID: id) { patient, tx in
            if let thread { return try await MessageService(ctx: tx).reply(patient, threadID: thread, try draft.validated()).threadId }
            return try await MessageService(ctx: tx).start(patient, subject: subject, try draft.validated()).id
        }
    }

    static func checkIn(_ ctx: CallContext, _ id: UUID, _ checkIn: CheckIn) async throws {
        _ = try await ctx.gate.change(.checkinSave, patientID: id) { patient, tx in
            try await CheckInService(ctx: tx).save(patient, checkIn, day: nil).id
        }
    }

    static func log(_ ctx: CallContext, _ id: UUID, _ item: PlanItem, _ report: PracticeReport) async throws {
        let input = PracticeService.LogInput(
            id: UUID(), itemId: item.id, performedAt: ctx.now, outcome: report.outcome, setsDone: report.setsDone, repsDone: report.repsDone,
            painBefore: report.painBefore, painDuring: report.painDuring, painAfter: report.painAfter, effort: report.effort,
            feeling: report.feeling, note: report.note, motion: report.motion)
        _ = try await ctx.gate.change(.practiceLog, patientID: id) { patient, tx in
            try await PracticeService(ctx: tx).record(patient, input).created
        }
    }
}

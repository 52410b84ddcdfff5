import Vapor
import Fluent
import GonioCore

extension DemoHistory {
    /// The demo therapist sees patients Monday to Friday, 09:00-17:00 in Los Angeles, by video
    /// or at the clinic. Each demo patient had a visit a few days ago (attended) and has one
    /// booked a few days ahead, made through the same services and gate as the app.
    static func seedVisits(_ base: CallContext, _ p: People) async throws {
        let zone = TimeZone(identifier: "America/Los_Angeles")!
        let today = CalendarDay(at: base.now, in: zone)
        func weekday(from offset: Int, step: Int) -> Int {
            var d = offset
            while today.adding(days: d).weekday > 5 { d += step }
            return d
        }
        func at(_ offset: Int, _ hour: Double) -> Date { DemoHistory.at(offset, hour, today: today, zone: zone) }
        guard let danaTherapist = p.dana.therapistID else { throw CommandFailure("The demo therapist has no therapist record.") }

        let schedule = TherapistSchedule(
            timeZone: zone.identifier,
            weekly: (1...5).map { WeeklyHours(weekday: $0, start: try! ClockTime("09:00"), end: try! ClockTime("17:00"), offer: .either) },
            visitTypes: VisitType.standard,
            policy: BookingPolicy(bufferMinutes: 0, minimumNoticeHours: 12, horizonDays: 60, slotStepMinutes: 30,
                                  cancellationNoticeHours: 24, lateCancelFeeCents: 2500),
            inPersonLocation: "Riverside Physical Therapy, 1200 Riverside Drive, Sacramento, CA 95814", inPersonRegion: "US-CA")
        _ = try await VisitService(ctx: acting(base, p.dana, at: at(-6, 8))).saveSchedule(therapistID: danaTherapist, schedule)

        let past = weekday(from: -3, step: -1)
        let ahead = weekday(from: 3, step: 1)
        // Maria lives in California, James in Washington (where the therapist holds a compact privilege).
        for (patientID, patientUser, hour, modality, minutes, home) in [
            (p.maria, p.mariaUser, 10.0, VisitModality.video, 31, try Jurisdiction("US-CA")),
            (p.james, p.jamesUser, 14.0, VisitModality.inPerson, 44, try Jurisdiction("US-WA")),
        ] {
            // Booked by the therapist the day before, attended, and the time recorded.
            let start = at(past, hour)
            let booking = VisitService.Booking(therapistID: danaTherapist, start: start, visitType: modality == .video ? "follow-up" : "follow-up-45",
                                               modality: modality, patientLocation: modality == .video ? home : nil)
            let visit = try await acting(base, p.dana, at: at(past - 1, 16)).gate.change(.visitBook, patientID: patientID) { patient, tx in
                try await VisitService(ctx: tx).book(patient, booking)
            }
            let visitID = try visit.requireID()
            _ = try await acting(base, p.dana, at: start.addingTimeInterval(TimeInterval(minutes * 60))).gate
                .change(.visitAttendance, patientID: patientID, resource: VisitRoutes.resource(visitID)) { patient, tx in
                    try await VisitService(ctx: tx).recordAttendance(patient, visitID: visitID, arrived: true, minutes: minutes)
                }
            // Maria's visit has its signed note; James's is waiting for one (the visits page offers it).
            if modality == .video {
                // During the call the therapist measured her sit-to-stand with the goniometer.
                let reading = MotionReading(
                    exercise: "sit-to-stand", exerciseName: "Sit to stand", measure: "knee flexion", reps: 10, partialReps: 1, formScore: 84,
                    left: .init(min: 6, max: 94), right: .init(min: 5, max: 97),
                    text: "Sit to stand: 10 repetitions (1 partial). Knee flexion, right 5°–97°, left 6°–94°. Form 84/100.")
                _ = try await acting(base, p.dana, at: start.addingTimeInterval(900)).gate
                    .change(.visitMeasure, patientID: patientID, resource: VisitRoutes.resource(visitID) + "/readings") { patient, tx in
                        try await VisitReadingService(ctx: tx).save(reading, visitID: visitID, of: patient)
                    }
                var body = SOAPNote()
                body.subjective = "Knee less stiff in the mornings; stairs still hurt going down. Doing the plan most days."
                body.objective.findings = "Over video: sit-to-stand x10 without hands (camera: knee flexion R 5–97°, L 6–94°, form 84/100), mild knee valgus on the left. Step-down control fair."
                body.assessment.diagnosis = "Progressing as expected; step-down control is the limiting factor."
                body.plan.interventions = "Added step-downs from a low step, 2 x 8, slow lowering. Review in one week."
                let noted = body
                let writer = acting(base, p.dana, at: start.addingTimeInterval(TimeInterval(minutes * 60 + 600)))
                let note = try await writer.gate.change(.noteCreate, patientID: patientID) { patient, tx in
                    try await NoteService(ctx: tx).create(patient, kind: .followUp, body: noted, visitID: visitID)
                }
                _ = try await writer.gate.change(.noteSign, patientID: patientID) { patient, tx in
                    try await NoteService(ctx: tx).sign(patient, noteID: note.id).id
                }
            }
            // The next one, booked by the patient today.
            let next = VisitService.Booking(therapistID: danaTherapist, start: at(ahead, hour), visitType: "follow-up", modality: .video,
                                            patientLocation: home)
            let booked = try await acting(base, patientUser, at: base.now).gate.change(.visitBook, patientID: patientID) { patient, tx in
                try await VisitService(ctx: tx).book(patient, next)
            }
            // Maria asks her daughter (the demo caregiver) to join her next video visit.
            if patientID == p.maria {
                let bookedID = try booked.requireID()
                _ = try await acting(base, patientUser, at: base.now).gate.change(.visitChange, patientID: patientID,
                                                                                  resource: VisitRoutes.resource(bookedID) + "/guests") { patient, tx in
                    try await VisitGuestService(ctx: tx).invite(patient, visitID: bookedID, .init(kind: .caregiver, caregiverUserID: p.ana.userID)).0.id
                }
            }
        }
    }
}

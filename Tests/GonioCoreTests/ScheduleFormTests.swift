import Foundation
import Testing
@testable import GonioCore

@Suite struct ScheduleFormTests {
    static let current = SchedulingTests.demo

    /// The form as the page fills it in for `current`, before any change.
    static var filled: [String: String] {
        var f: [String: String] = [
            "timeZone": "America/Los_Angeles", "location": "1 Main St",
            "bufferMinutes": "0", "minimumNoticeHours": "12", "horizonDays": "60", "slotStepMinutes": "30",
            "cancellationNoticeHours": "24", "lateCancelFee": "0.00",
        ]
        for d in 1...5 {
            f["w\(d)_0_start"] = "09:00"; f["w\(d)_0_end"] = "12:00"; f["w\(d)_0_offer"] = "video"
            f["w\(d)_1_start"] = "13:00"; f["w\(d)_1_end"] = "17:00"; f["w\(d)_1_offer"] = "either"
        }
        for type in current.visitTypes {
            f["type_\(type.id)_on"] = "on"; f["type_\(type.id)_minutes"] = "\(type.minutes)"; f["type_\(type.id)_offer"] = type.offer.rawValue
        }
        return f
    }

    @Test func anUnchangedFormGivesTheSameSchedule() throws {
        var expected = Self.current
        expected.inPersonLocation = "1 Main St"
        #expect(try ScheduleForm.schedule(from: Self.filled, current: Self.current) == expected)
    }

    @Test func hoursRowsAreReadBlankRowsSkipped() throws {
        var f = Self.filled
        f["w6_0_start"] = "10:00"; f["w6_0_end"] = "14:00"; f["w6_0_offer"] = "in-person"
        f["w1_1_start"] = ""; f["w1_1_end"] = ""
        let s = try ScheduleForm.schedule(from: f, current: Self.current)
        #expect(s.weekly.filter { $0.weekday == 6 } == [WeeklyHours(weekday: 6, start: SchedulingTests.t("10:00"), end: SchedulingTests.t("14:00"), offer: .inPerson)])
        #expect(s.weekly.filter { $0.weekday == 1 }.count == 1)
        #expect(s.weekly.count == 10)
    }

    @Test func badFormsAreRefusedWithTheReason() {
        let cases: [(String, String, String)] = [
            ("w2_0_end", "", "hours-incomplete"),
            ("w2_0_start", "18:00", "hours-invalid"),
            ("w2_1_start", "11:00", "hours-overlap"),
            ("w3_0_start", "9am", "time-invalid"),
            ("w3_0_offer", "phone", "offer-invalid"),
            ("timeZone", "Mars/Olympus", "time-zone-invalid"),
            ("bufferMinutes", "ten", "form-invalid"),
            ("slotStepMinutes", "7", "policy-invalid"),
            ("lateCancelFee", "25.001", "fee-invalid"),
            ("lateCancelFee", "-5", "fee-invalid"),
            ("type_follow-up_minutes", "5", "visit-length-invalid"),
            ("ex_start", "10:00", "exception-day-missing"),
            ("ex_day", "2026-02-30", "date-invalid"),
            ("off_through", "2026-12-24", "time-off-invalid"),
            ("locationRegion", "US-ZZ", "jurisdiction-invalid"),
        ]
        for (key, value, code) in cases {
            var f = Self.filled
            f[key] = value
            #expect(throws: DomainError.self, "\(key)=\(value)") { try ScheduleForm.schedule(from: f, current: Self.current) }
            do {
                _ = try ScheduleForm.schedule(from: f, current: Self.current)
            } catch {
                #expect(error.code == code, "\(key)=\(value): \(error.code)")
            }
        }
    }

    @Test func theClinicsStateIsKeptAsAJurisdictionCode() throws {
        var f = Self.filled
        f["locationRegion"] = "US-CA"
        #expect(try ScheduleForm.schedule(from: f, current: Self.current).inPersonRegion == "US-CA")
        f["locationRegion"] = ""
        #expect(try ScheduleForm.schedule(from: f, current: Self.current).inPersonRegion == nil)
    }

    @Test func noVisitTypeOfferedIsRefused() {
        var f = Self.filled
        for type in Self.current.visitTypes { f["type_\(type.id)_on"] = nil }
        #expect(throws: DomainError.self) { try ScheduleForm.schedule(from: f, current: Self.current) }
    }

    @Test func aTypeCanBeTurnedOffAndAStandardOneBackOn() throws {
        var current = Self.current
        current.visitTypes.removeAll { $0.id == "discharge" }
        var f = Self.filled
        f["type_follow-up-45_on"] = nil
        f["type_discharge_on"] = "on"; f["type_discharge_minutes"] = "40"; f["type_discharge_offer"] = "video"
        let s = try ScheduleForm.schedule(from: f, current: current)
        #expect(s.visitType("follow-up-45") == nil)
        #expect(s.visitType("discharge") == VisitType(id: "discharge", name: "Discharge visit", minutes: 40, offer: .video))
        #expect(ScheduleForm.typeChoices(current).map(\.offered) == [true, true, true, true, false])
    }

    @Test func exceptionsAndTimeOffAreAddedAndRemoved() throws {
        var f = Self.filled
        f["ex_day"] = "2026-12-24"; f["ex_start"] = "09:00"; f["ex_end"] = "12:00"; f["ex_offer"] = "video"; f["ex_note"] = "Half day"
        f["off_from"] = "2026-12-28"; f["off_through"] = "2027-01-01"; f["off_note"] = "Holiday"
        let s = try ScheduleForm.schedule(from: f, current: Self.current)
        #expect(s.exceptions == [DayException(day: SchedulingTests.day("2026-12-24"), hours: [.init(start: SchedulingTests.t("09:00"), end: SchedulingTests.t("12:00"), offer: .video)], note: "Half day")])
        #expect(s.timeOff == [TimeOff(from: SchedulingTests.day("2026-12-28"), through: SchedulingTests.day("2027-01-01"), note: "Holiday")])
        // A closed day (no times) and one day off with no end date.
        var g = Self.filled
        g["ex_day"] = "2026-12-25"
        g["off_from"] = "2026-12-31"
        let closed = try ScheduleForm.schedule(from: g, current: s)
        #expect(closed.exceptions.map(\.day.description) == ["2026-12-24", "2026-12-25"])
        #expect(closed.exceptions[1].hours.isEmpty)
        #expect(closed.timeOff.last == TimeOff(from: SchedulingTests.day("2026-12-31"), through: SchedulingTests.day("2026-12-31")))
        // Removing by the boxes the page shows next to each.
        var r = Self.filled
        r["remove_exception_2026-12-24"] = "on"
        r["remove_off_0"] = "on"
        let removed = try ScheduleForm.schedule(from: r, current: closed)
        #expect(removed.exceptions.map(\.day.description) == ["2026-12-25"])
        #expect(removed.timeOff.map(\.from.description) == ["2026-12-31"])
    }

    @Test func moneyIsReadAndWritten() throws {
        let cases: [(String, Int)] = [("", 0), ("25", 2500), ("25.5", 2550), ("25.05", 2505), ("0.99", 99), (" 10 ", 1000)]
        for (text, cents) in cases { #expect(try ScheduleForm.cents(text) == cents, "\(text)") }
        for bad in ["25,00", "1.2.3", "abc", ".5", "25.", "1000000"] {
            #expect(throws: DomainError.self, "\(bad)") { try ScheduleForm.cents(bad) }
        }
        #expect(ScheduleForm.money(2505) == "25.05")
        #expect(ScheduleForm.money(0) == "0.00")
    }
}

@Suite struct MotionSummaryTests {
    @Test func formDeclineNeedsSixScoresAndAFifteenPointDrop() {
        func summary(_ scores: [Int]?) -> MotionSummary { MotionSummary(spec: "deep-squat", source: .camera, repsCounted: 10, formScores: scores) }
        #expect(summary([90, 92, 88, 80, 72, 70]).formDeclined)
        #expect(!summary([90, 92, 88, 85, 80, 82]).formDeclined)
        #expect(!summary([90, 60, 50]).formDeclined, "too few to say")
        #expect(!summary(nil).formDeclined)
    }

    @Test func fallingShortNeedsHardEffort() {
        let motion = MotionSummary(spec: "deep-squat", source: .camera, repsCounted: 14)
        let hard = PracticeReport(outcome: .partial, setsDone: 2, repsDone: 14, effort: 8, motion: motion)
        #expect(hard.fellShort(prescribedReps: 10, sets: 2))
        #expect(!hard.fellShort(prescribedReps: 7, sets: 2))
        let easy = PracticeReport(outcome: .partial, setsDone: 2, repsDone: 14, effort: 4, motion: motion)
        #expect(!easy.fellShort(prescribedReps: 10, sets: 2))
        #expect(!PracticeReport(outcome: .partial, setsDone: 2, repsDone: 14, effort: 9).fellShort(prescribedReps: 10, sets: 2), "no tracking, no judgement")
    }

    @Test func impossibleValuesAreRefused() {
        for bad in [MotionSummary(spec: "moonwalk", source: .camera, repsCounted: 1), MotionSummary(spec: "deep-squat", source: .camera, repsCounted: 1001),
                    MotionSummary(spec: "deep-squat", source: .sensor, repsCounted: 1, romMin: 50, romMax: 10),
                    MotionSummary(spec: "deep-squat", source: .sensor, repsCounted: 1, romMin: .nan),
                    MotionSummary(spec: "deep-squat", source: .sensor, repsCounted: 1, formScore: 101)] {
            #expect(throws: DomainError.self) { try bad.validated() }
        }
        #expect(throws: Never.self) { try MotionSummary(spec: "generic", source: .sensor, repsCounted: 3, romMin: 0, romMax: 90, formScore: 80).validated() }
    }
}

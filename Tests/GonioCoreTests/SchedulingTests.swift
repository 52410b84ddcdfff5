import Foundation
import Testing
@testable import GonioCore

@Suite struct SchedulingTests {
    static func at(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }
    static func t(_ s: String) -> ClockTime { try! ClockTime(s) }
    static func day(_ s: String) -> CalendarDay { try! CalendarDay(s) }

    /// Monday to Friday 09:00-17:00 in Los Angeles, video in the morning, either after lunch.
    static let demo = TherapistSchedule(
        timeZone: "America/Los_Angeles",
        weekly: (1...5).flatMap { d in
            [WeeklyHours(weekday: d, start: t("09:00"), end: t("12:00"), offer: .video),
             WeeklyHours(weekday: d, start: t("13:00"), end: t("17:00"), offer: .either)]
        },
        policy: BookingPolicy(bufferMinutes: 0, minimumNoticeHours: 12, horizonDays: 60, slotStepMinutes: 30))
    static let followUp = VisitType.standard[1]
    static let now = at("2026-11-30T16:00:00Z")  // Monday 08:00 in Los Angeles

    @Test func clockTimesReadAndWrite() throws {
        #expect(try ClockTime("09:30").minutes == 570)
        #expect(try ClockTime("24:00").minutes == 1440)
        #expect(try ClockTime("00:00").description == "00:00")
        for bad in ["9:30", "24:01", "12:60", "ab:cd", "", "12:30:00", "-1:00"] {
            #expect(throws: DomainError.self, "\(bad)") { try ClockTime(bad) }
        }
    }

    @Test func slotsFollowTheHoursInTheTherapistsZone() {
        // Tuesday 1 December in Los Angeles (UTC-8): 09:00 local is 17:00Z.
        let slots = Scheduling.slots(Self.demo, type: Self.followUp, from: Self.at("2026-12-01T00:00:00Z"),
                                     to: Self.at("2026-12-02T08:00:00Z"), now: Self.now, busy: [])
        #expect(slots.first?.start == Self.at("2026-12-01T17:00:00Z"))
        #expect(slots.first?.offer == .video)
        // 09:00-12:00 gives 6 half-hour slots, 13:00-17:00 gives 8.
        #expect(slots.count == 14)
        #expect(slots.last?.start == Self.at("2026-12-02T00:30:00Z"), "16:30 local is the last start")
        #expect(slots.last?.offer == .either)
        #expect(slots.allSatisfy { $0.end.timeIntervalSince($0.start) == 1800 })
    }

    @Test func noticeHorizonAndWeekendsLimitWhatPatientsSee() {
        let week = Scheduling.slots(Self.demo, type: Self.followUp, from: Self.now, to: Self.at("2026-12-07T16:00:00Z"), now: Self.now, busy: [])
        // Monday's slots are all within 12 hours (08:00 + 12 h = 20:00 local): none today.
        #expect(!week.contains { CalendarDay(at: $0.start, in: Self.demo.zone) == Self.day("2026-11-30") })
        #expect(!week.contains { [6, 7].contains(CalendarDay(at: $0.start, in: Self.demo.zone).weekday) })
        #expect(week.count == 4 * 14)
        // Staff may book today.
        let staff = Scheduling.slots(Self.demo, type: Self.followUp, from: Self.now, to: Self.at("2026-12-01T08:00:00Z"), now: Self.now,
                                     busy: [], booker: .staff)
        #expect(staff.count == 14)
        let beyond = Scheduling.slots(Self.demo, type: Self.followUp, from: Self.at("2027-02-01T00:00:00Z"),
                                      to: Self.at("2027-02-05T00:00:00Z"), now: Self.now, busy: [])
        #expect(beyond.isEmpty, "more than 60 days ahead")
    }

    @Test func busyTimeAndBuffersRemoveSlots() {
        var schedule = Self.demo
        schedule.policy.bufferMinutes = 10
        // A visit 17:30-18:00Z (09:30-10:00 local) on Tuesday.
        let busy = [Busy(start: Self.at("2026-12-01T17:30:00Z"), end: Self.at("2026-12-01T18:00:00Z"))]
        let starts = Scheduling.slots(schedule, type: Self.followUp, from: Self.at("2026-12-01T17:00:00Z"),
                                      to: Self.at("2026-12-01T20:00:00Z"), now: Self.now, busy: busy).map(\.start)
        // 09:00 ends at 09:30, inside the buffer; 10:00 starts at the visit's end, inside the buffer.
        #expect(starts == [Self.at("2026-12-01T18:30:00Z"), Self.at("2026-12-01T19:00:00Z"), Self.at("2026-12-01T19:30:00Z")])
        schedule.policy.bufferMinutes = 0
        let tight = Scheduling.slots(schedule, type: Self.followUp, from: Self.at("2026-12-01T17:00:00Z"),
                                     to: Self.at("2026-12-01T20:00:00Z"), now: Self.now, busy: busy).map(\.start)
        #expect(tight.count == 5 && tight.contains(Self.at("2026-12-01T17:00:00Z")) && tight.contains(Self.at("2026-12-01T18:00:00Z")))
    }

    @Test func longerVisitsFitInsideTheHours() {
        let evaluation = VisitType.standard[0]
        let slots = Scheduling.slots(Self.demo, type: evaluation, from: Self.at("2026-12-01T00:00:00Z"),
                                     to: Self.at("2026-12-02T08:00:00Z"), now: Self.now, busy: [])
        // 60 minutes: 09:00..11:00 (5 starts) and 13:00..16:00 (7 starts).
        #expect(slots.count == 12)
        #expect(slots.allSatisfy { $0.end.timeIntervalSince($0.start) == 3600 })
    }

    @Test func inPersonOnlyTypesSkipVideoHours() {
        let inPerson = VisitType(id: "in-clinic", name: "In clinic", minutes: 30, offer: .inPerson)
        let slots = Scheduling.slots(Self.demo, type: inPerson, from: Self.at("2026-12-01T00:00:00Z"),
                                     to: Self.at("2026-12-02T08:00:00Z"), now: Self.now, busy: [])
        #expect(slots.count == 8)
        #expect(slots.allSatisfy { $0.offer == .inPerson })
    }

    @Test func exceptionsAndTimeOffReplaceTheWeek() {
        var schedule = Self.demo
        schedule.exceptions = [DayException(day: Self.day("2026-12-01"), hours: [.init(start: Self.t("10:00"), end: Self.t("11:00"), offer: .video)])]
        schedule.timeOff = [TimeOff(from: Self.day("2026-12-02"), through: Self.day("2026-12-03"), note: "Course")]
        let slots = Scheduling.slots(schedule, type: Self.followUp, from: Self.at("2026-12-01T08:00:00Z"),
                                     to: Self.at("2026-12-05T08:00:00Z"), now: Self.now, busy: [])
        let days = Dictionary(grouping: slots) { CalendarDay(at: $0.start, in: schedule.zone).description }.mapValues(\.count)
        #expect(days == ["2026-12-01": 2, "2026-12-04": 14])
    }

    /// Los Angeles springs forward on 2026-03-08 and falls back on 2026-11-01; a weekly 09:00
    /// stays 09:00 on the wall clock, so its UTC time moves by an hour.
    @Test(arguments: [
        ("America/Los_Angeles", "2026-02-23T17:00:00Z", ["2026-02-23T17:00:00Z", "2026-03-02T17:00:00Z", "2026-03-09T16:00:00Z", "2026-03-16T16:00:00Z"]),
        ("America/Los_Angeles", "2026-10-19T16:00:00Z", ["2026-10-19T16:00:00Z", "2026-10-26T16:00:00Z", "2026-11-02T17:00:00Z", "2026-11-09T17:00:00Z"]),
        // Berlin changes on 2026-03-29 and 2026-10-25, weeks apart from the US.
        ("Europe/Berlin", "2026-03-16T08:00:00Z", ["2026-03-16T08:00:00Z", "2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z", "2026-04-06T07:00:00Z"]),
        ("Europe/Berlin", "2026-10-12T07:00:00Z", ["2026-10-12T07:00:00Z", "2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z", "2026-11-02T08:00:00Z"]),
    ])
    func weeklySeriesKeepTheWallClockAcrossDaylightSaving(zone: String, first: String, expected: [String]) throws {
        let starts = try Scheduling.series(first: Self.at(first), everyWeeks: 1, count: 4, in: TimeZone(identifier: zone)!)
        #expect(starts == expected.map(Self.at))
    }

    @Test func seriesLimits() {
        let zone = TimeZone(identifier: "UTC")!
        #expect(throws: DomainError.self) { try Scheduling.series(first: Self.now, everyWeeks: 0, count: 4, in: zone) }
        #expect(throws: DomainError.self) { try Scheduling.series(first: Self.now, everyWeeks: 1, count: 1, in: zone) }
        #expect(throws: DomainError.self) { try Scheduling.series(first: Self.now, everyWeeks: 1, count: 53, in: zone) }
        #expect((try? Scheduling.series(first: Self.now, everyWeeks: 2, count: 8, in: zone))?.count == 8)
    }

    @Test func slotsOnDaylightSavingDaysUseTheLocalClock() {
        // Sunday hours 01:00-04:00 in New York on the spring change (02:00 -> 03:00) and the fall change.
        let schedule = TherapistSchedule(timeZone: "America/New_York",
                                         weekly: [WeeklyHours(weekday: 7, start: Self.t("01:00"), end: Self.t("04:00"), offer: .video)],
                                         policy: BookingPolicy(bufferMinutes: 0, minimumNoticeHours: 0, horizonDays: 365, slotStepMinutes: 30))
        let spring = Scheduling.slots(schedule, type: Self.followUp, from: Self.at("2026-03-08T00:00:00Z"), to: Self.at("2026-03-09T00:00:00Z"),
                                      now: Self.at("2026-03-01T00:00:00Z"), busy: [])
        // 01:00, 01:30 exist; 02:00 and 02:30 do not; 03:00 and 03:30 do. 01:30 EST ends at 03:00 EDT.
        #expect(spring.map(\.start) == ["2026-03-08T06:00:00Z", "2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z"].map(Self.at))
        let fall = Scheduling.slots(schedule, type: Self.followUp, from: Self.at("2026-11-01T00:00:00Z"), to: Self.at("2026-11-02T00:00:00Z"),
                                    now: Self.at("2026-10-25T00:00:00Z"), busy: [])
        // 01:00-04:00 lasts four real hours; the clock times are 01:00 .. 03:30, each once.
        #expect(fall.count == 6)
        #expect(fall.first?.start == Self.at("2026-11-01T05:00:00Z"))
    }

    /// The quick path for ordinary days gives the same instants as the calendar, every quarter
    /// hour of a year, in zones with one-hour, half-hour and no daylight-saving changes.
    @Test(arguments: ["America/Los_Angeles", "Europe/Berlin", "Pacific/Auckland", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"])
    func quickDayInstantsMatchTheCalendar(zone name: String) {
        let zone = TimeZone(identifier: name)!
        var day = Self.day("2026-01-01")
        var quick = 0
        while day < Self.day("2027-01-01") {
            let local = Scheduling.LocalDay(day, in: zone)
            if local.plainMidnight != nil { quick += 1 }
            for minutes in stride(from: 0, to: 24 * 60, by: 15) {
                #expect(local.instant(minutes: minutes) == Scheduling.instant(day, minutes: minutes, in: zone), "\(name) \(day) \(minutes)")
            }
            day = day.adding(days: 1)
        }
        #expect(quick >= 363, "\(name): \(quick) ordinary days")
    }

    @Test func bookingChecksGiveTheReason() throws {
        let tuesday9 = Self.at("2026-12-01T17:00:00Z")
        let slot = try Scheduling.checkBooking(Self.demo, type: Self.followUp, modality: .video, start: tuesday9, now: Self.now, busy: [])
        #expect(slot.end == Self.at("2026-12-01T17:30:00Z"))
        func code(_ start: Date, _ modality: VisitModality = .video, busy: [Busy] = [], type: VisitType = Self.followUp,
                  booker: Booker = .patientSide) -> String? {
            do {
                _ = try Scheduling.checkBooking(Self.demo, type: type, modality: modality, start: start, now: Self.now, busy: busy, booker: booker)
                return nil
            } catch { return error.code }
        }
        #expect(code(tuesday9, .inPerson) == "modality-not-offered", "mornings are video only")
        #expect(code(Self.at("2026-12-01T21:00:00Z"), .inPerson) == nil, "13:00 local, either")
        #expect(code(Self.at("2026-12-01T17:10:00Z")) == "outside-hours", "not on the step")
        #expect(code(Self.at("2026-12-05T17:00:00Z")) == "outside-hours", "a Saturday")
        #expect(code(Self.at("2026-11-30T22:00:00Z")) == "notice-too-short")
        #expect(code(Self.at("2026-11-30T22:00:00Z"), booker: .staff) == nil)
        #expect(code(Self.at("2026-11-30T15:00:00Z"), booker: .staff) == "visit-in-past")
        #expect(code(Self.at("2027-03-01T17:00:00Z")) == "beyond-horizon")
        #expect(code(tuesday9, busy: [Busy(start: Self.at("2026-12-01T17:15:00Z"), end: Self.at("2026-12-01T17:45:00Z"))]) == "slot-taken")
        #expect(code(tuesday9, type: VisitType(id: "x", name: "Clinic only", minutes: 30, offer: .inPerson)) == "modality-not-offered")
    }

    @Test(arguments: [
        // hours before the visit, who, late?
        (48.0, Booker.patientSide, false),
        (24.0, Booker.patientSide, false),
        (23.9, Booker.patientSide, true),
        (1.0, Booker.patientSide, true),
        (1.0, Booker.staff, false),
    ])
    func lateCancellationFollowsTheNoticeHours(hours: Double, by booker: Booker, late: Bool) {
        let start = Self.now.addingTimeInterval(hours * 3600)
        #expect(CancellationRules.isLate(now: Self.now, start: start, policy: .standard, by: booker) == late)
    }

    @Test func onlyBookedFutureVisitsChange() {
        #expect(throws: Never.self) { try CancellationRules.checkChangeable(status: .booked, start: Self.now.addingTimeInterval(60), now: Self.now) }
        #expect(throws: DomainError.self) { try CancellationRules.checkChangeable(status: .booked, start: Self.now, now: Self.now) }
        for status in VisitStatus.allCases where status != .booked {
            #expect(throws: DomainError.self) { try CancellationRules.checkChangeable(status: status, start: Self.now.addingTimeInterval(3600), now: Self.now) }
        }
    }

    @Test func attendanceIsRecordedOnceAfterTheStart() throws {
        let start = Self.now
        #expect(try Attendance.record(arrived: true, minutes: 32, status: .booked, start: start, now: start.addingTimeInterval(-300)) == (.completed, 32))
        #expect(try Attendance.record(arrived: false, minutes: nil, status: .booked, start: start, now: start.addingTimeInterval(900)) == (.noShow, nil))
        #expect(throws: DomainError.self) { try Attendance.record(arrived: true, minutes: 30, status: .booked, start: start, now: start.addingTimeInterval(-3600)) }
        #expect(throws: DomainError.self) { try Attendance.record(arrived: false, minutes: nil, status: .booked, start: start, now: start.addingTimeInterval(-60)) }
        #expect(throws: DomainError.self) { try Attendance.record(arrived: true, minutes: nil, status: .booked, start: start, now: start) }
        #expect(throws: DomainError.self) { try Attendance.record(arrived: true, minutes: 0, status: .booked, start: start, now: start) }
        #expect(throws: DomainError.self) { try Attendance.record(arrived: false, minutes: 20, status: .booked, start: start, now: start) }
        #expect(throws: DomainError.self) { try Attendance.record(arrived: true, minutes: 30, status: .completed, start: start, now: start) }
    }

    @Test func schedulesAreValidatedAsSaved() throws {
        #expect(try Self.demo.validated() == Self.demo)
        func refused(_ change: (inout TherapistSchedule) -> Void) -> String? {
            var s = Self.demo
            change(&s)
            do { _ = try s.validated(); return nil } catch { return error.code }
        }
        #expect(refused { $0.timeZone = "Mars/Olympus" } == "time-zone-invalid")
        #expect(refused { $0.weekly.append(WeeklyHours(weekday: 8, start: Self.t("09:00"), end: Self.t("10:00"), offer: .video)) } == "weekday-invalid")
        #expect(refused { $0.weekly.append(WeeklyHours(weekday: 1, start: Self.t("11:00"), end: Self.t("14:00"), offer: .video)) } == "hours-overlap")
        #expect(refused { $0.weekly.append(WeeklyHours(weekday: 6, start: Self.t("14:00"), end: Self.t("14:00"), offer: .video)) } == "hours-invalid")
        #expect(refused { $0.weekly.append(WeeklyHours(weekday: 6, start: Self.t("12:00"), end: Self.t("14:00"), offer: .video)) } == nil)
        #expect(refused { $0.exceptions = [DayException(day: Self.day("2026-12-24"), hours: []), DayException(day: Self.day("2026-12-24"), hours: [])] } == "exception-repeated")
        #expect(refused { $0.timeOff = [TimeOff(from: Self.day("2026-12-24"), through: Self.day("2026-12-20"))] } == "time-off-invalid")
        #expect(refused { $0.visitTypes = [] } == "visit-types-invalid")
        #expect(refused { $0.visitTypes[1].id = "initial-evaluation" } == "visit-type-id-invalid")
        #expect(refused { $0.visitTypes[1].minutes = 5 } == "visit-length-invalid")
        #expect(refused { $0.visitTypes[1].name = "  " } == "visit-type-name-invalid")
        #expect(refused { $0.policy.slotStepMinutes = 7 } == "policy-invalid")
        #expect(refused { $0.policy.horizonDays = 0 } == "policy-invalid")
        #expect(refused { $0.policy.lateCancelFeeCents = -1 } == "policy-invalid")
    }

    @Test func offersMeet() {
        #expect(Offer.either.meeting(.video) == .video)
        #expect(Offer.video.meeting(.either) == .video)
        #expect(Offer.video.meeting(.inPerson) == nil)
        #expect(Offer.either.meeting(.either) == .either)
        #expect(Offer.either.allows(.inPerson) && !Offer.video.allows(.inPerson))
    }
}

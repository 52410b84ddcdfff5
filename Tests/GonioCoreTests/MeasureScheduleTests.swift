import Testing
@testable import GonioCore

@Suite struct MeasureScheduleTests {
    static let week = 7 * 86_400.0

    @Test func onceIsDueUntilDone() {
        #expect(MeasureSchedule.once.isDue(assignedAt: 0, completions: [], now: 10))
        #expect(!MeasureSchedule.once.isDue(assignedAt: 0, completions: [5], now: 10 * Self.week))
    }

    @Test func everyTwoWeeks() {
        let s = MeasureSchedule.everyWeeks(2)
        #expect(s.isDue(assignedAt: 0, completions: [], now: 1))                              // first one at once
        #expect(!s.isDue(assignedAt: 0, completions: [100], now: Self.week))                   // same period
        #expect(!s.isDue(assignedAt: 0, completions: [100], now: 2 * Self.week - 1))
        #expect(s.isDue(assignedAt: 0, completions: [100], now: 2 * Self.week))                // next period begins
        #expect(!s.isDue(assignedAt: 0, completions: [100, 2 * Self.week + 5], now: 3 * Self.week))
        #expect(s.isDue(assignedAt: 0, completions: [100], now: 9 * Self.week), "a missed period does not pile up: one is due")
    }

    @Test func atDischargeOnlyWhenDischarging() {
        #expect(!MeasureSchedule.atDischarge.isDue(assignedAt: 0, completions: [], now: 10))
        #expect(MeasureSchedule.atDischarge.isDue(assignedAt: 0, completions: [], now: 10, discharging: true))
        #expect(!MeasureSchedule.atDischarge.isDue(assignedAt: 0, completions: [5], now: 10, discharging: true))
    }

    @Test func parsing() throws {
        #expect(try MeasureSchedule(kind: "every-weeks", weeks: 4) == .everyWeeks(4))
        #expect(try MeasureSchedule(kind: "once", weeks: nil) == .once)
        #expect(throws: DomainError.self) { try MeasureSchedule(kind: "every-weeks", weeks: 0) }
        #expect(throws: DomainError.self) { try MeasureSchedule(kind: "every-weeks", weeks: nil) }
        #expect(throws: DomainError.self) { try MeasureSchedule(kind: "daily", weeks: nil) }
        #expect(throws: DomainError.self) { try MeasureSchedule(kind: "once", weeks: 27) }
        #expect(MeasureSchedule.everyWeeks(3).kind == .everyWeeks && MeasureSchedule.everyWeeks(3).weeks == 3 && MeasureSchedule.everyWeeks(3).displayName == "Every 3 weeks")
    }
}

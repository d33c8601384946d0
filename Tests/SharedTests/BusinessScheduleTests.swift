import Contracts
import Foundation
import Testing

@Suite("Business hours and holidays")
struct BusinessScheduleTests {
    static func date(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    @Test("Open inside the local weekday's hours, in the schedule's own time zone")
    func localHours() throws {
        var schedule = BusinessSchedule.standard
        schedule.timeZone = "America/New_York"
        #expect(schedule.isOpen(at: try Self.date("2026-12-01T14:00:00Z")), "Tuesday 09:00 in New York")
        #expect(!schedule.isOpen(at: try Self.date("2026-12-01T12:30:00Z")), "Tuesday 07:30 in New York")
        #expect(!schedule.isOpen(at: try Self.date("2026-12-01T22:00:00Z")), "17:00 is closing time")
        #expect(!schedule.isOpen(at: try Self.date("2026-12-05T15:00:00Z")), "Saturday has no hours: Closed")
    }

    @Test("A holiday closes the whole local day")
    func holidays() throws {
        var schedule = BusinessSchedule.standard
        schedule.timeZone = "Europe/Berlin"
        schedule.holidays = [Holiday(date: "2026-12-25", name: "Christmas")]
        #expect(!schedule.isOpen(at: try Self.date("2026-12-25T10:00:00Z")))
        #expect(schedule.isOpen(at: try Self.date("2026-12-24T10:00:00Z")))
    }

    @Test("Invalid hours, zones and dates are named")
    func problems() {
        var schedule = BusinessSchedule.standard
        schedule.timeZone = "Atlantis/Capital"
        schedule.monday = DayHours(start: "17:00", end: "08:00")
        schedule.tuesday = DayHours(start: "8:00", end: "17:00")
        schedule.holidays = [Holiday(date: "2026-13-01", name: "")]
        #expect(schedule.problems(prefix: "hours").map(\.field) == [
            "hours.timeZone", "hours.monday", "hours.tuesday", "hours.holidays[0].date", "hours.holidays[0].name",
        ])
    }
}

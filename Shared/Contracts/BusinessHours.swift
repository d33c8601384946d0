import Foundation

/// Opening time of one day as "HH:mm" in the schedule's time zone; a day without hours is Closed.
public struct DayHours: Codable, Sendable, Equatable {
    public var start: String
    public var end: String

    public init(start: String, end: String) {
        self.start = start
        self.end = end
    }

    /// Minutes since midnight of start and end, nil unless both are valid and start is before end.
    public var minutes: (start: Int, end: Int)? {
        guard let start = Self.minutes(start), let end = Self.minutes(end), start < end else { return nil }
        return (start, end)
    }

    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...24).contains(hour), (0...59).contains(minute), hour < 24 || minute == 0
        else { return nil }
        return hour * 60 + minute
    }
}

/// A day off: live chat is offline and "Outside Business Hours" rules treat it as closed.
public struct Holiday: Codable, Sendable, Equatable {
    /// YYYY-MM-DD in the schedule's time zone.
    public var date: String
    public var name: String

    public init(date: String, name: String) {
        self.date = date
        self.name = name
    }
}

/// A weekly schedule: hours per weekday (absent = Closed), in an IANA time zone, with holidays.
public struct BusinessSchedule: Codable, Sendable, Equatable {
    public var timeZone: String
    public var monday: DayHours?
    public var tuesday: DayHours?
    public var wednesday: DayHours?
    public var thursday: DayHours?
    public var friday: DayHours?
    public var saturday: DayHours?
    public var sunday: DayHours?
    public var holidays: [Holiday]

    /// Monday to Friday, 08:00–17:00, in UTC, no holidays.
    public static let standard = BusinessSchedule(
        timeZone: "UTC", monday: .init(start: "08:00", end: "17:00"), tuesday: .init(start: "08:00", end: "17:00"),
        wednesday: .init(start: "08:00", end: "17:00"), thursday: .init(start: "08:00", end: "17:00"),
        friday: .init(start: "08:00", end: "17:00"), saturday: nil, sunday: nil, holidays: [])

    public init(
        timeZone: String, monday: DayHours?, tuesday: DayHours?, wednesday: DayHours?, thursday: DayHours?, friday: DayHours?,
        saturday: DayHours?, sunday: DayHours?, holidays: [Holiday]
    ) {
        self.timeZone = timeZone
        self.monday = monday
        self.tuesday = tuesday
        self.wednesday = wednesday
        self.thursday = thursday
        self.friday = friday
        self.saturday = saturday
        self.sunday = sunday
        self.holidays = holidays
    }

    /// Closed days are written as null, so a stored schedule read over the defaults stays closed on those days.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(timeZone, forKey: .timeZone)
        try container.encode(monday, forKey: .monday)
        try container.encode(tuesday, forKey: .tuesday)
        try container.encode(wednesday, forKey: .wednesday)
        try container.encode(thursday, forKey: .thursday)
        try container.encode(friday, forKey: .friday)
        try container.encode(saturday, forKey: .saturday)
        try container.encode(sunday, forKey: .sunday)
        try container.encode(holidays, forKey: .holidays)
    }

    /// The hours of a Gregorian weekday number (1 = Sunday … 7 = Saturday).
    public func hours(weekday: Int) -> DayHours? {
        [sunday, monday, tuesday, wednesday, thursday, friday, saturday][(weekday - 1 + 7) % 7]
    }

    /// Whether `date` falls inside the hours of its local weekday and not on a holiday.
    public func isOpen(at date: Date) -> Bool {
        guard let zone = TimeZone(identifier: timeZone) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let local = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        guard let year = local.year, let month = local.month, let day = local.day, let weekday = local.weekday else { return false }
        let isoDay = String(format: "%04d-%02d-%02d", year, month, day)
        if holidays.contains(where: { $0.date == isoDay }) { return false }
        guard let span = hours(weekday: weekday)?.minutes else { return false }
        let minute = (local.hour ?? 0) * 60 + (local.minute ?? 0)
        return minute >= span.start && minute < span.end
    }

    /// Every problem with the schedule, as (field, message) pairs; empty when valid.
    public func problems(prefix: String) -> [(field: String, message: String)] {
        var result: [(String, String)] = []
        if TimeZone(identifier: timeZone) == nil { result.append(("\(prefix).timeZone", "must be an IANA time zone such as Europe/Berlin")) }
        let days: [(String, DayHours?)] = [
            ("monday", monday), ("tuesday", tuesday), ("wednesday", wednesday), ("thursday", thursday), ("friday", friday),
            ("saturday", saturday), ("sunday", sunday),
        ]
        for (name, hours) in days where hours != nil && hours?.minutes == nil {
            result.append(("\(prefix).\(name)", "needs start before end, as HH:mm"))
        }
        for (index, holiday) in holidays.enumerated() {
            let parts = holiday.date.split(separator: "-")
            let valid = parts.count == 3 && parts[0].count == 4 && parts[1].count == 2 && parts[2].count == 2
                && Int(parts[1]).map { (1...12).contains($0) } == true && Int(parts[2]).map { (1...31).contains($0) } == true
            if !valid { result.append(("\(prefix).holidays[\(index)].date", "must be YYYY-MM-DD")) }
            if holiday.name.isEmpty || holiday.name.count > 100 { result.append(("\(prefix).holidays[\(index)].name", "1...100 characters")) }
        }
        return result
    }
}

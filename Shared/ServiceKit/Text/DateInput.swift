import Foundation

/// A date a user typed into a query: a full ISO 8601 time (`2026-12-01T09:30:00Z`) or a bare day (`2026-12-01`,
/// its start in UTC). ``bound(_:endOfDay:)`` reads an end bound as including its day.
public enum DateInput {
    /// The times input may name: 1900-01-01 to 9999-12-31 (UTC). Foundation reads years before 1582 in the Julian
    /// calendar and years past 9999 have no four-digit form, so such a time would not come back as it was sent.
    public static let accepted = Date(timeIntervalSince1970: -2_208_988_800)..<Date(timeIntervalSince1970: 253_402_300_800)

    public static func parse(_ text: String) -> (date: Date, wholeDay: Bool)? {
        if let moment = try? Date(text, strategy: .iso8601), accepted.contains(moment) { return (moment, false) }
        guard let day = try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day()), accepted.contains(day) else { return nil }
        return (day, true)
    }

    /// A time as given, or a bare date: its start, or with `endOfDay` the start of the next day (UTC), an exclusive
    /// end that includes the day.
    public static func bound(_ text: String, endOfDay: Bool) -> Date? {
        guard let (date, wholeDay) = parse(text) else { return nil }
        return wholeDay && endOfDay ? date.addingTimeInterval(86_400) : date
    }
}

import Foundation

/// A date a user typed into a query: a full ISO 8601 time (`2026-12-01T09:30:00Z`) or a bare day (`2026-12-01`,
/// its start in UTC). ``bound(_:endOfDay:)`` reads an end bound as including its day.
public enum DateInput {
    /// The times input may name: 1900-01-01 to 9999-12-31 (UTC). Foundation reads years before 1582 in the Julian
    /// calendar and years past 9999 have no four-digit form, so such a time would not come back as it was sent.
    public static let accepted = Date(timeIntervalSince1970: -2_208_988_800)..<Date(timeIntervalSince1970: 253_402_300_800)

    public static func parse(_ text: String) -> (date: Date, wholeDay: Bool)? {
        guard namesRealTime(text) else { return nil }
        if let moment = try? Date(text, strategy: .iso8601), accepted.contains(moment) { return (moment, false) }
        guard let day = try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day()), accepted.contains(day) else { return nil }
        return (day, true)
    }

    /// Whether `text` is `YYYY-MM-DD`, or that with `THH:MM`, optional `:SS` (60, a leap second, as RFC 3339 allows) and
    /// fraction, and `Z` or an offset, each part within its range: Foundation's reader takes `2026-02-30` as March 2nd, `25:61` as the next day and `2026-1-1`
    /// too, so a time nobody meant would be stored.
    public static func namesRealTime(_ text: String) -> Bool {
        var reader = DigitReader(Array(text.utf8))
        guard let year = reader.number(4), reader.take("-"), let month = reader.number(2), reader.take("-"), let day = reader.number(2),
            (1...12).contains(month), (1...daysIn(month, of: year)).contains(day)
        else { return false }
        guard !reader.atEnd else { return true }
        guard reader.take("T") || reader.take("t"), let hour = reader.number(2), reader.take(":"), let minute = reader.number(2), hour < 24, minute < 60
        else { return false }
        if reader.take(":") {
            guard let second = reader.number(2), second <= 60 else { return false }
            if reader.take(".") || reader.take(",") { guard reader.digits() > 0 else { return false } }
        }
        if reader.take("Z") || reader.take("z") { return reader.atEnd }
        guard reader.take("+") || reader.take("-"), let offsetHours = reader.number(2), offsetHours < 24 else { return false }
        guard !reader.atEnd else { return true }
        _ = reader.take(":")
        guard let offsetMinutes = reader.number(2), offsetMinutes < 60 else { return false }
        return reader.atEnd
    }

    private static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Reads ASCII digits and separators off the front of a date's bytes.
    private struct DigitReader {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// Exactly `count` digits as a number.
        mutating func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }

        /// Skips digits; how many.
        mutating func digits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }
    }

    /// A time as given, or a bare date: its start, or with `endOfDay` the start of the next day (UTC), an exclusive
    /// end that includes the day.
    public static func bound(_ text: String, endOfDay: Bool) -> Date? {
        guard let (date, wholeDay) = parse(text) else { return nil }
        return wholeDay && endOfDay ? date.addingTimeInterval(86_400) : date
    }
}

import Foundation

/// A date a user typed into a query: a full ISO 8601 time (`2026-12-01T09:30:00Z`) or a bare day (`2026-12-01`,
/// its start in UTC). Callers that take a day as an end bound decide how much of it to include.
public enum DateInput {
    public static func parse(_ text: String) -> (date: Date, wholeDay: Bool)? {
        if let moment = try? Date(text, strategy: .iso8601) { return (moment, false) }
        guard let day = try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day()) else { return nil }
        return (day, true)
    }
}

import Foundation
import Search
import ServiceKit

/// The date ranges of an advanced search, from `createdFrom`/`createdTo`, `updatedFrom`/`updatedTo`,
/// `publishedFrom`/`publishedTo` and `reviewedFrom`/`reviewedTo` (ISO 8601 dates or times; a bare end date
/// includes that whole day), as value ranges on the index's date slots.
enum SearchDates {
    static let fields: [(name: String, slot: UInt32)] = [
        ("created", ArticleSearchTerms.createdSlot), ("updated", ArticleSearchTerms.updatedSlot),
        ("published", ArticleSearchTerms.publishedSlot), ("reviewed", ArticleSearchTerms.reviewedSlot),
    ]

    static func ranges(_ parameter: (String) -> String?) throws -> [SearchValueRange] {
        var ranges: [SearchValueRange] = []
        var errors: [Problem.FieldError] = []
        for (name, slot) in fields {
            var bounds: [String?] = []
            for (suffix, endOfDay) in [("From", false), ("To", true)] {
                let key = name + suffix
                guard let text = parameter(key) else {
                    bounds.append(nil)
                    continue
                }
                guard let date = date(text, endOfDay: endOfDay) else {
                    errors.append(.init(field: key, message: "an ISO 8601 date such as 2026-12-01 or 2026-12-01T09:30:00Z"))
                    bounds.append(nil)
                    continue
                }
                bounds.append(ArticleSearchTerms.sortable(date))
            }
            if bounds[0] != nil || bounds[1] != nil { ranges.append(SearchValueRange(slot: slot, lower: bounds[0], upper: bounds[1])) }
        }
        if !errors.isEmpty { throw Problem.unprocessable("Dates are ISO 8601.", errors: errors) }
        return ranges
    }

    /// A full timestamp, or a day (its start, or with `endOfDay` its last second), in UTC.
    static func date(_ text: String, endOfDay: Bool) -> Date? {
        guard let (date, wholeDay) = DateInput.parse(text) else { return nil }
        return wholeDay && endOfDay ? date.addingTimeInterval(86_399) : date
    }
}

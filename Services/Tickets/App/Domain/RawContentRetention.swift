import Foundation
import ServiceKit

/// Settings → Email, Options: "Delete Raw Content After" [S001:6941-6944], for the raw emails the tickets service keeps
/// (``MessageSource/rawContent``, an agent's Raw Content): kept `days` after their message arrived, at most `files` of
/// them and at most `megabytes` together; past any limit the oldest go first. The message itself, its safe HTML and
/// the HTML its sender wrote (Show HTML) stay.
public struct RawContentRetention: Codable, Sendable, Equatable {
    /// "Day(s)": raw content older than this is purged (default 30).
    public var days = 30
    /// "File(s)": the most raw emails kept (default 25,000).
    public var files = 25_000
    /// "MB": the most space they take together, counted as the emails' own size (default 10,000).
    public var megabytes = 10_000

    public init() {}

    /// Messages that arrived before this lose their raw content.
    public func cutoff(now: Date) -> Date {
        now.addingTimeInterval(-TimeInterval(days) * 86_400)
    }

    /// `megabytes` in bytes.
    public var bytes: Int64 { Int64(megabytes) * 1_048_576 }

    /// Every problem at once (422): each limit a positive number within bounds.
    public static func validate(_ retention: RawContentRetention) throws {
        var errors: [Problem.FieldError] = []
        for (value, field, range) in [
            (retention.days, "days", 1...3_650), (retention.files, "files", 1...100_000_000), (retention.megabytes, "megabytes", 1...100_000_000),
        ] where !range.contains(value) {
            errors.append(.init(field: field, message: "\(range.lowerBound)...\(range.upperBound)"))
        }
        try Problem.throwIfInvalid(errors)
    }
}

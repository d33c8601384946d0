import Foundation

/// "Enable automatic time log creation" (Settings → Management Interface, seed 001, 7506): the owner of a ticket
/// who has it open for at least a minute gets a time log of that time, to the nearest minute, at most a day.
///
/// The owner may have the ticket open in two windows at once: each window's log leaves out the time the owner's
/// windows that closed before it already logged, so the logs add up to the time the ticket was open, not twice it.
public enum AutomaticTimeLog {
    public static let minimumSeconds: TimeInterval = 60
    public static let maximumMinutes = 24 * 60

    /// The minutes to log for a view from `opened` to `closed`, or nil when none is due; `logged` are the spans of
    /// the owner's other views of the ticket whose time was logged already.
    public static func minutes(opened: Date, closed: Date, enabled: Bool, byOwner: Bool, logged: [DateInterval] = []) -> Int? {
        let seconds = closed.timeIntervalSince(opened)
        guard enabled, byOwner, seconds >= minimumSeconds else { return nil }
        let uncovered = seconds - coveredSeconds(of: DateInterval(start: opened, end: closed), by: logged)
        let minutes = Int((uncovered / 60).rounded())
        return minutes > 0 ? min(minutes, maximumMinutes) : nil
    }

    /// How much of `span` the union of `others` covers.
    static func coveredSeconds(of span: DateInterval, by others: [DateInterval]) -> TimeInterval {
        let clipped = others.compactMap { $0.intersection(with: span) }.sorted { $0.start < $1.start }
        var covered: TimeInterval = 0
        var reach = span.start
        for part in clipped where part.end > reach {
            covered += part.end.timeIntervalSince(max(part.start, reach))
            reach = part.end
        }
        return covered
    }
}

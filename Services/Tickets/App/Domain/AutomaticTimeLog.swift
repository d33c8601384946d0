import Foundation

/// "Enable automatic time log creation" (Settings → Management Interface, seed 001, 7506): the owner of a ticket
/// who has it open for at least a minute gets a time log of that time, to the nearest minute, at most a day.
public enum AutomaticTimeLog {
    public static let minimumSeconds: TimeInterval = 60

    /// The minutes to log for a view from `opened` to `closed`, or nil when none is due.
    public static func minutes(opened: Date, closed: Date, enabled: Bool, byOwner: Bool) -> Int? {
        let seconds = closed.timeIntervalSince(opened)
        guard enabled, byOwner, seconds >= minimumSeconds else { return nil }
        return min(max(1, Int((seconds / 60).rounded())), 24 * 60)
    }
}

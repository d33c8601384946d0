import Foundation

/// The durable timers of a ticket.
public enum TimerKind: String, Codable, Sendable, CaseIterable {
    case autoClose = "auto_close"
    case autoLock = "auto_lock"
    case autoDelete = "auto_delete"
    case followUp = "follow_up"
    case purge
}

/// A department's timer settings (nil: off), whether auto-delete takes tickets with resolutions ("Include tickets
/// with resolutions in auto-delete", off by default: resolutions feed Assistance) and the purge period of deleted
/// tickets.
public struct TimerPolicy: Sendable, Equatable {
    public var autoCloseHours: Int?
    public var autoLockHours: Int?
    public var autoDeleteDays: Int?
    public var autoDeleteResolved: Bool
    public var purgeDays: Int

    public static let defaultPurgeDays = 90

    public init(
        autoCloseHours: Int? = nil, autoLockHours: Int? = nil, autoDeleteDays: Int? = nil, autoDeleteResolved: Bool = false,
        purgeDays: Int = TimerPolicy.defaultPurgeDays
    ) {
        self.autoCloseHours = autoCloseHours
        self.autoLockHours = autoLockHours
        self.autoDeleteDays = autoDeleteDays
        self.autoDeleteResolved = autoDeleteResolved
        self.purgeDays = purgeDays
    }
}

/// When each timer of a ticket is due, from its state: Waiting tickets close the department's hours after they were
/// marked Waiting (`statusSince`: the change of status, or the last action an agent took on it while Waiting, a reply,
/// a comment, a transfer… [S001:6021]) [S003:43, S001:2873], unless a follow-up is scheduled (it decides when the
/// ticket comes back); Closed ones lock the hours after they were marked Closed (an unlocked ticket counts from its
/// unlocking) [S003:45]; Closed and Closed-and-Locked ones are deleted the days after they were first closed
/// (`closedAt`), those with a resolution only when the department includes them; a scheduled follow-up fires at its
/// time (`followUpAt`, nil once due); a deleted ticket is purged after 90 days and has no other timer.
public enum TimerRules {
    /// Whether a change starts a Waiting ticket's auto-close wait again: "if any action is performed on a ticket, such as
    /// transferring it to another agent or group or even commenting the ticket, the waiting time will reset"
    /// [S001:6021]: an agent's action that leaves it Waiting, or an automation rule's. A customer's message makes it
    /// Active, and what the system does by itself (a timer, distribution) is no one's action on it.
    public static func restartsWaiting(actorKind: String, status: TicketStatus) -> Bool {
        status == .waiting && ![Actor.system.kind, "customer"].contains(actorKind)
    }

    public static func due(
        status: TicketStatus, closedAt: Date?, statusSince: Date?, followUpAt: Date?, deletedAt: Date?, hasResolution: Bool = false,
        policy: TimerPolicy
    ) -> [TimerKind: Date] {
        if let deletedAt { return [.purge: deletedAt.addingTimeInterval(TimeInterval(policy.purgeDays) * 86_400)] }
        var due: [TimerKind: Date] = [:]
        if let followUpAt { due[.followUp] = followUpAt }
        if status == .waiting, followUpAt == nil, let hours = policy.autoCloseHours, let statusSince {
            due[.autoClose] = statusSince.addingTimeInterval(TimeInterval(hours) * 3_600)
        }
        if status == .closed, let hours = policy.autoLockHours, let since = statusSince ?? closedAt {
            due[.autoLock] = since.addingTimeInterval(TimeInterval(hours) * 3_600)
        }
        if status.isClosed, let days = policy.autoDeleteDays, let closedAt, policy.autoDeleteResolved || !hasResolution {
            due[.autoDelete] = closedAt.addingTimeInterval(TimeInterval(days) * 86_400)
        }
        return due
    }
}

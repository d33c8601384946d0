import ServiceKit

/// What a customer message does to a ticket, by its status.
public enum CustomerReplyEffect: Equatable, Sendable {
    /// Stays or becomes Active with its owner.
    case active
    /// Becomes Active and goes to another agent by round robin, because its owner is not active in the group.
    case activeReassigned
    /// Closed and Locked: the message is refused and nothing changes.
    case rejectedLocked
}

/// The ticket status rules, as plain functions.
public enum StatusRules {
    /// A customer reply makes Waiting and Closed tickets Active again; a Waiting or Closed ticket whose owner is
    /// inactive (and not pinned to them) moves on by round robin, as an inactive agent "won't receive any ticket
    /// replies" [S001:2708]; Closed and Locked never reopens.
    public static func customerReply(status: TicketStatus, ownerActive: Bool, pinned: Bool, hasOwner: Bool) -> CustomerReplyEffect {
        switch status {
        case .closedLocked: .rejectedLocked
        case .active: .active
        case .waiting, .closed: (hasOwner && !ownerActive && !pinned) ? .activeReassigned : .active
        }
    }

    /// Take "make[s] it an active issue in their own queue": a Waiting or Closed ticket becomes Active; an Active one
    /// is already, and Closed and Locked stays done.
    public static func activeWhenTaken(_ status: TicketStatus) -> Bool {
        status == .waiting || status == .closed
    }

    /// The department's close guards, checked when an agent moves a ticket into Closed or Closed and Locked:
    /// "Require resolution to close tickets" and "Require all tasks to be completed to close tickets" (a task is
    /// done when Completed or Rejected).
    public static func checkClose(
        to status: TicketStatus, requireResolution: Bool, hasResolution: Bool, requireTasksCompleted: Bool = false, unfinishedTasks: Int = 0
    ) throws {
        guard status.isClosed else { return }
        var errors: [Problem.FieldError] = []
        var details: [String] = []
        if requireResolution && !hasResolution {
            errors.append(.init(field: "status", message: "a resolution is required to close"))
            details.append("a resolution before a ticket is closed; add a Resolution comment first")
        }
        if requireTasksCompleted && unfinishedTasks > 0 {
            errors.append(.init(field: "status", message: "\(unfinishedTasks) task(s) not completed"))
            details.append("all tasks completed before a ticket is closed; \(unfinishedTasks) of this ticket's tasks are not")
        }
        guard !errors.isEmpty else { return }
        throw Problem.unprocessable("This department requires " + details.joined(separator: ", and ") + ".", errors: errors)
    }
}

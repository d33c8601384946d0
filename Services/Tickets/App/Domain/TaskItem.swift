import Foundation

/// The seven task statuses (seed 001, 3770–3780). Any status may follow any other: the manual gives no rules.
public enum TaskStatus: String, Codable, Sendable, CaseIterable {
    case underConsideration = "under_consideration"
    case approved
    case inProgress = "in_progress"
    case onHold = "on_hold"
    case inReview = "in_review"
    case completed
    case rejected

    /// The tab a task of this status is listed under: "Active … In Progress and In Review; Pending … On Hold and
    /// Under Consideration; Closed … Completed and Rejected" (3752). Approved is on no tab in the manual; it is
    /// decided but not started, so it waits under Pending.
    public var tab: TaskTab {
        switch self {
        case .inProgress, .inReview: .active
        case .underConsideration, .approved, .onHold: .pending
        case .completed, .rejected: .closed
        }
    }

    /// Done with: a closed task no longer holds its ticket open ("Require all tasks to be completed to close
    /// tickets"). A rejected task will never be completed, so it does not block the ticket either.
    public var isFinished: Bool { tab == .closed }
}

/// The task lists' tabs.
public enum TaskTab: String, Codable, Sendable, CaseIterable {
    case active, pending, closed

    public var statuses: [TaskStatus] { TaskStatus.allCases.filter { $0.tab == self } }
}

/// A task: work for one agent, on its own or made from a ticket (then owned by that ticket and one of its related
/// items). Estimates and the reminder are in minutes.
public struct TaskItem: Codable, Sendable, Equatable {
    public var id: String
    public var brandID: String?
    /// The ticket that owns the task when it was made from one ("Owned By: Related Item"); nil when an agent owns it.
    public var ticketID: String?
    public var agentID: String
    public var subject: String
    public var description: String
    public var status: TaskStatus
    public var priority: TicketPriority
    public var startAt: Date?
    public var dueAt: Date?
    /// Set when the task closes (Completed or Rejected); it takes the due date's place in lists.
    public var completedAt: Date?
    public var originalEstimateMinutes: Int?
    public var remainingEstimateMinutes: Int?
    /// How long before the due time the agent is reminded.
    public var reminderMinutes: Int?
    public var createdBy: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var deletedAt: Date?
    public var version: Int

    public var tab: TaskTab { status.tab }
    public var etag: String { "\"\(version)\"" }
}

/// A comment on a task (the catalog's "Task Comment Added").
public struct TaskComment: Codable, Sendable, Equatable {
    public var id: String
    public var taskID: String
    public var authorID: String
    public var body: String
    public var createdAt: Date
}

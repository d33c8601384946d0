import Foundation

/// The moments a task announces: its start ("Task Started"), its reminder (the due time less the reminder) and its
/// due time ("Task Due").
public enum TaskTimerKind: String, Codable, Sendable, CaseIterable {
    case started, reminder, due

    /// The event a due timer publishes.
    public var eventType: String { "task.\(rawValue)" }
}

extension TaskRules {
    /// The task's timers still ahead of `now`: none once it is closed or deleted, and none for a moment already
    /// past (a change after its start does not announce the start again; a later due date arms the due timer anew).
    public static func timers(for task: TaskItem, now: Date) -> [TaskTimerKind: Date] {
        guard task.deletedAt == nil, !task.status.isFinished else { return [:] }
        var timers: [TaskTimerKind: Date] = [:]
        if let start = task.startAt { timers[.started] = start }
        if let due = task.dueAt {
            timers[.due] = due
            if let minutes = task.reminderMinutes { timers[.reminder] = due.addingTimeInterval(-TimeInterval(minutes) * 60) }
        }
        return timers.filter { $0.value > now }
    }
}

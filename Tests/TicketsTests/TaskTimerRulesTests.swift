import Foundation
import Testing

@testable import TicketsApp

@Suite("Task timers")
struct TaskTimerRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func task(start: TimeInterval?, due: TimeInterval?, reminder: Int?, status: TaskStatus = .inProgress) -> TaskItem {
        TaskItem(
            id: "t", brandID: nil, ticketID: nil, agentID: "a", subject: "s", description: "", status: status, priority: .normal,
            startAt: start.map { now.addingTimeInterval($0) }, dueAt: due.map { now.addingTimeInterval($0) }, reminderMinutes: reminder,
            createdAt: now, updatedAt: now, version: 1)
    }

    @Test("An open task announces its start, its reminder before the due time and the due time, only those still ahead")
    func ahead() {
        let timers = TaskRules.timers(for: task(start: 60, due: 7_200, reminder: 30), now: now)
        #expect(timers == [.started: now.addingTimeInterval(60), .reminder: now.addingTimeInterval(5_400), .due: now.addingTimeInterval(7_200)])
        #expect(TaskRules.timers(for: task(start: -60, due: 600, reminder: 30), now: now) == [.due: now.addingTimeInterval(600)],
                "a start and a reminder already past are not announced")
    }

    @Test("A closed or deleted task has no timers")
    func closedOrDeleted() {
        #expect(TaskRules.timers(for: task(start: 60, due: 600, reminder: 5, status: .completed), now: now).isEmpty)
        var deleted = task(start: 60, due: 600, reminder: 5)
        deleted.deletedAt = now
        #expect(TaskRules.timers(for: deleted, now: now).isEmpty)
    }
}

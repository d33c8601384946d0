import Auth
import Foundation
import HTTPTypes
import ServiceKit
import Testing

@testable import TicketsApp

@Suite("Task rules")
struct TaskRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func decoded(_ json: String) throws -> TaskRequest {
        try JSONBody.decode(TaskRequest.self, from: Data(json.utf8))
    }

    func newTask(_ json: String = #"{"subject":"Call the customer back"}"#) throws -> TaskItem {
        try TaskRules.new(try decoded(json), id: UUID().uuidString.lowercased(), brandID: nil, ticketID: nil, createdBy: "agent-1", now: now)
    }

    @Test("The seven statuses fall on the documented tabs, Approved under Pending, and only closed ones are done")
    func tabs() {
        #expect(TaskTab.active.statuses == [.inProgress, .inReview])
        #expect(TaskTab.pending.statuses == [.underConsideration, .approved, .onHold])
        #expect(TaskTab.closed.statuses == [.completed, .rejected])
        #expect(TaskStatus.allCases.filter(\.isFinished) == [.completed, .rejected])
    }

    @Test("A new task is the caller's, In Progress and Normal unless the request says otherwise")
    func defaults() throws {
        let task = try newTask()
        #expect(task.agentID == "agent-1")
        #expect(task.status == .inProgress)
        #expect(task.priority == .normal)
        #expect(task.version == 1)
        #expect(throws: Problem.self) { try TaskRules.new(TaskRequest(), id: "x", brandID: nil, ticketID: nil, createdBy: "agent-1", now: now) }
    }

    @Test("Every wrong field is named at once and the task is left as it was")
    func validation() throws {
        let task = try newTask()
        let request = try decoded("""
            {"subject":"  ","status":"done","priority":"asap","agentID":"nobody","startAt":"2027-01-02T00:00:00Z","dueAt":"2027-01-01T00:00:00Z",
             "originalEstimate":{"value":3,"unit":"fortnights"},"reminderMinutes":-5}
            """)
        do {
            _ = try TaskRules.applying(request, to: task, now: now)
            Issue.record("expected a validation problem")
        } catch let problem as Problem {
            #expect(problem.status == .unprocessableContent)
            #expect(Set(problem.errors.map(\.field)) == [
                "subject", "status", "priority", "agentID", "dueAt", "originalEstimate", "reminderMinutes",
            ])
        }
        let noDue = try decoded(#"{"reminderMinutes":10}"#)
        #expect(throws: Problem.self) { try TaskRules.applying(noDue, to: task, now: now) }
    }

    @Test("Estimates are kept in minutes; a null field is cleared and an absent one stays")
    func estimatesAndClearing() throws {
        var task = try newTask(#"{"subject":"Plan","originalEstimate":{"value":2,"unit":"days"},"dueAt":"2027-01-01T00:00:00Z","reminderMinutes":10}"#)
        #expect(task.originalEstimateMinutes == 2_880)
        #expect(task.reminderMinutes == 10)
        task = try TaskRules.applying(try decoded(#"{"remainingEstimate":{"value":3,"unit":"hours"}}"#), to: task, now: now)
        #expect(task.remainingEstimateMinutes == 180)
        #expect(task.originalEstimateMinutes == 2_880, "absent: unchanged")
        task = try TaskRules.applying(try decoded(#"{"dueAt":null,"reminderMinutes":null}"#), to: task, now: now)
        #expect(task.dueAt == nil)
        #expect(task.reminderMinutes == nil)
    }

    @Test("An estimate too large to count in minutes is refused by its field instead of stopping the service")
    func hugeEstimates() throws {
        let task = try newTask()
        for unit in ["weeks", "days", "hours"] {
            let request = try decoded(#"{"originalEstimate":{"value":9223372036854775807,"unit":"\#(unit)"}}"#)
            #expect(TaskEstimate(value: Int.max, unit: unit).minutes == nil)
            #expect(throws: Problem.self, "\(unit)") { try TaskRules.applying(request, to: task, now: now) }
        }
    }

    @Test("Closing a task sets its completion date and reopening it clears the date")
    func completion() throws {
        let task = try newTask()
        let done = TaskRules.setting(.completed, on: task, now: now)
        #expect(done.completedAt == now)
        #expect(TaskRules.setting(.rejected, on: done, now: now.addingTimeInterval(60)).completedAt == now, "still closed: the date stays")
        #expect(TaskRules.setting(.inReview, on: done, now: now).completedAt == nil)
    }

    @Test("A change needs the Tasks actions it touches and makes one event per kind of change")
    func actionsAndEvents() throws {
        let task = try newTask()
        let changed = try TaskRules.applying(
            try decoded(#"{"status":"on_hold","priority":"high","agentID":"\#(UUID().uuidString)","description":"More"}"#), to: task, now: now)
        #expect(TaskRules.requiredActions(from: task, to: changed) == ["Change Status", "Change Priority", "Transfer", "Edit"])
        #expect(TaskRules.events(from: task, to: changed).map(\.type) == ["task.transferred", "task.status_changed", "task.modified"])
        #expect(TaskRules.events(from: task, to: changed).last?.details["fields"] == "description,priority")
        let statusOnly = TaskRules.setting(.completed, on: task, now: now)
        #expect(TaskRules.requiredActions(from: task, to: statusOnly) == ["Change Status"])
        #expect(TaskRules.events(from: task, to: task).isEmpty)
        let due = try TaskRules.applying(try decoded(#"{"dueAt":"2027-02-04T09:00:00Z"}"#), to: task, now: now)
        #expect(TaskRules.requiredActions(from: task, to: due) == ["Change Start and Due Dates"], "dates are their own permission, not an edit")
    }

    @Test("Tasks' Custom Modify edits and changes status and priority but not dates; Full Control and Modify change dates")
    func customModify() {
        let modify = FeatureGrant.custom(["Modify"]).actions(on: .tasks)
        #expect(modify.isSuperset(of: ["Edit", "Change Status", "Change Priority"]))
        #expect(!modify.contains("Change Start and Due Dates") && !modify.contains("Delete"))
        #expect(FeatureGrant.custom(["Modify", "Change Start and Due Dates"]).actions(on: .tasks).contains("Change Start and Due Dates"))
        #expect(FeatureGrant(.modify).actions(on: .tasks).contains("Change Start and Due Dates"))
        #expect(FeatureGrant(.fullControl).actions(on: .tasks).contains("Change Start and Due Dates"))
    }

    @Test("The department's tasks guard refuses closing while a task is unfinished, together with the resolution guard")
    func closeGuard() throws {
        #expect(throws: Problem.self) { try StatusRules.checkClose(to: .closed, requireResolution: false, hasResolution: false, requireTasksCompleted: true, unfinishedTasks: 1) }
        try StatusRules.checkClose(to: .closed, requireResolution: false, hasResolution: false, requireTasksCompleted: true, unfinishedTasks: 0)
        try StatusRules.checkClose(to: .waiting, requireResolution: false, hasResolution: false, requireTasksCompleted: true, unfinishedTasks: 3)
        try StatusRules.checkClose(to: .closedLocked, requireResolution: false, hasResolution: false, requireTasksCompleted: false, unfinishedTasks: 3)
        do {
            try StatusRules.checkClose(to: .closedLocked, requireResolution: true, hasResolution: false, requireTasksCompleted: true, unfinishedTasks: 2)
            Issue.record("expected a validation problem")
        } catch let problem as Problem {
            #expect(problem.errors.count == 2)
            #expect(problem.detail?.contains("resolution") == true)
            #expect(problem.detail?.contains("2 of this ticket's tasks") == true)
        }
    }
}

import Contracts
import Foundation
import ServiceKit

/// The task rules, as plain functions: checking what an agent sends, what a change does, the permission actions
/// it needs and the events it makes.
public enum TaskRules {
    static let maximumSubject = 250
    static let maximumDescription = 20_000
    /// Estimates up to a year; reminders up to four weeks before the due time.
    static let maximumEstimate = 52 * 10_080
    static let maximumReminder = 4 * 10_080

    /// A new task as the request describes it: for the caller unless it names an agent, In Progress (the usual
    /// status for a new task) and Normal unless it says otherwise.
    public static func new(
        _ request: TaskRequest, id: String, brandID: String?, ticketID: String?, createdBy: String, now: Date
    ) throws -> TaskItem {
        guard request.subject != nil else {
            throw Problem.unprocessable("A task needs a subject.", errors: [.init(field: "subject", message: "required")])
        }
        let blank = TaskItem(
            id: id, brandID: brandID, ticketID: ticketID, agentID: createdBy, subject: "", description: "", status: .inProgress, priority: .normal,
            createdBy: createdBy, createdAt: now, updatedAt: now, version: 1)
        return try applying(request, to: blank, now: now)
    }

    /// The task after the request's changes; 422 naming every field that is wrong, and nothing changed.
    public static func applying(_ request: TaskRequest, to task: TaskItem, now: Date) throws -> TaskItem {
        var errors: [Problem.FieldError] = []
        var changed = task
        if let raw = request.subject {
            let subject = raw.trimmedText
            if (1...maximumSubject).contains(subject.unicodeScalars.count), !subject.contains(where: \.isNewline) {
                changed.subject = subject
            } else {
                errors.append(.init(field: "subject", message: "1...\(maximumSubject) characters, one line"))
            }
        }
        if let description = request.description {
            if description.count <= maximumDescription { changed.description = description } else {
                errors.append(.init(field: "description", message: "at most \(maximumDescription) characters"))
            }
        }
        if let raw = request.agentID {
            if let agent = UUID(parsing: raw) { changed.agentID = agent.uuidString.lowercased() } else {
                errors.append(.init(field: "agentID", message: "must be an agent id"))
            }
        }
        if let raw = request.priority {
            if let priority = TicketPriority(rawValue: raw) { changed.priority = priority } else {
                errors.append(.init(field: "priority", message: "low, normal, high or urgent"))
            }
        }
        if let raw = request.status {
            if let status = TaskStatus(rawValue: raw) { changed = setting(status, on: changed, now: now) } else {
                errors.append(.init(field: "status", message: TaskStatus.allCases.map(\.rawValue).joined(separator: ", ")))
            }
        }
        changed.startAt = request.startAt.applied(to: changed.startAt)
        changed.dueAt = request.dueAt.applied(to: changed.dueAt)
        if let start = changed.startAt, let due = changed.dueAt, due < start {
            errors.append(.init(field: "dueAt", message: "before the start"))
        }
        for (field, change, keyPath) in [
            ("originalEstimate", request.originalEstimate, \TaskItem.originalEstimateMinutes),
            ("remainingEstimate", request.remainingEstimate, \TaskItem.remainingEstimateMinutes),
        ] {
            switch change {
            case .unchanged: break
            case .cleared: changed[keyPath: keyPath] = nil
            case .set(let estimate):
                if let minutes = estimate.minutes, (0...maximumEstimate).contains(minutes) { changed[keyPath: keyPath] = minutes } else {
                    errors.append(.init(field: field, message: "0 to 52 weeks in minutes, hours, days or weeks"))
                }
            }
        }
        changed.reminderMinutes = request.reminderMinutes.applied(to: changed.reminderMinutes)
        if let reminder = changed.reminderMinutes {
            if !(0...maximumReminder).contains(reminder) {
                errors.append(.init(field: "reminderMinutes", message: "0...\(maximumReminder) minutes before the due time"))
            } else if changed.dueAt == nil {
                errors.append(.init(field: "reminderMinutes", message: "a reminder needs a due date"))
            }
        }
        try Problem.throwIfInvalid(errors)
        if changed != task { changed.updatedAt = now }
        return changed
    }

    /// A status change: closing sets the completion date (it replaces the due date in lists), reopening clears it.
    public static func setting(_ status: TaskStatus, on task: TaskItem, now: Date) -> TaskItem {
        var changed = task
        guard status != task.status else { return changed }
        changed.status = status
        if status.isFinished != task.status.isFinished { changed.completedAt = status.isFinished ? now : nil }
        return changed
    }

    /// The Tasks permission actions a change needs (feature permission list, seed 001 6334–6790): the status,
    /// the priority, the agent (a transfer), the start and due dates, and everything else (an edit).
    public static func requiredActions(from before: TaskItem, to after: TaskItem) -> Set<String> {
        var actions: Set<String> = []
        if before.status != after.status { actions.insert("Change Status") }
        if before.priority != after.priority { actions.insert("Change Priority") }
        if before.agentID != after.agentID { actions.insert("Transfer") }
        if before.startAt != after.startAt || before.dueAt != after.dueAt { actions.insert("Change Start and Due Dates") }
        var rest = after
        rest.status = before.status
        rest.completedAt = before.completedAt
        rest.priority = before.priority
        rest.agentID = before.agentID
        rest.startAt = before.startAt
        rest.dueAt = before.dueAt
        rest.updatedAt = before.updatedAt
        if rest != before { actions.insert("Edit") }
        return actions
    }

    /// The events of a change, in order: `task.transferred`, `task.status_changed`, then `task.modified` naming the
    /// other fields that changed.
    public static func events(from before: TaskItem, to after: TaskItem) -> [(type: String, details: [String: String])] {
        var events: [(type: String, details: [String: String])] = []
        if before.agentID != after.agentID { events.append(("task.transferred", ["fromAgentID": before.agentID, "toAgentID": after.agentID])) }
        if before.status != after.status {
            events.append(("task.status_changed", ["from": before.status.rawValue, "to": after.status.rawValue]))
        }
        let fields: [(String, Bool)] = [
            ("subject", before.subject != after.subject), ("description", before.description != after.description),
            ("priority", before.priority != after.priority), ("startAt", before.startAt != after.startAt), ("dueAt", before.dueAt != after.dueAt),
            ("originalEstimate", before.originalEstimateMinutes != after.originalEstimateMinutes),
            ("remainingEstimate", before.remainingEstimateMinutes != after.remainingEstimateMinutes),
            ("reminderMinutes", before.reminderMinutes != after.reminderMinutes),
        ]
        let changed = fields.filter(\.1).map(\.0)
        if !changed.isEmpty { events.append(("task.modified", ["fields": changed.joined(separator: ",")])) }
        return events
    }
}

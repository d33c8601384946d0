import Foundation
import ServiceKit

/// A field of a `PATCH`: absent (left as it is), null (cleared) or a value.
public enum FieldChange<Value: Sendable>: Sendable {
    case unchanged
    case cleared
    case set(Value)

    func applied(to current: Value?) -> Value? {
        switch self {
        case .unchanged: current
        case .cleared: nil
        case .set(let value): value
        }
    }
}

extension KeyedDecodingContainer {
    func change<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> FieldChange<Value> {
        guard contains(key) else { return .unchanged }
        return try decodeNil(forKey: key) ? .cleared : .set(try decode(Value.self, forKey: key))
    }
}

/// An estimate as the agent enters it: a number of minutes, hours, days or weeks (calendar days and weeks).
public struct TaskEstimate: Codable, Sendable, Equatable {
    public var value: Int
    public var unit: String

    public static let units = ["minutes": 1, "hours": 60, "days": 1_440, "weeks": 10_080]

    public init(value: Int, unit: String) {
        self.value = value
        self.unit = unit
    }

    public var minutes: Int? { Self.units[unit].map { value * $0 } }
}

/// The body of `POST …/tasks` and `PATCH …/tasks/{id}`: every field optional; on a `PATCH` an absent field stays
/// and a null one is cleared.
public struct TaskRequest: Decodable, Sendable {
    public var subject: String?
    public var description: String?
    public var agentID: String?
    public var status: String?
    public var priority: String?
    public var startAt: FieldChange<Date> = .unchanged
    public var dueAt: FieldChange<Date> = .unchanged
    public var originalEstimate: FieldChange<TaskEstimate> = .unchanged
    public var remainingEstimate: FieldChange<TaskEstimate> = .unchanged
    public var reminderMinutes: FieldChange<Int> = .unchanged

    enum CodingKeys: String, CodingKey {
        case subject, description, agentID, status, priority, startAt, dueAt, originalEstimate, remainingEstimate, reminderMinutes
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        subject = try container.decodeIfPresent(String.self, forKey: .subject)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        agentID = try container.decodeIfPresent(String.self, forKey: .agentID)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        priority = try container.decodeIfPresent(String.self, forKey: .priority)
        startAt = try container.change(Date.self, forKey: .startAt)
        dueAt = try container.change(Date.self, forKey: .dueAt)
        originalEstimate = try container.change(TaskEstimate.self, forKey: .originalEstimate)
        remainingEstimate = try container.change(TaskEstimate.self, forKey: .remainingEstimate)
        reminderMinutes = try container.change(Int.self, forKey: .reminderMinutes)
    }
}

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
            if (1...maximumSubject).contains(subject.count), !subject.contains(where: \.isNewline) {
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
            if let agent = UUID(uuidString: raw) { changed.agentID = agent.uuidString.lowercased() } else {
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
    /// the priority, the agent (a transfer) and everything else (an edit).
    public static func requiredActions(from before: TaskItem, to after: TaskItem) -> Set<String> {
        var actions: Set<String> = []
        if before.status != after.status { actions.insert("Change Status") }
        if before.priority != after.priority { actions.insert("Change Priority") }
        if before.agentID != after.agentID { actions.insert("Transfer") }
        var rest = after
        rest.status = before.status
        rest.completedAt = before.completedAt
        rest.priority = before.priority
        rest.agentID = before.agentID
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

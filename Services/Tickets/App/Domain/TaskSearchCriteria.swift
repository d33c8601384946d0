import Contracts
import Foundation
import ServiceKit

/// What Search String looks in: subject and description, the subject only, or the task's comments only.
public enum TaskSearchScope: String, Sendable, CaseIterable {
    case all, subject, comments
}

/// A date criterion of the task advanced search: from (inclusive) and to (exclusive; a bare end date includes its day).
public struct TaskDateRange: Sendable, Equatable {
    public var from: Date?
    public var to: Date?
}

/// The task advanced search (seed 001, 3909–3927), every criterion combined with AND.
public struct TaskSearchCriteria: Sendable {
    public var text: String?
    public var scope: TaskSearchScope = .all
    /// A ticket number: tasks that are its related items.
    public var ticketNumber: String?
    public var agentID: UUID?
    public var priorities: [TicketPriority] = []
    public var statuses: [TaskStatus] = []
    /// Items to Include: all but deleted (false) or only deleted (true).
    public var onlyDeleted = false
    public var start = TaskDateRange()
    public var due = TaskDateRange()
    public var created = TaskDateRange()
    public var modified = TaskDateRange()
    /// Max Results.
    public var limit = 100

    public init() {}

    /// The criteria of `GET …/tasks/search`: 422 naming every parameter that is wrong.
    public static func parse(_ parameter: (String) -> String?) throws -> TaskSearchCriteria {
        var criteria = TaskSearchCriteria()
        var errors: [Problem.FieldError] = []
        criteria.text = parameter("text")?.nonEmptyText
        if let raw = parameter("scope") {
            if let scope = TaskSearchScope(rawValue: raw) { criteria.scope = scope } else {
                errors.append(.init(field: "scope", message: "all, subject or comments"))
            }
        }
        criteria.ticketNumber = parameter("ticketNumber")?.nonEmptyText?.uppercased()
        if let raw = parameter("agentID") {
            if let agent = UUID(parsing: raw) { criteria.agentID = agent } else { errors.append(.init(field: "agentID", message: "must be an id")) }
        }
        for raw in parameter("priority")?.split(separator: ",") ?? [] {
            if let priority = TicketPriority(rawValue: String(raw)) { criteria.priorities.append(priority) } else {
                errors.append(.init(field: "priority", message: "low, normal, high or urgent"))
            }
        }
        for raw in parameter("status")?.split(separator: ",") ?? [] {
            if let status = TaskStatus(rawValue: String(raw)) { criteria.statuses.append(status) } else {
                errors.append(.init(field: "status", message: TaskStatus.allCases.map(\.rawValue).joined(separator: ", ")))
            }
        }
        if let raw = parameter("include") {
            if raw == "deleted" { criteria.onlyDeleted = true } else if raw != "all" {
                errors.append(.init(field: "include", message: "all (but deleted) or deleted"))
            }
        }
        for (name, keyPath) in [("start", \TaskSearchCriteria.start), ("due", \.due), ("created", \.created), ("modified", \.modified)] {
            for (suffix, endOfDay) in [("From", false), ("To", true)] {
                guard let raw = parameter(name + suffix) else { continue }
                guard let date = DateInput.bound(raw, endOfDay: endOfDay) else {
                    errors.append(.init(field: name + suffix, message: "an ISO 8601 date such as 2026-12-01 or 2026-12-01T09:30:00Z"))
                    continue
                }
                if endOfDay { criteria[keyPath: keyPath].to = date } else { criteria[keyPath: keyPath].from = date }
            }
        }
        if let raw = parameter("limit") {
            if let limit = Int(raw), (1...500).contains(limit) { criteria.limit = limit } else { errors.append(.init(field: "limit", message: "1...500")) }
        }
        try Problem.throwIfInvalid(errors)
        return criteria
    }

}

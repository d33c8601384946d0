import Foundation
import ServiceKit

/// How a task list is sorted (Tasks, Sorting): by a column, ascending or descending, always then by the due date
/// (undated last) and the id; sorting by status sorts by status, then priority.
public struct TaskSort: Sendable, Equatable {
    public enum Column: String, Sendable, CaseIterable {
        case due, subject, status, priority, start, completion
    }

    public var column: Column
    public var descending: Bool

    public static let standard = TaskSort(column: .due, descending: false)

    public init(column: Column, descending: Bool) {
        self.column = column
        self.descending = descending
    }

    /// `?sort=&order=asc|desc`; an unknown column or order is a 422 naming it.
    public static func parse(sort: String?, order: String?) throws -> TaskSort {
        guard let column = Column(rawValue: sort ?? "due") else {
            throw Problem.unprocessable(
                "sort is \(Column.allCases.map(\.rawValue).joined(separator: ", ")).", errors: [.init(field: "sort", message: "unknown column")])
        }
        let order = order ?? "asc"
        guard ["asc", "desc"].contains(order) else {
            throw Problem.unprocessable("order is asc or desc.", errors: [.init(field: "order", message: "asc or desc")])
        }
        return TaskSort(column: column, descending: order == "desc")
    }

    /// The SQL value a task sorts by, on the columns of `table` (status then priority as one number).
    public func key(of table: String) -> String {
        let statuses = TaskStatus.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let priorities = TicketPriority.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let priority = "array_position(ARRAY[\(priorities)], \(table).priority)"
        return switch column {
        case .due: "coalesce(\(table).due_at, 'infinity'::timestamptz)"
        case .subject: "lower(\(table).subject)"
        case .status: "array_position(ARRAY[\(statuses)], \(table).status) * 10 + \(priority)"
        case .priority: priority
        case .start: "coalesce(\(table).start_at, 'infinity'::timestamptz)"
        case .completion: "coalesce(\(table).completed_at, 'infinity'::timestamptz)"
        }
    }
}

import ServiceKit

/// How an agent sorts a ticket list: by one of the documented columns, ascending or descending, and always then by
/// idle time (longest idle first) and the ticket's id, so every ticket has one place and keyset pages never overlap.
public struct ViewSort: Sendable, Equatable {
    /// The sortable columns of the ticket lists.
    public enum Key: String, Sendable, CaseIterable {
        case status, priority, email, subject, name, brand, department, group, idle, duration
        case followUp = "follow_up"
        case messages, agent, survey
    }

    public enum Order: String, Sendable {
        case ascending = "asc"
        case descending = "desc"

        var flipped: Order { self == .ascending ? .descending : .ascending }
    }

    /// How a key's values are compared and carried in a cursor.
    public enum ValueKind: Sendable {
        case integer, timestamp, text
    }

    public var key: Key
    public var order: Order

    /// The lists' own order when the agent chose none: the highest priority first.
    public static let standard = ViewSort(key: .priority, order: .descending)

    public init(key: Key, order: Order) {
        self.key = key
        self.order = order
    }

    /// Reads `?sort=` and `?order=`; a key without an order takes the one an agent most often wants of it (the highest
    /// priority, the longest idle or open, the most messages first; the others A to Z or soonest first).
    public static func parse(sort: String?, order: String?) throws -> ViewSort {
        guard let sort else {
            guard order == nil else { throw Problem.badRequest("order needs sort.") }
            return .standard
        }
        guard let key = Key(rawValue: sort) else {
            throw Problem.badRequest("sort is one of \(Key.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard key != .survey else {
            throw Problem.badRequest("Tickets cannot be sorted by survey results yet: the tickets service does not receive them.")
        }
        guard let order else { return ViewSort(key: key, order: key.usualOrder) }
        guard let parsed = Order(rawValue: order) else { throw Problem.badRequest("order is asc or desc.") }
        return ViewSort(key: key, order: parsed)
    }

    /// The order of the stored value: idle time and duration grow as their timestamps get older, so sorting them
    /// ascending reads their timestamps newest first.
    public var storedOrder: Order {
        switch key {
        case .idle, .duration: order.flipped
        default: order
        }
    }

    public var valueKind: ValueKind {
        switch key {
        case .status, .priority, .messages, .survey: .integer
        case .idle, .duration, .followUp: .timestamp
        case .email, .subject, .name, .brand, .department, .group, .agent: .text
        }
    }
}

extension ViewSort.Key {
    var usualOrder: ViewSort.Order {
        switch self {
        case .priority, .idle, .duration, .messages, .survey: .descending
        case .status, .email, .subject, .name, .brand, .department, .group, .followUp, .agent: .ascending
        }
    }
}

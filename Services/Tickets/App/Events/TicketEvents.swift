import Contracts
import Database
import Foundation
import PostgresNIO

/// The data of every `ticket.*` event: the ticket as it is after the change, what happened and who did it.
public struct TicketEventData: Codable, Sendable {
    public var ticket: Ticket
    public var actorKind: String
    public var actorID: String?
    public var details: [String: String]
}

/// How every tickets change reaches `tickets.events`: appended to the outbox in the change's transaction, keyed
/// by the ticket id, together with a history row (the audit trail).
public struct TicketEvents: Sendable {
    let database: Database
    let outbox: OutboxStore

    public init(database: Database) {
        self.database = database
        self.outbox = OutboxStore(database: database)
    }

    /// One event about a ticket.
    public struct Item: Sendable {
        public var type: String
        public var actor: Actor
        public var details: [String: String]

        public init(_ type: String, actor: Actor, details: [String: String] = [:]) {
            self.type = type
            self.actor = actor
            self.details = details
        }
    }

    public func publish(
        _ type: String, _ ticket: Ticket, actor: Actor, details: [String: String] = [:], on connection: PostgresConnection,
        recordHistory: Bool = true
    ) async throws {
        try await publish([Item(type, actor: actor, details: details)], ticket, on: connection, recordHistory: recordHistory)
    }

    /// Several events about one ticket, in order, with one outbox statement and one history statement.
    public func publish(_ items: [Item], _ ticket: Ticket, on connection: PostgresConnection, recordHistory: Bool = true) async throws {
        guard !items.isEmpty else { return }
        try await outbox.append(
            items.map { item in
                CloudEvent(
                    source: ServiceName.tickets.rawValue, type: item.type, subject: ticket.id, brandid: ticket.brandID,
                    data: TicketEventData(ticket: ticket, actorKind: item.actor.kind, actorID: item.actor.id, details: item.details))
            },
            topic: ServiceName.tickets.eventsTopic, on: connection)
        guard recordHistory else { return }
        var binds = PostgresBindings()
        var rows: [String] = []
        for item in items {
            let first = binds.count + 1
            binds.append(UUIDv7.generate())
            binds.append(UUID(uuidString: ticket.id))
            binds.append(item.actor.id.flatMap(UUID.init(uuidString:)))
            binds.append(item.actor.kind)
            binds.append(item.type)
            binds.append(try JSONColumn.encode(item.details))
            rows.append("($\(first), $\(first + 1), $\(first + 2), $\(first + 3), $\(first + 4), $\(first + 5)::jsonb, now())")
        }
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "INSERT INTO \(database.table("history")) (id, ticket_id, actor_id, actor_kind, action, details, at) VALUES \(rows.joined(separator: ", "))",
                binds: binds),
            logger: database.logger
        ).consume()
    }
}

/// Who made a change: an agent, a customer, the system (timers, distribution) or an API key.
public struct Actor: Sendable, Equatable {
    public var kind: String
    public var id: String?

    public static func agent(_ id: String) -> Actor { Actor(kind: "agent", id: id) }
    public static func customer(_ id: String?) -> Actor { Actor(kind: "customer", id: id) }
    public static let system = Actor(kind: "system", id: nil)
}

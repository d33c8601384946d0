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

    public func publish(
        _ type: String, _ ticket: Ticket, actor: Actor, details: [String: String] = [:], on connection: PostgresConnection,
        recordHistory: Bool = true
    ) async throws {
        let data = TicketEventData(ticket: ticket, actorKind: actor.kind, actorID: actor.id, details: details)
        try await outbox.append(
            CloudEvent(source: ServiceName.tickets.rawValue, type: type, subject: ticket.id, brandid: ticket.brandID, data: data),
            topic: ServiceName.tickets.eventsTopic, on: connection)
        guard recordHistory else { return }
        var binds = PostgresBindings()
        binds.append(UUIDv7.generate())
        binds.append(UUID(uuidString: ticket.id))
        binds.append(actor.id.flatMap(UUID.init(uuidString:)))
        binds.append(actor.kind)
        binds.append(type)
        binds.append(try JSONColumn.encode(details))
        try await connection.query(
            PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("history")) (id, ticket_id, actor_id, actor_kind, action, details, at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, now())", binds: binds),
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

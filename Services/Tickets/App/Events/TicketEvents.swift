import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The data of every `ticket.*` event: the ticket as it is after the change, what happened and who did it.
public struct TicketEventData: Codable, Sendable {
    public var ticket: Ticket
    public var actorKind: String
    public var actorID: String?
    public var details: [String: String]

    public init(ticket: Ticket, actorKind: String, actorID: String?, details: [String: String]) {
        self.ticket = ticket
        self.actorKind = actorKind
        self.actorID = actorID
        self.details = details
    }
}

extension TicketEventData: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.member("actorID", actorID)
        json.member("actorKind", actorKind)
        json.member("details", details)
        json.key("ticket")
        ticket.write(to: &json)
        json.endObject()
    }
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
        try await publish([(ticket, items)], on: connection, recordHistory: recordHistory)
    }

    /// The events of several tickets (each ticket's in order) in one statement.
    public func publish(_ changes: [(ticket: Ticket, items: [Item])], on connection: PostgresConnection, recordHistory: Bool = true) async throws {
        var statement = CompositeStatement()
        try publish(changes, to: &statement, recordHistory: recordHistory)
        try await statement.run(on: connection, logger: database.logger)
    }

    /// Adds the events, and their history rows, to a statement that writes other changes too.
    func publish(_ changes: [(ticket: Ticket, items: [Item])], to statement: inout CompositeStatement, recordHistory: Bool = true) throws {
        let changes = changes.filter { !$0.items.isEmpty }
        guard statement.wantsPart(rows: changes.count) else { return }
        try outbox.append(
            changes.flatMap { ticket, items in
                items.map { item in
                    CloudEvent(
                        source: ServiceName.tickets.rawValue, type: item.type, subject: ticket.id, brandid: ticket.brandID,
                        data: TicketEventData(ticket: ticket, actorKind: item.actor.kind, actorID: item.actor.id, details: item.details))
                }
            },
            topic: ServiceName.tickets.eventsTopic, to: &statement)
        guard recordHistory else { return }
        let rows = changes.flatMap { ticket, items in items.map { (ticket: ticket.id, item: $0) } }
        statement.add("""
            INSERT INTO \(database.table("history")) (id, ticket_id, actor_id, actor_kind, action, details, at)
            SELECT id, ticket_id, NULLIF(actor_id, '')::uuid, actor_kind, action, details::jsonb, now()
            FROM unnest(\(statement.bind(rows.map { _ in UUIDv7.generate() }))::uuid[], \(statement.bind(rows.map(\.ticket)))::uuid[],
                        \(statement.bind(rows.map { $0.item.actor.id.flatMap(UUID.init(parsing:))?.uuidString ?? "" }))::text[], \(statement.bind(rows.map(\.item.actor.kind)))::text[],
                        \(statement.bind(rows.map(\.item.type)))::text[], \(statement.bind(rows.map { JSONColumn.encode($0.item.details) }))::text[])
                 AS h(id, ticket_id, actor_id, actor_kind, action, details)
            """)
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

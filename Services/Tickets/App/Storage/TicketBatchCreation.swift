import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// A ticket waiting to be created with others: its department is read with the batch, and `make` checks the
/// request against it (unknown department, portal rules) and answers the ticket to store.
public struct PendingTicket: Sendable {
    public var departmentID: UUID
    public var actor: Actor
    public var make: @Sendable (KnownDepartment?) throws -> NewTicket

    public init(departmentID: UUID, actor: Actor, make: @escaping @Sendable (KnownDepartment?) throws -> NewTicket) {
        self.departmentID = departmentID
        self.actor = actor
        self.make = make
    }
}

extension NewTicket {
    /// Active, without a custom field template or values, not an agent's, nothing to keep besides its body: written in
    /// a batch without per-ticket checks.
    var isPlainActive: Bool {
        status == .active && department.templateID == nil && customFields.isEmpty && opening == nil && owner == nil && attachmentIDs.isEmpty
            && source == nil
    }
}

extension TicketStore {
    /// Creates several tickets with the outcome of ``create(_:actor:)`` for each: plain active tickets together
    /// in one transaction (numbers, round robin, tickets, first messages, counts, events and history each one
    /// statement for the whole batch), the others one by one. If the batch transaction fails, its tickets are
    /// retried one by one, so that one ticket's failure stays its own; a ticket the failed batch did write (its
    /// commit went through, its answer was lost) is answered as it is, not written twice.
    public func create(batch pending: [PendingTicket]) async -> [Result<Ticket, any Error>] {
        var results = [Result<Ticket, any Error>?](repeating: nil, count: pending.count)
        let known: [UUID: KnownDepartment]
        do {
            known = try await departments(Array(Set(pending.map(\.departmentID))))
        } catch {
            return pending.map { _ in .failure(error) }
        }
        var plain: [(position: Int, new: NewTicket, actor: Actor)] = []
        var oneByOne: [(position: Int, new: NewTicket, actor: Actor)] = []
        for (position, item) in pending.enumerated() {
            do {
                let new = try item.make(known[item.departmentID])
                if new.isPlainActive { plain.append((position, new, item.actor)) } else { oneByOne.append((position, new, item.actor)) }
            } catch {
                results[position] = .failure(error)
            }
        }
        if !plain.isEmpty {
            do {
                let tickets = try await createPlain(plain.map { ($0.new, $0.actor) })
                for (item, ticket) in zip(plain, tickets) { results[item.position] = .success(ticket) }
            } catch {
                database.logger.warning("a batch of new tickets failed; writing them one by one", metadata: ["error": "\(String(reflecting: error))"])
                oneByOne += plain
            }
        }
        let batched = Set(plain.map(\.position))
        for item in oneByOne {
            do {
                if batched.contains(item.position), let written = try await find(item.new.id) {
                    results[item.position] = .success(written)
                    continue
                }
                results[item.position] = .success(try await create(item.new, actor: item.actor))
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" && batched.contains(item.position) {
                // The failed batch's statement was still running on the server when `find` looked: its ticket, under
                // this id, committed while this insert waited on it. The customer's ticket exists; answer it.
                if let written = try? await find(item.new.id) {
                    results[item.position] = .success(written)
                } else {
                    results[item.position] = .failure(error)
                }
            } catch {
                results[item.position] = .failure(error)
            }
        }
        return results.map { $0 ?? .failure(GroupCommitError.missingResult) }
    }

    /// The departments among `ids` that tickets knows, from ``DirectoryCache/departments`` (a batch's tickets nearly
    /// always name one or two).
    func departments(_ ids: [UUID]) async throws -> [UUID: KnownDepartment] {
        var known: [UUID: KnownDepartment] = [:]
        for id in ids {
            if let department = try await directoryCache.departments.value(for: id, load: { try await department(id) }) { known[id] = department }
        }
        return known
    }

    /// Plain active tickets (``NewTicket/isPlainActive``), in order. First without a transaction: the round robin
    /// reads its groups' agents without locking them, and one statement checks that their rows are as read
    /// (``Distributor/checkUnchanged(_:to:)``) and writes the tickets, two round trips in all. If another
    /// transaction changed the agents in between, that statement wrote nothing, and the batch is written again in a
    /// transaction that reads them locked.
    func createPlain(_ items: [(new: NewTicket, actor: Actor)]) async throws -> [Ticket] {
        let groups = Array(Set(items.map(\.new.groupID))).sorted { $0.uuidString < $1.uuidString }
        do {
            let tickets = try await database.withConnection { connection in
                try await createPlain(items, from: try await distributor.reading(groups, locking: false, on: connection), on: connection)
            }
            creationPaths?.unlocked.increment()
            return tickets
        } catch where DistributionMoved.matches(error) {
            let tickets = try await database.transaction { connection in
                try await createPlain(items, from: try await distributor.reading(groups, locking: true, on: connection), on: connection)
            }
            creationPaths?.locked.increment()
            return tickets
        }
    }

    /// Plain active tickets distributed from `reading` (the agents of their groups), in one statement that first
    /// checks that the agents' rows are still as read, then writes the tickets, their first messages, the counts,
    /// the outbox and the history.
    func createPlain(_ items: [(new: NewTicket, actor: Actor)], from reading: DistributionReading, on connection: PostgresConnection) async throws -> [Ticket] {
        let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1_000_000).rounded(.down) / 1_000_000)
        let (agents, assigned) = RoundRobin.distribute(items.map(\.new.groupID), slots: reading.slots, from: now)
        let numbers = try await ticketNumbers.next(items.count, on: connection).map { TicketNumber.make(sequence: $0, at: now) }
        let tickets = zip(items, zip(numbers, agents)).map { item, numbered in
            Ticket(
                id: item.new.id.lowercased, number: numbered.0, brandID: item.new.department.brandID.lowercased,
                departmentID: item.new.department.id.lowercased, groupID: item.new.groupID.lowercased, agentID: numbered.1?.lowercased,
                customerUserID: item.new.customerUserID?.lowercased, customerEmail: item.new.customerEmail, subject: item.new.subject, status: .active,
                priority: item.new.priority, pinned: false, messagesIn: item.new.incoming ? 1 : 0, messagesOut: item.new.incoming ? 0 : 1,
                createdAt: now, idleSince: now, closedAt: nil, followUp: nil, version: 1, language: item.new.department.language)
        }
        let messageIDs = items.map { _ in UUIDv7.generate() }
        var statement = CompositeStatement(keepsEmptyParts: true)
        distributor.checkUnchanged(reading, to: &statement)
        distributor.record(assigned, to: &statement)
        statement.add("""
            INSERT INTO \(database.table("tickets"))
                (id, number, brand_id, department_id, group_id, agent_id, customer_user_id, customer_email, subject, status, priority,
                 counts_toward_max, messages_in, messages_out, created_at, idle_since, awaiting_since, language)
            SELECT id, number, brand_id, department_id, group_id, NULLIF(agent_id, '')::uuid, NULLIF(customer_user_id, '')::uuid,
                   customer_email, subject, 'active', priority, counts, CASE WHEN incoming THEN 1 ELSE 0 END,
                   CASE WHEN incoming THEN 0 ELSE 1 END, \(statement.bind(now)), \(statement.bind(now)), CASE WHEN incoming THEN \(statement.bind(now)) END,
                   language
            FROM unnest(\(statement.bind(tickets.map(\.id)))::uuid[], \(statement.bind(numbers))::text[],
                        \(statement.bind(items.map(\.new.department.brandID)))::uuid[], \(statement.bind(items.map(\.new.department.id)))::uuid[],
                        \(statement.bind(items.map(\.new.groupID)))::uuid[], \(statement.bind(tickets.map { $0.agentID ?? "" }))::text[],
                        \(statement.bind(tickets.map { $0.customerUserID ?? "" }))::text[], \(statement.bind(items.map(\.new.customerEmail)))::text[],
                        \(statement.bind(items.map(\.new.subject)))::text[], \(statement.bind(items.map(\.new.priority.rank)))::integer[],
                        \(statement.bind(agents.map { $0 != nil }))::boolean[],
                        \(statement.bind(items.map(\.new.incoming)))::boolean[], \(statement.bind(items.map(\.new.department.language)))::text[])
                 AS n(id, number, brand_id, department_id, group_id, agent_id, customer_user_id, customer_email, subject, priority, counts, incoming,
                      language)
            """)
        statement.add("""
            INSERT INTO \(database.table("messages"))
                (id, ticket_id, direction, author_id, from_address, to_addresses, cc_addresses, bcc_addresses, body_html, body_text, created_at)
            SELECT id, ticket_id, CASE WHEN incoming THEN 'in' ELSE 'out' END, NULLIF(author_id, '')::uuid,
                   CASE WHEN incoming THEN email ELSE 'agent' END, CASE WHEN incoming THEN '{}'::text[] ELSE ARRAY[email] END,
                   '{}'::text[], '{}'::text[], body_html, body_text, \(statement.bind(now))
            FROM unnest(\(statement.bind(messageIDs))::uuid[], \(statement.bind(tickets.map(\.id)))::uuid[],
                        \(statement.bind(items.map(\.new.incoming)))::boolean[],
                        \(statement.bind(items.map { $0.actor.id.flatMap(UUID.init(parsing:))?.uuidString ?? "" }))::text[],
                        \(statement.bind(items.map(\.new.customerEmail)))::text[], \(statement.bind(items.map(\.new.bodyHTML)))::text[],
                        \(statement.bind(items.map(\.new.bodyText)))::text[])
                 AS m(id, ticket_id, incoming, author_id, email, body_html, body_text)
            """)
        record(zip(items, tickets).compactMap { item, ticket in item.new.requestKey.map { ($0, ticket.id) } }, to: &statement)
        spend(items.compactMap(\.new.captcha), to: &statement)
        var delta: [CountCell: Int] = [:]
        for ticket in tickets { delta.merge(CountPlacement.delta(from: nil, to: CountPlacement(ticket)), uniquingKeysWith: +) }
        counts.apply(delta, to: &statement)
        try events.publish(
            zip(zip(items, tickets), zip(messageIDs, agents)).map { pair, created in
                let ((new, actor), ticket) = pair
                return (ticket, TicketEvents.Item.creation(of: new, messageID: created.0.lowercased, by: actor, agent: created.1))
            },
            to: &statement)
        if database.schema == ServiceName.tickets.schema {
            try await statement.run(on: connection, logger: database.logger, preparedAs: PlainTicketCreation.self)
        } else {
            try await statement.run(on: connection, logger: database.logger)
        }
        return tickets
    }

}

/// The statement that writes a batch of plain active tickets, prepared on each connection of the tickets schema: on
/// the bench stack PostgreSQL spent 0.55 ms parsing and planning it for every batch (about 8 tickets at 16
/// connections), beside 1.4 ms running it. Its parts are written even when they have no rows (no agent to count, no
/// Idempotency-Key, no CAPTCHA), so that every batch has the same text.
enum PlainTicketCreation: PreparedCompositeShape {
    static let name = "tickets_create_plain"
    static let text = PreparedCompositeText()
}

extension TicketEvents.Item {
    /// What a new ticket publishes: `ticket.created` (with its ``source(of:)``), then `ticket.assigned` to its agent
    /// or `ticket.queued`.
    static func creation(of new: NewTicket, messageID: String, by actor: Actor, agent: UUID?) -> [TicketEvents.Item] {
        var items = [TicketEvents.Item(
            "ticket.created", actor: actor, details: ["messageID": messageID, "incoming": String(new.incoming), "source": source(of: actor)])]
        if let agent {
            let reason = new.owner == nil ? "round_robin" : "explicit"
            items.append(TicketEvents.Item("ticket.assigned", actor: .system, details: ["agentID": agent.lowercased, "reason": reason]))
        } else if new.status == .active {
            items.append(TicketEvents.Item("ticket.queued", actor: .system, details: ["reason": "no agent can take it"]))
        }
        return items
    }

    /// Where a new ticket came from, for New Tickets By Agents, Received By Email and By Web Interface [S001:5116-5118]:
    /// `agent`, `web` (the portal and the API a customer calls), or the channel a command names (`email`, `chat`, …).
    static func source(of actor: Actor) -> String {
        actor.kind == Actor.customer(nil).kind ? "web" : actor.kind
    }
}

import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// What a new ticket is made from, after validation.
public struct NewTicket: Sendable {
    public var department: KnownDepartment
    public var groupID: UUID
    public var customerUserID: UUID?
    public var customerEmail: String
    public var subject: String
    public var bodyHTML: String
    public var bodyText: String
    public var priority: TicketPriority
    /// The agent who created an outbound ticket: it is theirs; nil means round robin.
    public var owner: UUID?
    /// An agent's ticket marked "incoming": the first message is the customer's.
    public var incoming: Bool
    public var status: TicketStatus
    /// Custom field values by field id, checked against the department's template when the ticket is stored.
    public var customFields: [String: String]
    /// The client's `Idempotency-Key`, kept with the ticket.
    public var requestKey: RequestKey?

    public init(
        department: KnownDepartment, groupID: UUID, customerUserID: UUID?, customerEmail: String, subject: String, bodyHTML: String,
        bodyText: String, priority: TicketPriority, owner: UUID?, incoming: Bool, status: TicketStatus, customFields: [String: String] = [:],
        requestKey: RequestKey? = nil
    ) {
        self.customFields = customFields
        self.requestKey = requestKey
        self.department = department
        self.groupID = groupID
        self.customerUserID = customerUserID
        self.customerEmail = customerEmail
        self.subject = subject
        self.bodyHTML = bodyHTML
        self.bodyText = bodyText
        self.priority = priority
        self.owner = owner
        self.incoming = incoming
        self.status = status
    }
}

extension TicketStore {
    /// Stores a ticket and its first message, gives it to its owner or by round robin (or leaves it in the queue),
    /// and publishes `ticket.created` and `ticket.assigned` or `ticket.queued`, all in one transaction.
    public func create(_ new: NewTicket, actor: Actor) async throws -> Ticket {
        try await database.transaction { try await create(new, actor: actor, on: $0) }
    }

    public func create(_ new: NewTicket, actor: Actor, on connection: PostgresConnection) async throws -> Ticket {
        let byCustomer = new.owner == nil
        // Without a template and without values there is nothing to check (the usual portal ticket).
        let fields =
            new.department.templateID == nil && new.customFields.isEmpty
            ? [:]
            : try await checkedFieldValues(
                new.customFields, existing: [:], department: new.department.id, byCustomer: byCustomer, moment: byCustomer ? .submit : .send,
                on: connection)
        let now = Date()
        let sequence = try await ticketNumbers.next(1, on: connection).first ?? 0
        let id = UUIDv7.generate()
        let roundRobin = new.owner == nil && new.status == .active
        var agent = new.owner
        if agent == nil && roundRobin { agent = try await distributor.choose(in: new.groupID, countsTowardMax: true, on: connection) }
        let countsTowardMax = agent != nil && new.status == .active && new.owner == nil
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(TicketNumber.make(sequence: sequence, at: now))
        binds.append(new.department.brandID)
        binds.append(new.department.id)
        binds.append(new.groupID)
        binds.append(agent)
        binds.append(new.customerUserID)
        binds.append(new.customerEmail)
        binds.append(new.subject)
        binds.append(new.status.rawValue)
        binds.append(new.priority.rank)
        binds.append(countsTowardMax)
        binds.append(new.incoming ? 1 : 0)
        binds.append(new.incoming ? 0 : 1)
        binds.append(now)
        let inserted = try await decodeTickets(
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("tickets"))
                        (id, number, brand_id, department_id, group_id, agent_id, customer_user_id, customer_email, subject, status, priority,
                         counts_toward_max, messages_in, messages_out, created_at, idle_since, closed_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15,
                            CASE WHEN $10 IN ('closed', 'closed_locked') THEN $15 END)
                    RETURNING \(Self.columns)
                    """, binds: binds), logger: database.logger))
        guard let ticket = inserted.first else { throw Problem.internalError(requestID: nil) }
        if let key = new.requestKey { try await record(key, ticketID: id, on: connection) }
        let message = TicketMessage(
            id: UUIDv7.generate().lowercased, ticketID: id.lowercased, direction: new.incoming ? .incoming : .outgoing,
            authorID: actor.id, from: new.incoming ? new.customerEmail : "agent", to: new.incoming ? [] : [new.customerEmail], cc: [], bcc: [],
            bodyHTML: new.bodyHTML, bodyText: new.bodyText, createdAt: now)
        try await insert(message, on: connection)
        try await storeFieldValues(fields, of: id, on: connection)
        if new.status != .active { try await syncTimers(id, on: connection) }
        try await counts.apply(CountPlacement.delta(from: nil, to: CountPlacement(ticket)), on: connection)
        try await events.publish(TicketEvents.Item.creation(of: new, messageID: message.id, by: actor, agent: agent), ticket, on: connection)
        return ticket
    }

    func insert(_ message: TicketMessage, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(uuidString: message.id))
        binds.append(UUID(uuidString: message.ticketID))
        binds.append(message.direction.rawValue)
        binds.append(message.authorID.flatMap(UUID.init(uuidString:)))
        binds.append(message.from)
        binds.append(message.to)
        binds.append(message.cc)
        binds.append(message.bcc)
        binds.append(message.bodyHTML)
        binds.append(message.bodyText)
        binds.append(message.createdAt)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("messages"))
                    (id, ticket_id, direction, author_id, from_address, to_addresses, cc_addresses, bcc_addresses, body_html, body_text, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                """, binds: binds), logger: database.logger
        ).consume()
    }
}

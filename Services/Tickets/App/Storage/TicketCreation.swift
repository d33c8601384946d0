import Auth
import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// An agent's new ticket (Creating New Tickets): who writes it, and the first message's recipients when it is
/// outgoing (To defaults to the customer's address) and how the agent reached the fleet, for the signature's links.
public struct AgentOpening: Sendable {
    public var agentID: UUID
    public var agentAddress: String
    public var to: [String]
    public var cc: [String]
    public var bcc: [String]
    public var publicScheme: String
    /// The agent named the ticket's agent (`agentID`); false when the ticket is its creator's by default.
    public var ownerChosen: Bool
    /// Pin: the ticket stays with its agent (409 when it goes to the queue).
    public var pin: Bool = false
    /// Send and Schedule Follow-up.
    public var followUp: FollowUp?
    /// Insert Form: the form the first message links to (an outbound ticket's).
    public var form: FormSending?
    /// Add Comment or Add Resolution: a comment of that type written with the ticket.
    public var comment: (type: CommentType, body: String)?
    /// Add Time Log: the opening agent's time, logged on the ticket as it is written.
    public var timeLog: NewTimeLog?
    /// Add Related Item: links written with the ticket (a ticket's both ways), checked by the route.
    public var relatedItems: [(kind: RelatedItemKind, id: UUID)] = []

    public init(
        agentID: UUID, agentAddress: String, to: [String] = [], cc: [String] = [], bcc: [String] = [], publicScheme: String = "http",
        ownerChosen: Bool = false
    ) {
        self.ownerChosen = ownerChosen
        self.agentID = agentID
        self.agentAddress = agentAddress
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.publicScheme = publicScheme
    }
}

/// What a new ticket is made from, after validation.
public struct NewTicket: Sendable {
    /// The ticket's id, chosen before it is written: a batch whose statement failed in a way that may have come after
    /// its commit (a lost connection) is written again one by one, and a ticket already there under its id is
    /// answered rather than written twice.
    public var id = UUIDv7.generate()
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
    /// Set when an agent opens the ticket (the owner is then whom they chose, nil for round robin).
    public var opening: AgentOpening?
    /// The built-in CAPTCHA challenge the portal's submitter solved, spent with the ticket.
    public var captcha: ProofOfWorkCaptcha.Accepted?
    /// Attach Files: the submitter's uploads (``PendingUpload``) the first message carries.
    public var attachmentIDs: [UUID] = []
    /// A visitor's submission (not signed in): the claims their uploads answered, which name them instead of an uploader.
    public var uploadClaims: [UUID] = []
    /// Files of another ticket the first message carries as copies (a split message's).
    public var copiedAttachmentIDs: [UUID] = []
    /// The first message's HTML before it was made safe, and its raw email, when there is more to keep than its body.
    public var source: MessageSource?
    /// The customer filled the department's form (the portal, the API), so its Required by Users fields apply. Not
    /// for a ticket opened any other way (an email or an offline chat message through a command, a split message): it
    /// carries no field values, and refusing it would lose what the customer sent.
    public var fromForm = false
    /// A customer's first message copied from another ticket (a split message) or arrived by mail: whom else it was
    /// addressed to and copied to, whom Reply All then copies.
    public var incomingTo: [String] = []
    public var incomingCC: [String] = []

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

    /// The agent an agent-opened ticket goes to: its group must be one of its department's, and the agent chosen a
    /// member of that group ("the Agent who will be assigned the ticket within that Group"). Its creator, the
    /// default, is kept only as a member; otherwise the group's round robin chooses.
    private func checkedOwner(of new: NewTicket, openedBy opening: AgentOpening, on connection: PostgresConnection) async throws -> UUID? {
        if new.groupID != new.department.frontLineGroupID, try await departmentOfGroup(new.groupID, on: connection) != new.department.id {
            throw Problem.unprocessable("That group is not one of the department's.", errors: [.init(field: "groupID", message: "not in the department")])
        }
        guard let owner = new.owner, try await standing(of: owner, in: new.groupID, on: connection) == nil else { return new.owner }
        guard owner == opening.agentID, !opening.ownerChosen else {
            throw Problem.unprocessable("The agent is not a member of that group.", errors: [.init(field: "agentID", message: "not in the group")])
        }
        return nil
    }

    public func create(_ new: NewTicket, actor: Actor, on connection: PostgresConnection) async throws -> Ticket {
        let byCustomer = new.owner == nil && new.opening == nil
        // Without a template and without values there is nothing to check (the usual portal ticket).
        let fields =
            new.department.templateID == nil && new.customFields.isEmpty
            ? [:]
            : try await checkedFieldValues(
                new.customFields, existing: [:], department: new.department.id, byCustomer: byCustomer,
                moment: new.opening != nil ? .send : (new.fromForm ? .submit : nil),
                defaults: true, on: connection)
        let now = Date()
        let sequence = try await ticketNumbers.next(1, on: connection).first ?? 0
        let id = new.id
        var agent = new.owner
        if let opening = new.opening {
            agent = try await checkedOwner(of: new, openedBy: opening, on: connection)
        }
        // A new Active ticket counts toward its agent's Max Tickets, whether round robin or its creator chose the agent;
        // an agent's Waiting or Closed ticket left to round robin is distributed as usual without counting.
        var countsTowardMax = false
        if let owner = agent {
            if new.status == .active { countsTowardMax = try await distributor.countReceived(agentID: owner, groupID: new.groupID, on: connection) }
        } else if new.status == .active || new.opening != nil {
            agent = try await distributor.choose(in: new.groupID, countsTowardMax: new.status == .active, on: connection)
            countsTowardMax = agent != nil && new.status == .active
        }
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
        binds.append(new.department.language)
        let inserted = try await decodeTickets(
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("tickets"))
                        (id, number, brand_id, department_id, group_id, agent_id, customer_user_id, customer_email, subject, status, priority,
                         counts_toward_max, messages_in, messages_out, created_at, idle_since, closed_at, awaiting_since, language)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15,
                            CASE WHEN $10 IN ('closed', 'closed_locked') THEN $15 END, CASE WHEN $13 = 1 THEN $15 END, $16)
                    RETURNING \(Self.columns)
                    """, binds: binds), logger: database.logger))
        guard let ticket = inserted.first else { throw Problem.internalError(requestID: nil) }
        if let key = new.requestKey { try await record(key, ticketID: id, on: connection) }
        if let captcha = new.captcha { try await spend(captcha, on: connection) }
        let (message, sentForm) = try await firstMessage(of: new, ticket: ticket, actor: actor, at: now, on: connection)
        try await insert(message, on: connection)
        if let source = new.source { try await keep(source, of: message.id, on: connection) }
        var attached: [UUID] = []
        if !new.attachmentIDs.isEmpty {
            if !new.uploadClaims.isEmpty {
                attached = try await claimAnonymousUploads(new.attachmentIDs, claims: new.uploadClaims, for: id, on: connection)
            } else {
                guard let uploader = actor.id.flatMap(UUID.init(parsing:)) else { throw Problem.unauthorized("Sign in to attach files.") }
                attached = try await claimUploads(new.attachmentIDs, by: uploader, for: id, on: connection)
            }
        }
        attached += try await copy(new.copiedAttachmentIDs, to: id, on: connection)
        try await record(attached, sentWith: message.id, on: connection)
        try await storeFieldValues(fields, of: id, on: connection)
        var comment: TicketComment?
        if let added = new.opening?.comment {
            comment = try await addComment(ticket.id, type: added.type, body: added.body, author: actor.id, on: connection)
        }
        // A ticket an agent creates Closed passes the department's close guards, as closing it later would.
        try await checkClose(ticket, to: new.status, on: connection)
        if new.status != .active { try await syncTimers(id, on: connection) }
        try await counts.apply(CountPlacement.delta(from: nil, to: CountPlacement(ticket)), on: connection)
        var published = TicketEvents.Item.creation(of: new, messageID: message.id, by: actor, agent: agent)
        // The mail sender sends the first message's files with it, as a reply's.
        if !attached.isEmpty { published[0].details["attachmentIDs"] = attached.map(\.lowercased).joined(separator: ",") }
        // The values it starts with (given or Default Values), as every later change of them is told.
        // A rule on a new ticket reads them in ticket.created too, as `field.<id>` (event criteria on custom fields, S001:8655).
        if !fields.isEmpty {
            for (field, value) in fields { published[0].details["field.\(field)"] = value }
            published.insert(TicketEvents.Item("ticket.custom_fields_changed", actor: actor, details: fields), at: 1)
        }
        if let sentForm { published.append(TicketEvents.Item("ticket.form_sent", actor: actor, details: sentForm.eventDetails)) }
        if let comment { published.append(TicketEvents.Item("ticket.comment_added", actor: actor, details: comment.eventDetails)) }
        try await events.publish(published, ticket, on: connection)
        try await recordTouch(ticket, by: actor, on: connection)
        var written = ticket
        if let opening = new.opening, let log = opening.timeLog {
            written = try await logTime(
                id, minutes: log.minutes, categoryID: log.categoryID, description: log.description, subject: log.subject, billable: log.billable,
                by: opening.agentID.lowercased, on: connection
            ).ticket
        }
        if let opening = new.opening, !opening.relatedItems.isEmpty {
            written = try await modify(id, expectedVersion: nil, actor: actor, on: connection) { _, connection in
                var told: [(type: String, details: [String: String])] = []
                for (kind, item) in opening.relatedItems {
                    // An item named twice is linked once.
                    guard try await link(id, kind, item, by: opening.agentID.lowercased, on: connection) else { continue }
                    if kind == .ticket { try await linkBack(item, to: id, actor: actor, on: connection) }
                    told.append(("ticket.related_added", ["kind": kind.rawValue, "itemID": item.lowercased]))
                }
                return told
            }
        }
        guard let opening = new.opening, opening.pin || opening.followUp != nil else { return written }
        return try await modify(id, expectedVersion: nil, actor: actor, on: connection) { ticket, connection in
            var published: [(type: String, details: [String: String])] = []
            if opening.pin {
                guard ticket.agentID != nil else { throw Problem.conflict("A ticket in the queue cannot be pinned.") }
                ticket.pinned = true
                published.append(("ticket.pinned", ["agentID": ticket.agentID ?? ""]))
            }
            if let followUp = opening.followUp { published += try await followUpChange(&ticket, followUp, by: opening.agentID.lowercased, on: connection) }
            return published
        }
    }

    /// The ticket's first message: the customer's (incoming, with the copies the agent named), or the
    /// agent's, to the recipients they named, with the signature every reply carries.
    private func firstMessage(
        of new: NewTicket, ticket: Ticket, actor: Actor, at now: Date, on connection: PostgresConnection
    ) async throws -> (TicketMessage, SentForm?) {
        let messageID = UUIDv7.generate()
        let id = messageID.lowercased
        guard !new.incoming else {
            // "To and From are essentially reversed" [S001:2961]: the customer wrote it, to the help desk (whose own
            // address is not kept, so that Reply All does not copy the desk itself) and to whom else mail named, with
            // the copies mail or the agent names, whom Reply All then copies.
            let opening = new.opening
            return (TicketMessage(
                id: id, ticketID: ticket.id, direction: .incoming, authorID: actor.id, from: new.customerEmail, to: new.incomingTo,
                cc: opening?.cc ?? new.incomingCC, bcc: opening?.bcc ?? [], bodyHTML: new.bodyHTML, bodyText: new.bodyText, createdAt: now), nil)
        }
        guard let opening = new.opening else {
            return (TicketMessage(
                id: id, ticketID: ticket.id, direction: .outgoing, authorID: actor.id, from: "agent", to: [new.customerEmail], cc: [], bcc: [],
                bodyHTML: new.bodyHTML, bodyText: new.bodyText, createdAt: now), nil)
        }
        var body = try await signed(
            (new.bodyHTML, new.bodyText), for: ticket, agent: opening.agentID.lowercased, agentAddress: opening.agentAddress, scheme: opening.publicScheme,
            on: connection)
        var sentForm: SentForm?
        if let form = opening.form {
            (body, sentForm) = try await send(form, in: body, on: ticket, messageID: messageID, by: opening.agentID, scheme: opening.publicScheme, on: connection)
        }
        let message = TicketMessage(
            id: id, ticketID: ticket.id, direction: .outgoing, authorID: opening.agentID.lowercased, from: opening.agentAddress,
            to: opening.to.isEmpty ? [new.customerEmail] : opening.to, cc: opening.cc, bcc: opening.bcc, bodyHTML: body.html, bodyText: body.text,
            createdAt: now)
        return (message, sentForm)
    }

    /// Stores a message; a forward (`forwarded`) is the agents' own, kept out of what the customer reads.
    func insert(_ message: TicketMessage, forwarded: Bool = false, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: message.id))
        binds.append(UUID(parsing: message.ticketID))
        binds.append(message.direction.rawValue)
        binds.append(message.authorID.flatMap(UUID.init(parsing:)))
        binds.append(message.from)
        binds.append(message.to)
        binds.append(message.cc)
        binds.append(message.bcc)
        binds.append(message.bodyHTML)
        binds.append(message.bodyText)
        binds.append(message.createdAt)
        binds.append(message.subject)
        binds.append(forwarded)
        binds.append(message.quotedHTML)
        binds.append(message.quotedText)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("messages"))
                    (id, ticket_id, direction, author_id, from_address, to_addresses, cc_addresses, bcc_addresses, body_html, body_text, created_at, subject,
                     forwarded, quoted_html, quoted_text)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                """, binds: binds), logger: database.logger
        ).consume()
    }
}

import Contracts
import Database
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit

/// An agent's reply as the route validated it.
public struct AgentReply: Sendable {
    public var agentID: UUID
    public var agentAddress: String
    public var to: [String]
    public var cc: [String]
    public var bcc: [String]
    public var bodyHTML: String
    public var bodyText: String
    public var variant: SendVariant
    /// The reply's own subject, when the agent changed it for this reply.
    public var subject: String?
    /// Send and Schedule Follow-up: the follow-up scheduled with the reply.
    public var followUp: FollowUp?
    /// Send and Transfer: the transfer made with the reply.
    public var transfer: TicketTransfer?
    /// Attach Files: the ticket's attachments (not internal ones) the reply carries.
    public var attachmentIDs: [UUID] = []
    /// How the agent reached the fleet (``PublicOrigin/scheme(of:)``), for the signature's absolute links.
    public var publicScheme: String
    /// Send Form: the form whose link the reply carries.
    public var form: FormSending?
}

extension TicketStore {
    /// A customer's message: Waiting and Closed tickets become Active (a Waiting or Closed ticket of an inactive
    /// owner moves on by round robin unless pinned); Closed and Locked refuses it (409) and nothing is written.
    /// With a ``RequestKey`` the message is written once: sent again, it writes nothing and answers `replayed`.
    /// `attachments`: the customer's uploads the message carries, made the ticket's attachments and recorded as sent with
    /// it (a 422 naming `attachmentIDs` when one is not theirs or is gone, and nothing is written).
    public func customerMessage(
        _ id: UUID, from address: String, userID: String?, html: String, text: String, source: MessageSource? = nil, attachments: [UUID] = [],
        key: RequestKey? = nil, expectedVersion: Int? = nil
    ) async throws -> (ticket: Ticket, replayed: Bool) {
        try await modifyOnce(id, key: key, expectedVersion: expectedVersion, actor: .customer(userID)) { ticket, connection in
            try await receiveCustomerMessage(
                &ticket, from: address, userID: userID, html: html, text: text, source: source, attachments: attachments, on: connection)
        }
    }

    /// A customer's message in the caller's transaction (a command's). `subject`: the one the customer's reply was sent
    /// with; kept on the message, shown in its header only, when it is not the ticket's.
    func customerMessage(
        _ id: UUID, from address: String, userID: String?, html: String, text: String, to: [String] = [], cc: [String] = [], subject: String? = nil,
        source: MessageSource? = nil, on connection: PostgresConnection
    ) async throws -> Ticket {
        try await modify(id, expectedVersion: nil, actor: .customer(userID), on: connection) { ticket, connection in
            try await receiveCustomerMessage(
                &ticket, from: address, userID: userID, html: html, text: text, to: to, cc: cc, subject: subject, source: source, on: connection)
        }
    }

    /// What a customer's message or upload to a Closed and Locked ticket answers: it takes nothing more from them.
    static var ticketLocked: Problem {
        Problem(
            status: .conflict, type: Problem.typeBase + "ticket-locked", title: "Ticket closed and locked",
            detail: "This ticket is closed and locked; start a new ticket instead.")
    }

    private func receiveCustomerMessage(
        _ ticket: inout Ticket, from address: String, userID: String?, html: String, text: String, to: [String] = [], cc: [String] = [],
        subject: String? = nil, source: MessageSource? = nil, attachments: [UUID] = [], on connection: PostgresConnection
    ) async throws -> [(type: String, details: [String: String])] {
        let effect = try await customerReplyEffect(ticket, on: connection)
        if effect == .rejectedLocked { throw Self.ticketLocked }
        let uploader = userID.flatMap(UUID.init(parsing:))
        guard attachments.isEmpty || uploader != nil else {
            throw Problem.unprocessable("Sign in to attach files.", errors: [.init(field: "attachmentIDs", message: "uploads are a signed-in user's")])
        }
        let message = TicketMessage(
            id: UUIDv7.generate().lowercased, ticketID: ticket.id, direction: .incoming, authorID: userID, from: address, to: to, cc: cc, bcc: [],
            bodyHTML: html, bodyText: text, createdAt: Date(), subject: subject == ticket.subject ? nil : subject)
        try await insert(message, on: connection)
        if let source { try await keep(source, of: message.id, on: connection) }
        var received = ["messageID": message.id, "previousStatus": ticket.status.rawValue]
        if let uploader, !attachments.isEmpty, let ticketID = UUID(parsing: ticket.id) {
            let attached = try await claimUploads(attachments, by: uploader, for: ticketID, on: connection)
            try await record(attached, sentWith: message.id, on: connection)
            received["attachmentIDs"] = attached.map(\.lowercased).joined(separator: ",")
        }
        var published: [(type: String, details: [String: String])] = [("ticket.message_received", received)]
        published += suspendedByCustomer(&ticket, cause: "customer_reply")
        try await advanceResponseClock(of: ticket.id, on: connection) { ResponseClockRules.customerWrote($0, at: message.createdAt) }
        ticket.messagesIn += 1
        ticket.idleSince = message.createdAt
        return published + (try await reactivated(&ticket, effect, cause: "customer_reply", on: connection))
    }

    /// What the customer's message or completed form does to the ticket's status (``StatusRules/customerReply``).
    func customerReplyEffect(_ ticket: Ticket, on connection: PostgresConnection) async throws -> CustomerReplyEffect {
        var owner: Bool = false
        if let agent = ticket.agentID.flatMap(UUID.init(parsing:)), let group = UUID(parsing: ticket.groupID) {
            owner = try await standing(of: agent, in: group, on: connection) ?? false
        }
        return StatusRules.customerReply(status: ticket.status, ownerActive: owner, pinned: ticket.pinned, hasOwner: ticket.agentID != nil)
    }

    /// The seed: tickets that become active for their agent again "do not follow max ticket limit, they DO affect agents
    /// receiving new tickets" (``Distributor/countReactivated(agentID:groupID:on:)``).
    func countReactivated(_ ticket: Ticket, on connection: PostgresConnection) async throws {
        guard let agent = ticket.agentID.flatMap(UUID.init(parsing:)), let group = UUID(parsing: ticket.groupID) else { return }
        try await distributor.countReactivated(agentID: agent, groupID: group, on: connection)
    }

    /// A Waiting or Closed ticket the customer came back to is Active again, moving on by round robin when its owner
    /// is inactive or gone; Active and Closed and Locked ones stay as they are.
    func reactivated(
        _ ticket: inout Ticket, _ effect: CustomerReplyEffect, cause: String, on connection: PostgresConnection
    ) async throws -> [(type: String, details: [String: String])] {
        let previous = ticket.status
        guard effect != .rejectedLocked, previous != .active else { return [] }
        ticket.status = .active
        ticket.closedAt = nil
        var published = [("ticket.status_changed", ["from": previous.rawValue, "to": "active", "cause": cause])]
        if effect == .activeReassigned || ticket.agentID == nil {
            published.append(try await redistribute(&ticket, on: connection, reason: "reopen_reassign"))
        } else {
            try await countReactivated(ticket, on: connection)
        }
        return published
    }

    /// The owner's reply with a send variant; closing variants pass the department's close guards. With a
    /// ``RequestKey`` the reply is written once: sent again, even with the `If-Match` it was first sent with, it writes
    /// nothing and answers `replayed`.
    public func reply(_ id: UUID, _ reply: AgentReply, expectedVersion: Int?, key: RequestKey? = nil) async throws -> (ticket: Ticket, replayed: Bool) {
        // Without any address the reply goes where the compose window fills in, by the Default Reply Option. The
        // settings are read before the transaction: they take a connection of their own, which changes of this ticket,
        // waiting for its lock with connections of theirs, might leave none of.
        let options = try await settings()
        let autofill = reply.to.isEmpty && reply.cc.isEmpty && reply.bcc.isEmpty ? options.defaultReplyOption : nil
        return try await modifyOnce(id, key: key, expectedVersion: expectedVersion, actor: .agent(reply.agentID.lowercased)) { ticket, connection in
            guard ticket.agentID == reply.agentID.lowercased else {
                throw Problem.conflict("Only the ticket's owner replies; take the ticket first.")
            }
            if let status = reply.variant.status { try await checkClose(ticket, to: status, on: connection) }
            try await checkRequiredFields(ticket, at: .send, on: connection)
            var body = try await signed(
                (reply.bodyHTML, reply.bodyText), for: ticket, agent: reply.agentID.lowercased, agentAddress: reply.agentAddress,
                scheme: reply.publicScheme, on: connection)
            guard let ticketID = UUID(parsing: ticket.id) else { throw Problem.notFound("No such ticket.") }
            let quoted = try await quotedHistory(
                of: ticketID, limit: options.maxMessagesInReplies, agentsAs: try await departmentName(of: ticket, on: connection), on: connection)
            let messageID = UUIDv7.generate()
            var sentForm: SentForm?
            if let form = reply.form {
                (body, sentForm) = try await send(form, in: body, on: ticket, messageID: messageID, by: reply.agentID, scheme: reply.publicScheme, on: connection)
            }
            var (to, cc, bcc) = (reply.to, reply.cc, reply.bcc)
            var leftOut: [String] = []
            if let autofill {
                (to, cc, bcc, leftOut) = try await recipients(of: ticket, autofill, agentAddress: reply.agentAddress, on: connection)
            } else if to.isEmpty, let customer = EmailAddress.validated(ticket.customerEmail) {
                to = [customer]
            }
            guard !to.isEmpty else { throw Self.noReplyableAddress(ticket) }
            let message = TicketMessage(
                id: messageID.lowercased, ticketID: ticket.id, direction: .outgoing, authorID: reply.agentID.lowercased,
                from: reply.agentAddress, to: to, cc: cc, bcc: bcc,
                bodyHTML: body.html, bodyText: body.text, createdAt: Date(), subject: reply.subject.flatMap { $0 == ticket.subject ? nil : $0 },
                quotedHTML: quoted?.html, quotedText: quoted?.text)
            let attachments = reply.attachmentIDs.isEmpty
                ? [] : try await outgoingAttachments(reply.attachmentIDs, of: ticketID, allowingInternal: false, field: "attachmentIDs", on: connection)
            try await insert(message, on: connection)
            try await record(attachments, sentWith: message.id, on: connection)
            try await deleteDraft(of: ticketID, on: connection)
            var measured: MeasuredResponse?
            try await advanceResponseClock(of: ticket.id, on: connection) { clock in
                let reply = ResponseClockRules.agentReplied(clock, at: message.createdAt)
                measured = reply.measured
                return reply.clock
            }
            // Where the reply was written: a Send and Transfer moves the ticket before the event is written with it.
            var published: [(type: String, details: [String: String])] = [
                ("ticket.replied", [
                    "messageID": message.id, "sendVariant": reply.variant.rawValue, "agentID": reply.agentID.lowercased,
                    "attachmentIDs": attachments.map(\.lowercased).joined(separator: ","),
                    "brandID": ticket.brandID, "departmentID": ticket.departmentID, "groupID": ticket.groupID,
                ].merging(measured?.details ?? [:]) { $1 }.merging(leftOut.isEmpty ? [:] : ["leftOut": leftOut.joined(separator: ",")]) { $1 }),
            ]
            if let sentForm {
                published.append(("ticket.form_sent", sentForm.eventDetails))
            }
            if let reviewer = try await qualityCopy(forReplyOf: reply.agentID.lowercased, on: connection) {
                published.append(("ticket.quality_copy_requested", ["messageID": message.id, "agentID": reply.agentID.lowercased, "forwardTo": reviewer]))
            }
            ticket.messagesOut += 1
            ticket.idleSince = message.createdAt
            published += dealtWith(&ticket, by: "reply")
            if let status = reply.variant.status, let change = apply(status, to: &ticket, cause: "send_variant") { published.append(change) }
            if let followUp = reply.followUp { published += try await followUpChange(&ticket, followUp, by: reply.agentID.lowercased, on: connection) }
            if let transfer = reply.transfer {
                published += try await transferChange(
                    &ticket, transfer, by: reply.agentID.lowercased, handingOverFollowUp: reply.followUp == nil, on: connection)
            }
            return published
        }
    }

    /// A reply the customer never received (a non-delivery report): its ticket returns to Active, even from Closed and
    /// Locked, with `ticket.reply_bounced`. A message that is not an outgoing one of a live ticket is refused (404).
    func replyBounced(_ messageID: UUID, reason: String?, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(messageID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT ticket_id FROM \(database.table("messages")) WHERE id = $1 AND direction = 'out'", binds: binds),
            logger: database.logger)
        var ticketID: UUID?
        for try await id in rows.decode(UUID.self) { ticketID = id }
        guard let ticketID else { throw Problem.notFound("No outgoing message \(messageID.lowercased).") }
        _ = try await modify(ticketID, expectedVersion: nil, actor: .system, on: connection) { ticket, _ in
            var published: [(type: String, details: [String: String])] = [("ticket.reply_bounced", ["messageID": messageID.lowercased, "reason": reason ?? ""])]
            if let change = apply(.active, to: &ticket, cause: "bounced") { published.append(change) }
            return published
        }
    }

    /// An agent sets the status; closing passes the close guards.
    public func setStatus(_ id: UUID, to status: TicketStatus, by agent: String, expectedVersion: Int?) async throws -> Ticket {
        try await modify(id, expectedVersion: expectedVersion, actor: .agent(agent)) { ticket, connection in
            try await checkClose(ticket, to: status, on: connection)
            let done = dealtWith(&ticket, by: "status")
            return (apply(status, to: &ticket, cause: "agent").map { [$0] } ?? []) + done
        }
    }

    /// Takes a ticket of one's group from its owner or the queue; it does not count as a ticket received.
    /// Takes the ticket for `agent`; `onlyQueued` (Get From Queue) refuses one another agent has (409), checked on the
    /// ticket as locked.
    public func take(_ id: UUID, by agent: UUID, expectedVersion: Int? = nil, onlyQueued: Bool = false) async throws -> Ticket {
        try await modify(id, expectedVersion: expectedVersion, actor: .agent(agent.lowercased)) { ticket, connection in
            guard ticket.agentID != agent.lowercased else { return [] }
            if onlyQueued, ticket.agentID != nil { throw Problem.conflict("This ticket is not in the queue: another agent has it.") }
            let previous = ticket.agentID
            let unpinned: [(type: String, details: [String: String])] = ticket.pinned ? [("ticket.unpinned", ["agentID": "", "cause": "take"])] : []
            ticket.agentID = agent.lowercased
            ticket.pinned = false
            ticket.followUp = FollowUpRules.handedOver(ticket.followUp, to: ticket.agentID)
            let done = dealtWith(&ticket, by: "take")
            let activated = StatusRules.activeWhenTaken(ticket.status) ? apply(.active, to: &ticket, cause: "take") : nil
            return [("ticket.assigned", ["agentID": agent.lowercased, "fromAgentID": previous ?? "", "reason": previous == nil ? "take_from_queue" : "take"])]
                + unpinned + done + (activated.map { [$0] } ?? [])
        }
    }

    /// Moves a ticket to another group (and department, brand), to a named agent or by that group's round robin,
    /// with a Transfer comment. Idle time stays; the response clock restarts (reported from the event).
    public func transfer(_ id: UUID, _ transfer: TicketTransfer, by actor: String, expectedVersion: Int?) async throws -> Ticket {
        try await modify(id, expectedVersion: expectedVersion, actor: .agent(actor)) { ticket, connection in
            try await transferChange(&ticket, transfer, by: actor, on: connection)
        }
    }

    /// The transfer inside the caller's change (a transfer of its own, or Send and Transfer): the new status passes
    /// the close guards of the department the ticket goes to; the ticket goes to the named agent or by round robin whatever its status (a Waiting
    /// or Closed one also to an agent at their Max Tickets), and counts toward the receiving agent's Max Tickets when Active and received from
    /// someone else [S001:2921] (back to its own owner in the same group, it keeps the one count it has); pinning
    /// needs an agent to pin it to. A scheduled follow-up goes with the ticket to its new hands
    /// (``FollowUpRules/handedOver(_:to:)``), unless `handingOverFollowUp` is false: one set in the same reply.
    func transferChange(
        _ ticket: inout Ticket, _ transfer: TicketTransfer, by actor: String, handingOverFollowUp: Bool = true, on connection: PostgresConnection
    ) async throws -> [(type: String, details: [String: String])] {
        guard let groupID = transfer.groupID ?? UUID(parsing: ticket.groupID) else { throw Problem.internalError(requestID: nil) }
        let wasPinned = ticket.pinned
        guard let departmentID = try await departmentOfGroup(groupID, on: connection),
            let department = try await department(departmentID, on: connection)
        else {
            throw Problem.unprocessable("There is no group \(groupID.lowercased).", errors: [.init(field: "groupID", message: "unknown group")])
        }
        let old = try await move(&ticket, to: groupID.lowercased, in: department, on: connection)
        // Closing in the department the ticket goes to passes that department's guards (the move is undone with the
        // transaction when they refuse).
        if let status = transfer.status { try await checkClose(ticket, to: status, on: connection) }
        ticket.pinned = false
        var published: [(type: String, details: [String: String])] = [("ticket.transferred", old.merging(["newGroupID": groupID.lowercased]) { $1 })]
        published += dealtWith(&ticket, by: "transfer")
        if let note = transfer.comment?.nonEmptyText {
            let comment = try await addComment(ticket.id, type: .transfer, body: note, author: actor, on: connection)
            published.append(("ticket.comment_added", comment.eventDetails))
        }
        if let priority = transfer.priority, priority != ticket.priority {
            published.append(("ticket.priority_changed", ["from": ticket.priority.rawValue, "to": priority.rawValue, "cause": "transfer"]))
            ticket.priority = priority
        }
        if let status = transfer.status, let change = apply(status, to: &ticket, cause: "transfer") { published.append(change) }
        let counts = TicketTransfer.countsTowardMax(status: ticket.status)
        // Both groups' counters (and those the old owner's freed room may drain) are locked at once, before the new
        // group's are counted and the old one's released: two transfers in opposite directions would deadlock otherwise.
        try await lockCounters(
            of: [UUID(parsing: old["oldGroupID"] ?? ""), groupID].compactMap { $0 }, freeing: [UUID(parsing: old["oldAgentID"] ?? "")].compactMap { $0 },
            on: connection)
        let keptBy = { (agent: String?) in agent != nil && agent == old["oldAgentID"] && groupID.lowercased == old["oldGroupID"] }
        if let agent = transfer.agentID {
            guard try await standing(of: agent, in: groupID, on: connection) != nil else {
                throw Problem.unprocessable("The agent is not a member of that group.", errors: [.init(field: "agentID", message: "not in the group")])
            }
            ticket.agentID = agent.lowercased
            let received = counts && !keptBy(agent.lowercased)
            let counted = received ? try await distributor.countReceived(agentID: agent, groupID: groupID, on: connection) : false
            published.append(("ticket.assigned", ["agentID": agent.lowercased, "fromAgentID": old["oldAgentID"] ?? "", "reason": "transfer",
                                                  "countsTowardMax": String(counted)]))
        } else {
            let holder = keptBy(old["oldAgentID"]) ? old["oldAgentID"].flatMap(UUID.init(parsing:)).map(TicketHolder.init) : nil
            // Max Tickets bounds the new Active tickets an agent holds [S001:2933]: a Waiting or Closed ticket, which
            // does not count toward it, may go to an agent at their limit rather than wait in the queue.
            published.append(
                try await redistribute(&ticket, on: connection, reason: "transfer", countsTowardMax: counts, respectingMax: counts, keeping: holder))
        }
        ticket.pinned = transfer.pin && ticket.agentID != nil
        if handingOverFollowUp && !keptBy(ticket.agentID) { ticket.followUp = FollowUpRules.handedOver(ticket.followUp, to: ticket.agentID) }
        if ticket.pinned { published.append(("ticket.pinned", ["agentID": ticket.agentID ?? ""])) }
        if wasPinned && !ticket.pinned { published.append(("ticket.unpinned", ["agentID": "", "cause": "transfer"])) }
        return published
    }

    /// Puts the ticket in `group` of `department` as a transfer does (the Transfer dialog, or a follow-up's New Group
    /// when it comes due): its department, brand and language follow, and the response clock restarts for whoever
    /// receives it. Answers where it was, as `ticket.transferred` tells it.
    func move(_ ticket: inout Ticket, to group: String, in department: KnownDepartment, on connection: PostgresConnection) async throws -> [String: String] {
        let old = ["oldGroupID": ticket.groupID, "oldDepartmentID": ticket.departmentID, "oldAgentID": ticket.agentID ?? ""]
        ticket.groupID = group
        ticket.departmentID = department.id.lowercased
        ticket.brandID = department.brandID.lowercased
        ticket.language = department.language
        try await advanceResponseClock(of: ticket.id, on: connection) { ResponseClockRules.transferred($0, at: Date()) }
        return old
    }

    /// Adds a comment; General, Resolution, Transfer, Follow-Up or Sticky.
    public func comment(
        _ id: UUID, type: CommentType, body: String, by author: String, expectedVersion: Int? = nil
    ) async throws -> (Ticket, TicketComment) {
        var added: TicketComment?
        let ticket = try await modify(id, expectedVersion: expectedVersion, actor: .agent(author)) { ticket, connection in
            let comment = try await addComment(ticket.id, type: type, body: body, author: author, on: connection)
            added = comment
            return [("ticket.comment_added", comment.eventDetails)]
        }
        guard let added else { throw Problem.internalError(requestID: nil) }
        return (ticket, added)
    }

    @discardableResult
    func addComment(_ ticketID: String, type: CommentType, body: String, author: String?, on connection: PostgresConnection) async throws -> TicketComment {
        let comment = TicketComment(
            id: UUIDv7.generate().lowercased, ticketID: ticketID, type: type, authorID: author, body: body, createdAt: Date())
        var binds = PostgresBindings()
        binds.append(UUID(parsing: comment.id))
        binds.append(UUID(parsing: ticketID))
        binds.append(type.rawValue)
        binds.append(author.flatMap(UUID.init(parsing:)))
        binds.append(body)
        binds.append(comment.createdAt)
        try await connection.query(
            PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("comments")) (id, ticket_id, type, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)", binds: binds),
            logger: database.logger
        ).consume()
        return comment
    }

    func checkClose(_ ticket: Ticket, to status: TicketStatus, on connection: PostgresConnection) async throws {
        guard status.isClosed, let departmentID = UUID(parsing: ticket.departmentID),
            let department = try await department(departmentID, on: connection)
        else { return }
        try StatusRules.checkClose(
            to: status, requireResolution: department.requireResolutionToClose,
            hasResolution: department.requireResolutionToClose ? try await hasResolution(ticket.id, on: connection) : true,
            requireTasksCompleted: department.requireTasksCompletedToClose,
            unfinishedTasks: department.requireTasksCompletedToClose ? try await unfinishedTasks(of: ticket.id, on: connection) : 0)
        try await checkRequiredFields(ticket, at: .close, on: connection)
    }

    /// The template fields required to send a reply or to close must be filled (422 naming each).
    private func checkRequiredFields(_ ticket: Ticket, at moment: TicketTemplate.Moment, on connection: PostgresConnection) async throws {
        guard let ticketID = UUID(parsing: ticket.id), let departmentID = UUID(parsing: ticket.departmentID) else { return }
        _ = try await checkedFieldValues(
            [:], existing: try await fieldValues(of: ticketID, on: connection), department: departmentID, byCustomer: false, moment: moment,
            on: connection)
    }

    /// An agent sets custom field values (empty removes one); publishes `ticket.custom_fields_changed`. What the
    /// template marks Required for Agents to save or send must be filled once saved [S001:6913], as for a reply.
    public func setFieldValues(
        _ id: UUID, _ values: [String: String], by agent: String, expectedVersion: Int? = nil
    ) async throws -> (ticket: Ticket, values: [String: String]) {
        var result: [String: String] = [:]
        let ticket = try await modify(id, expectedVersion: expectedVersion, actor: .agent(agent)) { ticket, connection in
            guard let departmentID = UUID(parsing: ticket.departmentID) else { return [] }
            let existing = try await fieldValues(of: id, on: connection)
            let checked = try await checkedFieldValues(values, existing: existing, department: departmentID, byCustomer: false, moment: .send, on: connection)
            // Saving what is already there changes nothing: no event, no new version, no restarted auto-close wait.
            let changed = checked.filter { (existing[$0.key] ?? "") != $0.value }
            guard !changed.isEmpty else {
                result = existing
                return []
            }
            try await storeFieldValues(changed, of: id, on: connection)
            result = try await fieldValues(of: id, on: connection)
            return [("ticket.custom_fields_changed", changed)]
        }
        return (ticket, result)
    }

    /// The agent deals with the ticket: a due follow-up ends (``FollowUpRules``), with its event.
    func dealtWith(_ ticket: inout Ticket, by cause: String) -> [(type: String, details: [String: String])] {
        let done = FollowUpRules.done(ticket.followUp, cause: cause)
        ticket.followUp = FollowUpRules.afterAgentAction(ticket.followUp)
        return done.map { [$0] } ?? []
    }

    /// The customer interacts with the ticket: a scheduled follow-up is suspended (``FollowUpRules``), with its event.
    func suspendedByCustomer(_ ticket: inout Ticket, cause: String) -> [(type: String, details: [String: String])] {
        let followUp = FollowUpRules.afterCustomerMessage(ticket.followUp)
        ticket.followUp = followUp.followUp
        return followUp.suspended ? [("ticket.followup_suspended", ["cause": cause])] : []
    }

    func apply(_ status: TicketStatus, to ticket: inout Ticket, cause: String) -> (type: String, details: [String: String])? {
        guard status != ticket.status else { return nil }
        let previous = ticket.status
        ticket.status = status
        ticket.closedAt = status.isClosed ? (previous.isClosed ? ticket.closedAt : Date()) : nil
        return ("ticket.status_changed", ["from": previous.rawValue, "to": status.rawValue, "cause": cause])
    }

    /// The customer closes their ticket (a closed ticket reopens on their next message, as any closed one); like
    /// their message, it suspends a scheduled follow-up and leaves a due one.
    public func closeByCustomer(_ id: UUID, userID: String, expectedVersion: Int? = nil) async throws -> Ticket {
        try await modify(id, expectedVersion: expectedVersion, actor: .customer(userID)) { ticket, _ in
            guard ticket.status == .active || ticket.status == .waiting else { return [] }
            let suspended = suspendedByCustomer(&ticket, cause: "customer_close")
            return (apply(.closed, to: &ticket, cause: "customer").map { [$0] } ?? []) + suspended
        }
    }
}

import Contracts
import Database
import Foundation
import HTTPTypes
import Logging
import Outbox
import PostgresNIO
import ServiceKit

/// Applies `tickets.commands` (open a ticket, a customer's message for a ticket, an automation rule's actions, a reply bounced) inside the idempotent consumer's transaction, so a
/// command acts exactly once. A command that can never succeed (invalid fields, data that does not decode) is logged and
/// dropped rather than retried forever; one naming a department tickets has not learned yet is parked until it is, and
/// one whose department was deleted with its tickets is kept for an administrator to place.
public struct TicketCommandHandler: Sendable {
    let store: TicketStore
    let logger: Logger
    let parked: ParkedCommands

    public init(store: TicketStore, logger: Logger) {
        self.store = store
        self.logger = logger
        self.parked = ParkedCommands(database: store.database)
    }

    public func apply(_ type: String, _ bytes: [UInt8], on connection: PostgresConnection) async throws {
        // A refused (or parked) command is dropped whole: what it wrote before the refusal goes back to this savepoint.
        try await connection.query("SAVEPOINT ticket_command", logger: logger).consume()
        do {
            switch type {
            case OpenTicketCommand.type:
                _ = try await openTicket(CloudEventCoding.decode(OpenTicketCommand.self, from: bytes).data.withoutNUL, on: connection)
            case AddTicketMessageCommand.type:
                try await addMessage(CloudEventCoding.decode(AddTicketMessageCommand.self, from: bytes).data.withoutNUL, on: connection)
            case TicketActionsCommand.type:
                let command = try CloudEventCoding.decode(TicketActionsCommand.self, from: bytes).data.withoutNUL
                _ = try await store.apply(
                    try Self.actions(command), to: try TicketInput.uuid(command.ticketID, field: "ticketID"),
                    by: Actor(kind: command.source, id: command.ruleID), on: connection)
            case ReplyBouncedCommand.type:
                let command = try CloudEventCoding.decode(ReplyBouncedCommand.self, from: bytes).data
                try await store.replyBounced(try TicketInput.uuid(command.messageID, field: "messageID"), reason: command.reason, on: connection)
            default:
                // Not lost without a trace: a newer sender's command this instance does not know yet is logged whole.
                logger.error(
                    "skipping a ticket command of a type this instance does not know",
                    metadata: ["type": "\(type)", "event": "\(String(decoding: bytes, as: UTF8.self))"])
                return
            }
        } catch let unknown as DepartmentNotKnownYet {
            try await connection.query("ROLLBACK TO SAVEPOINT ticket_command", logger: logger).consume()
            guard try await parked.park(type, bytes, department: unknown.departmentID, on: connection) else {
                return try await apply(type, bytes, on: connection)
            }
            logger.warning(
                "parking a ticket command until its department is known", metadata: ["type": "\(type)", "departmentID": "\(unknown.departmentID)"])
        } catch let gone as DepartmentGone {
            try await connection.query("ROLLBACK TO SAVEPOINT ticket_command", logger: logger).consume()
            try await parked.hold(type, bytes, department: gone.departmentID, on: connection)
            logger.warning(
                "keeping a ticket command for an administrator: its department was deleted with its tickets",
                metadata: ["type": "\(type)", "departmentID": "\(gone.departmentID)"])
        } catch let problem as Problem where problem.status.code < 500 {
            try await drop("dropping a ticket command that cannot succeed", ["type": "\(type)", "problem": "\(problem.detail ?? problem.title)"], on: connection)
        } catch let error where PermanentEventFailure.matches(error) {
            // Data that does not read (or that PostgreSQL refuses) now never will: retried, it would hold up every later
            // command of its partition, and a parked one the department's own event. The log keeps the event whole, so
            // that what it carried can still be recovered by hand.
            try await drop(
                "dropping a ticket command whose data cannot be read or stored",
                ["type": "\(type)", "error": "\(String(reflecting: error))", "event": "\(String(decoding: bytes, as: UTF8.self))"], on: connection)
        }
    }

    /// Runs the commands parked for `department`, which the caller's transaction has just written.
    func runParked(for department: UUID, on connection: PostgresConnection) async throws {
        for command in try await parked.release(department: department, on: connection) {
            try await apply(command.type, command.bytes, on: connection)
        }
    }

    /// Opens the ticket of kept command `id` in `department` (one tickets knows), in one transaction with taking it:
    /// nil when no such command is kept (placed meanwhile, or released by its department).
    func place(_ id: Int64, in department: UUID, by administrator: String) async throws -> Ticket? {
        try await store.database.transaction { try await place(id, in: department, by: administrator, on: $0) }
    }

    private func place(_ id: Int64, in department: UUID, by administrator: String, on connection: PostgresConnection) async throws -> Ticket? {
        guard try await store.department(department, on: connection) != nil else {
            throw Problem.unprocessable("No such department.", errors: [.init(field: "departmentID", message: "unknown")])
        }
        guard let command = try await parked.take(id, on: connection) else { return nil }
        guard let opening = try command.opening(in: department)?.withoutNUL else {
            throw Problem.unprocessable("This command carries no customer's message to place.")
        }
        let ticket = try await openTicket(opening, on: connection)
        logger.notice(
            "a kept ticket command placed by an administrator",
            metadata: ["commandID": "\(id)", "departmentID": "\(department)", "ticketID": "\(ticket.id)", "administrator": "\(administrator)"])
        return ticket
    }

    /// Undoes what the command wrote (back to its savepoint) and logs why it is dropped.
    private func drop(_ message: Logger.Message, _ metadata: Logger.Metadata, on connection: PostgresConnection) async throws {
        try await connection.query("ROLLBACK TO SAVEPOINT ticket_command", logger: logger).consume()
        logger.error(message, metadata: metadata)
    }

    /// A customer's message for the ticket its number names (or the ticket that one was merged into); a new ticket
    /// when that ticket is Closed and Locked, deleted or unknown.
    private func addMessage(_ command: AddTicketMessageCommand, on connection: PostgresConnection) async throws {
        let from = try CommandInput.address(command.fromAddress, field: "fromAddress")
        let body = CommandInput.body(text: command.bodyText, html: command.bodyHTML)
        var open = try await store.find(number: command.ticketNumber, on: connection)
        // Its status read under the ticket's lock: a timer that locks it meanwhile would otherwise refuse the message
        // (and drop the customer's mail) instead of letting it open a new ticket.
        if let id = open.flatMap({ UUID(parsing: $0.id) }) { open = try await store.find(id, on: connection, lock: true) }
        if let ticket = open, ticket.status != .closedLocked {
            let id = try TicketInput.uuid(ticket.id, field: "ticketNumber")
            _ = try await store.customerMessage(
                id, from: from, userID: command.customerUserID, html: body.html, text: body.text,
                to: CommandInput.copies(command.to), cc: CommandInput.copies(command.cc), subject: try? TicketInput.subject(command.subject),
                source: MessageSource.kept(givenHTML: command.bodyHTML, safeHTML: body.html, rawContent: command.rawContent), on: connection)
            try await store.attachMail(command.attachments ?? [], to: id, actor: Actor(kind: command.source, id: command.customerUserID), on: connection)
            return
        }
        var earlier = open
        if earlier == nil { earlier = try await store.find(number: command.ticketNumber, deleted: true, on: connection) }
        guard let departmentID = earlier?.departmentID ?? command.departmentID else {
            throw Problem.unprocessable("No ticket has the number \(command.ticketNumber), and the command names no department for a new one.")
        }
        let opening = OpenTicketCommand(
            departmentID: departmentID, customerEmail: from, customerUserID: command.customerUserID, subject: command.subject,
            bodyText: command.bodyText, bodyHTML: command.bodyHTML, source: command.source, rawContent: command.rawContent, to: command.to, cc: command.cc,
            attachments: command.attachments)
        let created = try await openTicket(opening, on: connection)
        // The locked ticket and the one its customer's message opened are each other's related items, each link a
        // change of its ticket with its event and history.
        if let locked = open.flatMap({ UUID(parsing: $0.id) }), let new = UUID(parsing: created.id) {
            let actor = Actor(kind: command.source, id: command.customerUserID)
            try await store.linkBack(new, to: locked, actor: actor, on: connection)
            try await store.linkBack(locked, to: new, actor: actor, on: connection)
        }
    }

    /// The command's actions, each value checked as the tickets API checks it.
    static func actions(_ command: TicketActionsCommand) throws -> TicketActions {
        func parsed<Value: RawRepresentable<String>>(_ text: String?, _ field: String) throws -> Value? {
            guard let text else { return nil }
            guard let value = Value(rawValue: text) else {
                throw Problem.unprocessable("\(field) \(text) is not one of the API's values.", errors: [.init(field: field, message: "unknown value")])
            }
            return value
        }
        if command.transferAgentID != nil, command.transferGroupID == nil {
            throw Problem.unprocessable(
                "A transfer to an agent names the agent's group too.", errors: [.init(field: "transferGroupID", message: "required with transferAgentID")])
        }
        let transfer = try command.transferGroupID.map {
            TicketTransfer(
                groupID: try TicketInput.uuid($0, field: "transferGroupID"),
                agentID: try command.transferAgentID.map { try TicketInput.uuid($0, field: "transferAgentID") }, comment: nil)
        }
        // A reply with no text once made safe (a canned reply of only a picture, which messages do not keep) is left
        // out; the rule's other actions still apply.
        let given = command.replyHTML != nil || command.replyText != nil
        let worded = given && SafeHTML.body(html: command.replyHTML, text: command.replyText).text.nonEmptyText != nil
        let reply = worded ? try TicketInput.body(text: command.replyText, html: command.replyHTML) : nil
        return TicketActions(
            transfer: transfer, reply: reply.map { TicketActions.Reply(html: $0.html, text: $0.text) }, status: try parsed(command.status, "status"),
            priority: try parsed(command.priority, "priority"), pinned: command.pinned)
    }

    /// Opens the command's ticket with the files its email carried.
    private func openTicket(_ command: OpenTicketCommand, on connection: PostgresConnection) async throws -> Ticket {
        let actor = Actor(kind: command.source, id: command.customerUserID)
        let created = try await store.create(try await newTicket(command, on: connection), actor: actor, on: connection)
        guard let files = command.attachments, let id = UUID(parsing: created.id) else { return created }
        return try await store.attachMail(files, to: id, actor: actor, on: connection) ?? created
    }

    private func newTicket(_ command: OpenTicketCommand, on connection: PostgresConnection) async throws -> NewTicket {
        let departmentID = try TicketInput.uuid(command.departmentID, field: "departmentID")
        let subject = CommandInput.subject(command.subject)
        let body = CommandInput.body(text: command.bodyText, html: command.bodyHTML)
        let email = try CommandInput.address(command.customerEmail, field: "customerEmail")
        let group = try command.groupID.map { try TicketInput.uuid($0, field: "groupID") }
        let (department, moved) = try await DepartmentSuccession(database: store.database).department(for: departmentID, store: store, on: connection)
        // A group of a department that is gone goes with it: the ticket starts in its successor's front line. So does
        // one that is not the department's (another department's, or none tickets knows): the message is kept, in the
        // department it was sent to.
        var groupID = department.frontLineGroupID
        if let group, !moved, group != groupID {
            let owner = try await store.departmentOfGroup(group, on: connection)
            if owner == department.id { groupID = group }
        }
        if let group, !moved, group != groupID {
            logger.warning(
                "a ticket command named a group that is not its department's; the ticket starts in the department's front line",
                metadata: ["groupID": "\(group)", "departmentID": "\(department.id)"])
        }
        var new = NewTicket(
            department: department, groupID: groupID, customerUserID: command.customerUserID.flatMap(UUID.init(parsing:)),
            customerEmail: email, subject: subject, bodyHTML: body.html, bodyText: body.text, priority: .normal, owner: nil, incoming: true,
            status: .active)
        new.source = MessageSource.kept(givenHTML: command.bodyHTML, safeHTML: body.html, rawContent: command.rawContent)
        new.incomingTo = CommandInput.copies(command.to)
        new.incomingCC = CommandInput.copies(command.cc)
        return new
    }
}

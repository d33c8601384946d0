import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

extension TicketStore {
    /// Makes a new ticket of one of the customer's messages ("Create Ticket" on a user response): its sender's (the
    /// ticket's customer, or whoever else wrote it), in the same department and group, the message's text, its copies
    /// (Cc) and the files it carried as its first message, a General comment on both tickets naming the other. An
    /// agent's message is refused (422).
    /// `expectedVersion` is the split ticket's (`If-Match`), which the comment naming the new one changes.
    public func split(_ id: UUID, message messageID: UUID, subject: String?, by agent: String, expectedVersion: Int? = nil) async throws -> Ticket {
        try await database.transaction { connection in
            guard let source = try await find(id, on: connection, lock: true).map({ try Self.check(expectedVersion, of: $0); return $0 }),
                let departmentID = UUID(parsing: source.departmentID), let department = try await department(departmentID, on: connection),
                let group = UUID(parsing: source.groupID)
            else { throw Problem.notFound("No such ticket.") }
            let message = try await message(messageID, of: id, on: connection)
            guard message.direction == .incoming else {
                throw Problem.unprocessable(
                    "Only a customer's message can become a ticket of its own; an agent's reply cannot.",
                    errors: [.init(field: "messageID", message: "not a customer message")])
            }
            // "A new ticket that is based on the response" [S001:3058]: the sender's, who may be someone copied on the
            // ticket writing from their own address; the account goes along only with the customer's own address.
            let sender = message.from.contains("@") ? message.from : source.customerEmail
            let sameCustomer = sender.lowercased() == source.customerEmail.lowercased()
            // The splitting agent keeps the new ticket when they belong to its group; anyone else (an administrator, a
            // manager of another group) leaves it to the group's round robin.
            var owner = UUID(parsing: agent)
            if let agentID = owner, try await standing(of: agentID, in: group, on: connection) == nil { owner = nil }
            var new = NewTicket(
                department: department, groupID: group, customerUserID: sameCustomer ? source.customerUserID.flatMap(UUID.init(parsing:)) : nil,
                customerEmail: sender, subject: subject ?? source.subject, bodyHTML: message.bodyHTML, bodyText: message.bodyText,
                priority: source.priority, owner: owner, incoming: true, status: .active)
            new.source = try await keptSource(of: messageID, on: connection)
            new.incomingCC = message.cc
            new.copiedAttachmentIDs = try await attachments(sentWith: messageID, on: connection)
            let created = try await create(new, actor: .agent(agent), on: connection)
            let from = try await addComment(created.id, type: .general, body: "Split from ticket \(source.number).", author: agent, on: connection)
            try await events.publish("ticket.comment_added", created, actor: .agent(agent), details: from.eventDetails, on: connection)
            _ = try await modify(id, expectedVersion: nil, actor: .agent(agent), on: connection) { ticket, connection in
                let into = try await addComment(
                    ticket.id, type: .general, body: "A message was split into ticket \(created.number).", author: agent, on: connection)
                return [
                    ("ticket.split", ["messageID": messageID.lowercased, "newTicketID": created.id, "newNumber": created.number]),
                    ("ticket.comment_added", into.eventDetails),
                ]
            }
            return created
        }
    }
}

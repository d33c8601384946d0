import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// A forward of one of a ticket's messages to other addresses, as the agent asked it.
public struct MessageForward: Sendable {
    public var agentID: String
    public var agentAddress: String
    public var to: [String]
    public var cc: [String]
    public var note: (html: String, text: String)?
    /// The ticket's attachments to send along; nil sends those the message carried, or, when it carried none (a
    /// customer's uploads are the ticket's, not a message's), every attachment the customer could see.
    public var attachmentIDs: [UUID]?
    /// The scheme the portal's links in the signature use (``PublicOrigin``).
    public var publicScheme: String
}

extension TicketStore {
    /// Records a forward as an outgoing message that only agents read (it answers nobody: the ticket's reply count and
    /// idle time stay; the customer's timeline leaves it out), the agent's note signed as a reply is, and
    /// publishes `ticket.message_forwarded` with the recipients and attachments for the mail sender.
    public func forward(_ id: UUID, message messageID: UUID, _ forward: MessageForward, expectedVersion: Int?) async throws -> Ticket {
        try await modify(id, expectedVersion: expectedVersion, actor: .agent(forward.agentID)) { ticket, connection in
            let original = try await message(messageID, of: id, on: connection)
            let carried = forward.attachmentIDs == nil ? try await attachments(sentWith: messageID, on: connection) : []
            let attachments = carried.isEmpty
                ? try await outgoingAttachments(forward.attachmentIDs, of: id, allowingInternal: true, field: "attachmentIDs", on: connection) : carried
            // The signature agents use "on all ticket correspondence" [S001:7760] ends the agent's note, above the original.
            var note = try await signed(
                forward.note ?? ("", ""), for: ticket, agent: forward.agentID, agentAddress: forward.agentAddress, scheme: forward.publicScheme,
                on: connection)
            note.text = note.text.trimmingCharacters(in: .newlines)
            let body = MessageForwarding.body(note: note.text.isEmpty && note.html.isEmpty ? nil : note, original: original)
            let message = TicketMessage(
                id: UUIDv7.generate().lowercased, ticketID: ticket.id, direction: .outgoing, authorID: forward.agentID, from: forward.agentAddress,
                to: forward.to, cc: forward.cc, bcc: [], bodyHTML: body.html, bodyText: body.text, createdAt: Date())
            try await insert(message, forwarded: true, on: connection)
            try await record(attachments, sentWith: message.id, on: connection)
            return [(
                "ticket.message_forwarded",
                [
                    "messageID": message.id, "forwardedMessageID": original.id, "agentID": forward.agentID,
                    "to": forward.to.joined(separator: ","), "cc": forward.cc.joined(separator: ","),
                    "attachmentIDs": attachments.map(\.lowercased).joined(separator: ","),
                ]
            )]
        }
    }

    /// Sends an outgoing message again to its recipients (Bcc too) with the attachments it carried: publishes
    /// `ticket.message_resent` for the mail sender.
    public func resend(_ id: UUID, message messageID: UUID, by agent: String, expectedVersion: Int?) async throws -> Ticket {
        try await modify(id, expectedVersion: expectedVersion, actor: .agent(agent)) { _, connection in
            let original = try await message(messageID, of: id, on: connection)
            try MessageForwarding.checkResendable(original)
            let attachments = try await attachments(sentWith: messageID, on: connection)
            return [(
                "ticket.message_resent",
                [
                    "messageID": original.id, "agentID": agent, "to": original.to.joined(separator: ","), "cc": original.cc.joined(separator: ","),
                    "bcc": original.bcc.joined(separator: ","),
                    "attachmentIDs": attachments.map(\.lowercased).joined(separator: ","),
                ]
            )]
        }
    }

}

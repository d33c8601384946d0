import Contracts
import Foundation

/// A command kept in `parked_commands`: a customer's message that has no department to open its ticket in yet.
struct ParkedCommand: Sendable {
    enum Reason: String, Sendable, Encodable {
        /// Its department is not known to tickets (yet): it runs when the department arrives.
        case departmentUnknown = "department_unknown"
        /// Its department was deleted together with its tickets: only an administrator can place it.
        case departmentDeleted = "department_deleted"
    }

    var id: Int64
    var departmentID: UUID
    var type: String
    var bytes: [UInt8]
    var reason: Reason
    var parkedAt: Date

    /// The message the command carries, as a new ticket in `department` opens it: an email reply for a ticket becomes
    /// a ticket of its own, since its ticket could not take it. Nil for a command that carries no message.
    func opening(in department: UUID) throws -> OpenTicketCommand? {
        switch type {
        case OpenTicketCommand.type:
            var command = try CloudEventCoding.decode(OpenTicketCommand.self, from: bytes).data
            command.departmentID = department.lowercased
            command.groupID = nil
            return command
        case AddTicketMessageCommand.type:
            let message = try CloudEventCoding.decode(AddTicketMessageCommand.self, from: bytes).data
            return OpenTicketCommand(
                departmentID: department.lowercased, customerEmail: message.fromAddress, customerUserID: message.customerUserID,
                subject: message.subject, bodyText: message.bodyText, bodyHTML: message.bodyHTML, source: message.source,
                rawContent: message.rawContent, to: message.to, cc: message.cc, attachments: message.attachments)
        default:
            return nil
        }
    }
}

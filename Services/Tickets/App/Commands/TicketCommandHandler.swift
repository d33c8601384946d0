import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Applies `tickets.commands` (open a ticket, a reply bounced) inside the idempotent consumer's transaction, so a
/// command acts exactly once. A command that can never succeed (unknown department, invalid fields) is logged and dropped rather than
/// retried forever.
public struct TicketCommandHandler: Sendable {
    let store: TicketStore
    let logger: Logger

    public init(store: TicketStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func apply(_ type: String, _ bytes: [UInt8], on connection: PostgresConnection) async throws {
        do {
            switch type {
            case OpenTicketCommand.type:
                let command = try CloudEventCoding.decode(OpenTicketCommand.self, from: bytes).data
                let new = try await newTicket(command, on: connection)
                _ = try await store.create(new, actor: Actor(kind: command.source, id: command.customerUserID), on: connection)
            case ReplyBouncedCommand.type:
                let command = try CloudEventCoding.decode(ReplyBouncedCommand.self, from: bytes).data
                try await store.replyBounced(try TicketInput.uuid(command.messageID, field: "messageID"), reason: command.reason, on: connection)
            default:
                return
            }
        } catch let problem as Problem {
            logger.error("dropping a ticket command that cannot succeed", metadata: ["type": "\(type)", "problem": "\(problem.detail ?? problem.title)"])
        }
    }

    private func newTicket(_ command: OpenTicketCommand, on connection: PostgresConnection) async throws -> NewTicket {
        let departmentID = try TicketInput.uuid(command.departmentID, field: "departmentID")
        let subject = try TicketInput.subject(command.subject)
        let body = try TicketInput.body(text: command.bodyText, html: command.bodyHTML)
        let email = try TicketInput.email(command.customerEmail, field: "customerEmail")
        let group = try command.groupID.map { try TicketInput.uuid($0, field: "groupID") }
        guard let department = try await store.department(departmentID, on: connection) else {
            throw Problem.unprocessable("There is no department \(command.departmentID).")
        }
        return NewTicket(
            department: department, groupID: group ?? department.frontLineGroupID, customerUserID: command.customerUserID.flatMap(UUID.init(uuidString:)),
            customerEmail: email, subject: subject, bodyHTML: body.html, bodyText: body.text, priority: .normal, owner: nil, incoming: true,
            status: .active)
    }
}

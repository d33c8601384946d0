import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension ReplyComposition: ResponseEncodable {}

/// `POST …/{id}/messages/{messageID}/forward` body.
public struct ForwardRequest: Decodable, Sendable {
    public var to: [String]
    public var cc: [String]?
    public var note: String?
    public var noteHTML: String?
    public var attachmentIDs: [String]?
}

/// Composing a reply, and the actions on one message of a ticket: Create Ticket (split), Forward and Resend.
public struct MessageActionsController: Sendable {
    let access: TicketRequestAccess
    var store: TicketStore { access.store }

    public init(store: TicketStore) {
        self.access = TicketRequestAccess(store: store)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("{id}/compose") { request, context in
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Reply")
            let mode = try request.uri.queryParameters["mode"].map { text in
                guard let mode = TicketSettings.ReplyOption(rawValue: String(text)) else { throw Problem.badRequest("mode is reply or replyAll.") }
                return mode
            }
            let query = request.uri.queryParameters
            guard ["formID", "quoteMessageID", "copyMessageID"].filter({ query[$0] != nil }).count <= 1 else {
                throw Problem.badRequest("A reply starts with one of formID, quoteMessageID and copyMessageID.")
            }
            var form: FormDefinition?
            if let text = query["formID"] {
                guard let id = UUID(parsing: String(text)), let found = try await store.form(id) else { throw Problem.notFound("No such form.") }
                form = found
            }
            var composition = try await store.composeReply(
                ticket, mode: mode, agent: caller.principal.userID, agentAddress: caller.principal.email, scheme: PublicOrigin.scheme(of: request))
            composition.formID = form?.id
            composition.bodyHTML = form?.emailIntroduction
            let ticketID = try TicketController.id(ticket.id)
            if let text = query["quoteMessageID"] {
                let message = try await store.message(try TicketInput.uuid(String(text), field: "quoteMessageID"), of: ticketID)
                composition.bodyHTML = try ReplyComposer.quoting(message)
            } else if let text = query["copyMessageID"] {
                let message = try await store.message(try TicketInput.uuid(String(text), field: "copyMessageID"), of: ticketID)
                composition.bodyHTML = try ReplyComposer.copying(message, signatureHTML: composition.signatureHTML)
            }
            return composition
        }
        group.get("{id}/messages/{messageID}/source") { _, context in
            let (ticket, _) = try await access.readable(context, for: .agentRead)
            let messageID = try context.uuidParameter("messageID", notFound: "No such message.")
            guard let source = try await store.source(of: messageID, ticket: try TicketController.id(ticket.id)) else {
                throw Problem.notFound("No such message.")
            }
            return source
        }
        group.post("{id}/messages/{messageID}/split") { request, context in
            struct Body: Decodable { var subject: String? }
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Create")
            let messageID = try context.uuidParameter("messageID", notFound: "No such message.")
            let body = try await request.decodeJSON(Body.self, context: context, whenEmpty: Body())
            let created = try await store.split(
                try TicketController.id(ticket.id), message: messageID, subject: try body.subject.map(TicketInput.subject), by: caller.principal.userID,
                expectedVersion: try IfMatch.version(request))
            return EditedResponse(status: .created, headers: [.eTag: created.etag], response: created)
        }
        group.post("{id}/messages/{messageID}/forward") { request, context in
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Reply")
            let messageID = try context.uuidParameter("messageID", notFound: "No such message.")
            let body = try await request.decodeJSON(ForwardRequest.self, context: context)
            guard !body.to.isEmpty else {
                throw Problem.unprocessable("A forward goes to at least one address.", errors: [.init(field: "to", message: "is required")])
            }
            let hasNote = !((body.note ?? "") + (body.noteHTML ?? "")).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            let forward = MessageForward(
                agentID: caller.principal.userID, agentAddress: caller.principal.email,
                to: try TicketInput.emails(body.to, field: "to"), cc: try TicketInput.emails(body.cc, field: "cc"),
                note: hasNote ? try TicketInput.body(text: body.note, html: body.noteHTML) : nil,
                attachmentIDs: try body.attachmentIDs.map { try $0.map { try TicketInput.uuid($0, field: "attachmentIDs") } },
                publicScheme: PublicOrigin.scheme(of: request))
            let updated = try await store.forward(
                try TicketController.id(ticket.id), message: messageID, forward, expectedVersion: try IfMatch.version(request))
            return EditedResponse(status: .created, headers: [.eTag: updated.etag], response: updated)
        }
        group.post("{id}/messages/{messageID}/resend") { request, context in
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Reply")
            let messageID = try context.uuidParameter("messageID", notFound: "No such message.")
            let updated = try await store.resend(
                try TicketController.id(ticket.id), message: messageID, by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(headers: [.eTag: updated.etag], response: updated)
        }
    }
}

import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// A ticket as its "View ticket online" link shows it to whoever holds the link, signed in or not.
public struct OnlineTicket: Codable, Sendable, ResponseEncodable {
    public var ticket: Ticket
    /// The first page of what the customer sees: messages and attachments that are not internal, newest first.
    public var timeline: Page<TimelineItem>
}

/// `GET /api/v1/tickets/online/{number}?code=`: the ticket's Validation Hash (``LinkSigner``, the code of its
/// number) opens the customer's view of it, on its own brand's host; a wrong code, number or host is a 404, so
/// nothing tells which was wrong. A merged ticket's old number with its own code opens the primary.
/// `GET …/online/{number}/attachments/{attachmentID}?code=` downloads a file that view lists (not an internal one).
public struct OnlineTicketController: Sendable {
    let store: TicketStore
    let links: LinkSigner

    public init(store: TicketStore, links: LinkSigner) {
        self.store = store
        self.links = links
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("online/{number}") { request, context in
            let ticket = try await linked(request, context).customersView
            let timeline = try await store.timeline(try TicketController.id(ticket.id), includeComments: false, page: try TicketController.timelinePage(request))
            return OnlineTicket(ticket: ticket, timeline: timeline)
        }
        group.get("online/{number}/attachments/{attachmentID}") { request, context in
            let ticket = try await linked(request, context)
            guard let text = context.parameters.get("attachmentID"), let attachmentID = UUID(parsing: text),
                let (attachment, bytes) = try await store.attachment(attachmentID, of: try TicketController.id(ticket.id), includingInternal: false)
            else { throw Problem.notFound("No such attachment.") }
            return AttachmentController.download(attachment, bytes)
        }
    }

    /// The ticket the link's number and code open, or a 404. The code is the credential, so the link opens on any
    /// brand's host: the one its email named stays good after a transfer to another brand's department.
    private func linked(_ request: Request, _ context: ServiceRequestContext) async throws -> Ticket {
        guard let number = context.parameters.get("number")?.uppercased(), let code = request.uri.queryParameters["code"].map(String.init),
            links.verifies(code, for: number), let found = try await store.find(number: number)
        else { throw Problem.notFound("No such ticket.") }
        return found
    }
}

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
public struct OnlineTicketController: Sendable {
    let store: TicketStore
    let links: LinkSigner

    public init(store: TicketStore, links: LinkSigner) {
        self.store = store
        self.links = links
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("online/{number}") { request, context in
            guard let number = context.parameters.get("number")?.uppercased(), let code = request.uri.queryParameters["code"].map(String.init),
                links.verifies(code, for: number), let found = try await store.find(number: number),
                context.brandID.map({ $0.lowercased() == found.brandID }) ?? true
            else { throw Problem.notFound("No such ticket.") }
            let ticket = found.customersView
            let timeline = try await store.timeline(try TicketController.id(ticket.id), includeComments: false, page: try TicketController.timelinePage(request))
            return OnlineTicket(ticket: ticket, timeline: timeline)
        }
    }
}

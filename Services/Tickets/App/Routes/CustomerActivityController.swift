import Foundation
import Hummingbird
import ServiceKit

extension CustomerActivity: ResponseEncodable {}

/// `GET /api/v1/tickets/customer-activity?email=` (agents): a user's Statistics tab (tickets submitted from the
/// address and time logged on them, Last 7, 30 and 90 Days and All Time) and History tab (their last ticket), over
/// the tickets the agent sees.
public struct CustomerActivityController: Sendable {
    let access: TicketRequestAccess

    public init(store: TicketStore) {
        self.access = TicketRequestAccess(store: store)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("customer-activity") { request, context in
            let (caller, email) = try await Self.agentAndAddress(request, context, access: access)
            return try await access.store.customerActivity(email: email, visibleTo: caller)
        }
    }

    /// The agent asking (403 for anyone else) and the `email` they ask about (422 when it is not an address).
    static func agentAndAddress(
        _ request: Request, _ context: ServiceRequestContext, access: TicketRequestAccess
    ) async throws -> (TicketCaller, String) {
        guard let caller = try await access.caller(context, required: true), caller.isAgent else {
            throw Problem.forbidden("Only agents read users' details.")
        }
        return (caller, try TicketInput.email(request.uri.queryParameters["email"].map(String.init), field: "email"))
    }
}

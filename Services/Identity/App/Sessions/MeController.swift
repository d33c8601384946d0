import Auth
import Contracts
import Hummingbird
import ServiceKit

extension Principal: ResponseEncodable {}

/// `GET /api/v1/identity/me`: who the access token says the caller is, with the roles, scope and combined
/// permissions every service will apply. Answered from the verified token alone.
public struct MeController: Sendable {
    public init() {}

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("me") { _, context in try Authorization.requireSignedIn(context.principal) }
    }
}

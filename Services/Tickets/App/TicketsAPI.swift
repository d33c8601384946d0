import Auth
import Database
import Foundation
import Hummingbird
import ServiceKit

/// The tickets service's routes, storage and rules wired together; used by the executable and by tests.
public struct TicketsAPI: Sendable {
    public let store: TicketStore
    public let directory: DirectoryProjection
    let tokens: TokenService

    public init(database: Database, tokens: TokenService) {
        self.store = TicketStore(database: database)
        self.directory = DirectoryProjection(database: database)
        self.tokens = tokens
    }

    public func addRoutes(to router: Router<ServiceRequestContext>) {
        let api = router.group("/api/v1/tickets").add(middleware: AuthenticationMiddleware(tokens: tokens))
        OpenAPIDocument(resource: Bundle.module.url(forResource: "openapi", withExtension: "yaml")).addRoute(to: api)
        TicketActionsController(store: store).addRoutes(to: api)
        TicketController(store: store).addRoutes(to: api)
    }
}

import Auth
import Database
import Hummingbird
import ServiceKit

/// The identity service's routes, storage and rules wired together; used by the executable and by tests.
public struct IdentityAPI: Sendable {
    public let brands: BrandRepository
    public let users: UserRepository
    public let sessions: SessionService
    public let tokens: TokenService
    public let hasher: PasswordHasher

    public init(database: Database, tokens: TokenService, hasher: PasswordHasher = PasswordHasher()) {
        self.brands = BrandRepository(database: database)
        self.users = UserRepository(database: database)
        self.tokens = tokens
        self.hasher = hasher
        self.sessions = SessionService(
            users: users, sessions: SessionRepository(database: database), tokens: tokens, hasher: hasher)
    }

    public func addRoutes(to router: Router<ServiceRequestContext>) {
        let api = router.group("/api/v1/identity").add(middleware: AuthenticationMiddleware(tokens: tokens))
        BrandController(brands: brands).addRoutes(to: api)
        SessionController(sessions: sessions).addRoutes(to: api)
        OpenAPIController().addRoutes(to: api)
        MeController().addRoutes(to: api)
        InternalBrandController(brands: brands).addRoutes(to: router)
    }
}

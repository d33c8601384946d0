import Auth
import Contracts
import Database
import Foundation
import Hummingbird
import ServiceKit

/// The identity service's routes, storage and rules wired together; used by the executable and by tests.
public struct IdentityAPI: Sendable {
    public let brands: BrandRepository
    public let users: UserRepository
    public let sessions: SessionService
    public let tokens: TokenService
    public let hasher: PasswordHasher
    public let security: SecurityRepository
    public let roles: RoleRepository
    let sessionStore: SessionRepository
    let database: Database

    public init(database: Database, tokens: TokenService, hasher: PasswordHasher = PasswordHasher(), idleSignOutMinutes: Int = IdleSignOut.defaultMinutes) {
        self.brands = BrandRepository(database: database)
        self.users = UserRepository(database: database)
        self.tokens = tokens
        self.hasher = hasher
        self.database = database
        self.security = SecurityRepository(database: database)
        self.roles = RoleRepository(database: database)
        self.sessionStore = SessionRepository(database: database)
        self.sessions = SessionService(
            users: users, sessions: sessionStore, tokens: tokens, hasher: hasher, security: security, roles: roles,
            structure: StructureRepository(database: database), idleSignOutMinutes: idleSignOutMinutes)
    }

    public func addRoutes(to router: Router<ServiceRequestContext>) {
        let api = router.group("/api/v1/identity").add(middleware: AuthenticationMiddleware(tokens: tokens))
        BrandController(brands: brands).addRoutes(to: api)
        SessionController(sessions: sessions).addRoutes(to: api)
        OpenAPIDocument(resource: Bundle.module.url(forResource: "openapi", withExtension: "yaml")).addRoute(to: api)
        MeController().addRoutes(to: api)
        SecuritySettingsController(security: security).addRoutes(to: api)
        RoleController(roles: roles, users: users).addRoutes(to: api)
        ApiKeyController(keys: ApiKeyRepository(database: database), sessions: sessions, sessionStore: sessionStore).addRoutes(to: api)
        PasswordResetController(resets: PasswordResetService(database: database, security: security, hasher: hasher)).addRoutes(to: api)
        EmailVerificationController(verifications: EmailVerificationService(database: database), users: users).addRoutes(to: api)
        OrganizationController(organizations: OrganizationRepository(database: database)).addRoutes(to: api)
        StructureController(structure: StructureRepository(database: database), brands: brands, users: users).addRoutes(to: api)
        DepartmentController(
            structure: StructureRepository(database: database), brands: brands, roles: roles, peopleFields: PeopleFieldRepository(database: database)
        ).addRoutes(to: api)
        RegistrationController(
            registrations: RegistrationService(database: database, security: security, hasher: hasher),
            documents: SettingsDocuments(database: database, service: .identity), captcha: CaptchaCheck(tokens)
        ).addRoutes(to: api)
        UserController(database: database, users: users, hasher: hasher, security: security).addRoutes(to: api)
        PeopleFieldController(fields: PeopleFieldRepository(database: database)).addRoutes(to: api)
        CommentController(
            comments: CommentRepository(database: database), directory: UserDirectory(database: database),
            organizations: OrganizationRepository(database: database)
        ).addRoutes(to: api)
        BrandSettingsController(settings: BrandSettingsRepository(database: database), roles: roles).addRoutes(to: api)
        ManagementSettingsController(documents: SettingsDocuments(database: database, service: .identity), seal: tokens.seal).addRoutes(to: api)
        CaptchaController(documents: SettingsDocuments(database: database, service: .identity), captcha: tokens.captcha).addRoutes(to: api)
        ImageController(images: ImageStore(database: database), brands: brands, directory: UserDirectory(database: database), database: database).addRoutes(to: api)
        InternalBrandController(brands: brands).addRoutes(to: router)
    }
}

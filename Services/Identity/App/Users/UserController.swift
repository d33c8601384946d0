import Auth
import Contracts
import Database
import Foundation
import Hummingbird
import ServiceKit

extension UserDetails: ResponseEncodable {}

/// `POST /api/v1/identity/users`: roles and a forced password change are for an administrator to set.
public struct NewUser: Decodable, Sendable {
    public var email: String
    public var displayName: String?
    public var password: String
    public var roles: [String]?
    public var forcePasswordChange: Bool?
}

/// `PUT /api/v1/identity/me/password`.
public struct PasswordChange: Decodable, Sendable {
    public var currentPassword: String
    public var newPassword: String
}

/// Users under `/api/v1/identity/users`: read by the Users/Organizations permission (a portal user reads only
/// their own profile), edited by themselves or agents, deleted only with "Delete User/Organization".
public struct UserController: Sendable {
    let directory: UserDirectory
    let fields: PeopleFieldRepository
    let users: UserRepository
    let hasher: PasswordHasher
    let security: SecurityRepository
    let verifications: EmailVerificationService
    let roles: RoleRepository
    let editors: AccountEditors

    public init(database: Database, users: UserRepository, hasher: PasswordHasher, security: SecurityRepository) {
        self.directory = UserDirectory(database: database)
        self.fields = PeopleFieldRepository(database: database)
        self.users = users
        self.hasher = hasher
        self.security = security
        self.verifications = EmailVerificationService(database: database)
        self.roles = RoleRepository(database: database)
        self.editors = AccountEditors(roles: roles, brandSettings: BrandSettingsRepository(database: database))
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("users") { request, context in
            try Authorization.require(context.principal, .usersOrganizations, FeatureCatalog.view)
            let query = request.uri.queryParameters["query"].map(String.init)
            let role = request.uri.queryParameters["role"].map(String.init)
            let ids = try request.uri.queryParameters.ids("ids", limit: PageRequest.maximumLimit, of: "user")
            return try await directory.list(query: query, role: role, ids: ids, page: try PageRequest(request))
        }
        group.post("users") { request, context in
            let principal = try Authorization.requireSignedIn(context.principal)
            try Authorization.require(principal, .usersOrganizations, "Create User/Organization")
            let body = try await request.decodeJSON(NewUser.self, context: context)
            guard principal.isSystemAdministrator || (body.roles == nil && body.forcePasswordChange == nil) else {
                throw Problem.forbidden("Only an administrator assigns roles or forces a password change.")
            }
            let email = try RegistrationService.validateEmail(body.email)
            let roleNames = try RoleRules.validateAssignment(body.roles ?? [PredefinedRoles.registeredUser], known: try await roles.all().map(\.name))
            try PasswordPolicy.validate(body.password, username: email, settings: try await security.settings())
            let displayName = body.displayName?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty ?? String(email.prefix { $0 != "@" })
            let created = try await directory.create(
                email: email, displayName: String(displayName.prefix(100)), passwordHash: try await hasher.hash(body.password), roles: roleNames,
                forcePasswordChange: body.forcePasswordChange ?? false)
            return EditedResponse(
                status: .created, headers: [.eTag: created.etag, .location: "/api/v1/identity/users/\(created.id)"], response: created)
        }
        group.get("users/{id}") { _, context in
            let user = try await readable(context)
            return EditedResponse(headers: [.eTag: user.etag], response: user)
        }
        group.patch("users/{id}") { request, context in
            let principal = try Authorization.requireSignedIn(context.principal)
            let current = try await readable(context)
            let update = try await request.decodeJSON(UserUpdate.self, context: context)
            let editor = try await editors.editor(principal, of: current.id, brandID: context.brandID)
            let next = try UserProfileRules.apply(update, to: current, editor: editor, fields: try await fields.all())
            guard next != current else { return EditedResponse(headers: [.eTag: current.etag], response: current) }
            let saved = try await directory.save(next, expectedVersion: try IfMatch.version(request) ?? current.version)
            return EditedResponse(headers: [.eTag: saved.etag], response: saved)
        }
        group.delete("users/{id}") { _, context in
            let principal = try Authorization.requireSignedIn(context.principal)
            try Authorization.require(principal, .usersOrganizations, "Delete User/Organization")
            let user = try await existing(context)
            guard user.id != principal.userID else { throw Problem.conflict("You cannot delete your own account.") }
            try await editors.editor(principal, of: user.id, brandID: context.brandID).checkTargetIsNotAnotherEmployee()
            try await directory.delete(user)
            return Response(status: .noContent)
        }
        group.post("users/{id}/email-verifications") { request, context in
            try Authorization.require(context.principal, .usersOrganizations, "Edit User/Organization")
            let principal = try Authorization.requireSignedIn(context.principal)
            let user = try await existing(context)
            try await editors.editor(principal, of: user.id, brandID: context.brandID).checkTargetIsNotAnotherEmployee()
            guard let id = UUID(parsing: user.id), let record = try await users.find(id: id) else { throw Problem.notFound("No such user.") }
            try await verifications.resend(to: record, linkBase: PublicOrigin.of(request))
            return Response(status: .accepted)
        }
        group.put("me/password") { request, context in
            let principal = try Authorization.requireAccountHolder(context.principal)
            let change = try await request.decodeJSON(PasswordChange.self, context: context)
            guard let id = UUID(parsing: principal.userID), let user = try await users.find(id: id) else {
                throw Problem.unauthorized("The token names no user.")
            }
            try await editors.editor(principal, of: principal.userID, brandID: context.brandID).checkPasswordChange()
            guard try await hasher.verify(change.currentPassword, hash: user.passwordHash) else {
                throw Problem.unprocessable("The current password is wrong.", errors: [.init(field: "currentPassword", message: "is wrong")])
            }
            try PasswordPolicy.validate(change.newPassword, username: user.email, settings: try await security.settings())
            try await directory.setPassword(try await hasher.hash(change.newPassword), of: id, keepingSession: UUID(parsing: principal.sessionID))
            return Response(status: .noContent)
        }
    }

    /// The user of the path when the caller may read them: themselves, or with the Users/Organizations View permission.
    func readable(_ context: ServiceRequestContext) async throws -> UserDetails {
        let principal = try Authorization.requireSignedIn(context.principal)
        let id = try Self.userID(context)
        guard principal.userID == id.uuidString.lowercased() || Authorization.allows(principal, .usersOrganizations, FeatureCatalog.view) else {
            throw Problem.forbidden("You may read only your own profile.")
        }
        guard let user = try await directory.details(id) else { throw Problem.notFound("No such user.") }
        return user
    }

    func existing(_ context: ServiceRequestContext) async throws -> UserDetails {
        guard let user = try await directory.details(try Self.userID(context)) else { throw Problem.notFound("No such user.") }
        return user
    }

    static func userID(_ context: ServiceRequestContext) throws -> UUID {
        try context.uuidParameter("id", notFound: "No such user.")
    }
}

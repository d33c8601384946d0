import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension ApiKey: ResponseEncodable {}
extension CreatedApiKey: ResponseEncodable {}
extension AccessTokenOnly: ResponseEncodable {}
extension SessionRepository.Info: ResponseEncodable {}

/// API keys and the session list of the signed-in user.
public struct ApiKeyController: Sendable {
    let keys: ApiKeyRepository
    let sessions: SessionService
    let sessionStore: SessionRepository

    public init(keys: ApiKeyRepository, sessions: SessionService, sessionStore: SessionRepository) {
        self.keys = keys
        self.sessions = sessions
        self.sessionStore = sessionStore
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("api-keys") { request, context in
            let principal = try Authorization.requireAccountHolder(context.principal)
            let userID = try Self.userID(principal)
            let body = try await request.decodeJSON(CreateApiKeyRequest.self, context: context)
            let name = body.name.trimmingCharacters(in: .whitespaces)
            guard (1...100).contains(name.count) else {
                throw Problem.unprocessable("A key needs a name of 1 to 100 characters.", errors: [.init(field: "name", message: "1...100 characters")])
            }
            if let days = body.expiresInDays, !(1...3650).contains(days) {
                throw Problem.unprocessable("expiresInDays must be 1...3650.", errors: [.init(field: "expiresInDays", message: "1...3650")])
            }
            let scopes = try ApiKeyRules.validateScopes(body.permissions, within: principal.permissions)
            let created = try await keys.create(
                userID: userID, name: name, scopes: scopes, expiresAt: body.expiresInDays.map { Date().addingTimeInterval(Double($0) * 86400) })
            return EditedResponse(status: .created, headers: [.cacheControl: "no-store"], response: created)
        }
        group.get("api-keys") { _, context in
            Items(items: try await keys.list(userID: try Self.userID(try Authorization.requireAccountHolder(context.principal))))
        }
        group.delete("api-keys/{id}") { _, context in
            let userID = try Self.userID(try Authorization.requireAccountHolder(context.principal))
            let id = try context.uuidParameter("id", notFound: "No such API key.")
            try await keys.revoke(id, userID: userID)
            return Response(status: .noContent)
        }
        group.post("sessions/api-key") { request, context in
            let body = try await request.decodeJSON(ApiKeySignInRequest.self, context: context)
            return EditedResponse(status: .created, headers: [.cacheControl: "no-store"], response: try await sessions.signIn(apiKey: body.apiKey, keys: keys))
        }
        group.get("sessions") { _, context in
            let principal = try Authorization.requireAccountHolder(context.principal)
            return Items(items: try await sessionStore.live(userID: try Self.userID(principal), current: principal.sessionID))
        }
        group.delete("sessions/{id}") { _, context in
            let principal = try Authorization.requireAccountHolder(context.principal)
            guard let text = context.parameters.get("id"), let id = UUID(parsing: text),
                try await sessionStore.revoke(sessionID: id, userID: try Self.userID(principal))
            else { throw Problem.notFound("No such live session.") }
            return Response(status: .noContent)
        }
    }

    static func userID(_ principal: Principal) throws -> UUID {
        guard let id = UUID(parsing: principal.userID) else { throw Problem.unauthorized("The token names no user.") }
        return id
    }
}

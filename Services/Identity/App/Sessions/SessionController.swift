import Auth
import Hummingbird
import ServiceKit

extension SessionTokens: ResponseEncodable {}

/// Sign-in, refresh and sign-out under `/api/v1/identity/sessions`.
public struct SessionController: Sendable {
    let sessions: SessionService

    public init(sessions: SessionService) {
        self.sessions = sessions
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("sessions", use: signIn)
        group.post("sessions/refresh", use: refresh)
        group.delete("sessions/current", use: signOut)
    }

    @Sendable func signIn(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<SessionTokens> {
        let body = try await request.decodeJSON(SignInRequest.self, context: context)
        return EditedResponse(status: .created, headers: [.cacheControl: "no-store"], response: try await sessions.signIn(body, clientAddress: context.clientAddress ?? context.remoteAddress?.ipAddress))
    }

    @Sendable func refresh(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<SessionTokens> {
        let body = try await request.decodeJSON(RefreshRequest.self, context: context)
        return EditedResponse(status: .created, headers: [.cacheControl: "no-store"], response: try await sessions.refresh(body))
    }

    @Sendable func signOut(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try await sessions.signOut(try Authorization.requireSignedIn(context.principal), handOff: try request.queryFlag("handOff"))
        return Response(status: .noContent)
    }
}

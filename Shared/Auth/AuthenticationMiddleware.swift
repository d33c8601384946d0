import Hummingbird
import ServiceKit

/// Verifies a bearer token when one is sent and puts its principal on the context; routes decide whether
/// one is required. A bad token is a 401 even on public routes, so clients learn it expired.
public struct AuthenticationMiddleware<Context: ConciergeContext>: RouterMiddleware {
    let tokens: TokenService

    public init(tokens: TokenService) {
        self.tokens = tokens
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw Problem.unauthorized("Use 'Authorization: Bearer <access token>'.")
        }
        var context = context
        context.principal = try await tokens.verify(String(header.dropFirst(7)))
        return try await next(request, context)
    }
}

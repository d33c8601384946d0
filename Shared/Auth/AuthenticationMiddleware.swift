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
        guard Self.namesBearerToken(header) else {
            throw Problem.unauthorized("Use 'Authorization: Bearer <access token>'.")
        }
        var context = context
        context.principal = try await tokens.verify(String(header.dropFirst(7)))
        return try await next(request, context)
    }

    /// Whether the header is `Bearer ` (any case) and a token, read by bytes: counting a String's characters walks
    /// all of it, and every signed-in request comes through here.
    static func namesBearerToken(_ header: String) -> Bool {
        let scheme = "bearer ".utf8
        guard header.utf8.count > scheme.count else { return false }
        return zip(header.utf8, scheme).allSatisfy { byte, expected in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 == expected : byte == expected
        }
    }
}

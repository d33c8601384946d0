import Hummingbird
import ServiceKit

/// Drops the list pages this process keeps (``ViewPageCache``) when one of its requests that may change tickets
/// ends, before its answer goes out: whoever changed a ticket through this process reads every list afresh next,
/// without waiting for the notification of the change. Other processes' pages follow the notification.
struct ViewPagesAfterWrites<Context: ConciergeContext>: RouterMiddleware {
    let pages: ViewPageCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.mayChangeTickets(request.method, path: request.uri.path) else { return try await next(request, context) }
        defer { pages.dropAll() }
        return try await next(request, context)
    }

    /// Whether a request may change what a list page shows: every method but the safe ones, except the console's
    /// frequent writes that touch no ticket's row (a draft saved or discarded, a ticket opened, an upload).
    static func mayChangeTickets(_ method: HTTPRequest.Method, path: String) -> Bool {
        switch method {
        case .get, .head, .options: false
        case .put, .delete: !path.hasSuffix("/draft")
        case .post: !path.hasSuffix("/views") && path != "/api/v1/tickets/uploads"
        default: true
        }
    }
}

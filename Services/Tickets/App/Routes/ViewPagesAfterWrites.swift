import Hummingbird
import ServiceKit

/// Drops the list pages this process keeps (``ViewPageCache``) when one of its requests that may change tickets
/// ends, before its answer goes out: whoever changed a ticket through this process reads every list afresh next,
/// without waiting for the notification of the change. Other processes' pages follow the notification.
struct ViewPagesAfterWrites<Context: ConciergeContext>: RouterMiddleware {
    let pages: ViewPageCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard ![.get, .head, .options].contains(request.method) else { return try await next(request, context) }
        defer { pages.dropAll() }
        return try await next(request, context)
    }
}

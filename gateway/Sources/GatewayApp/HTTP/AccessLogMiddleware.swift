import Foundation
import Contracts
import Hummingbird
import Logging
import ServiceKit

/// Gives every request a fresh id (a client's own X-Request-Id is never trusted), then writes one access-log
/// line and records the request in the metrics, labelled by the service it went to.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = GatewayContext
    let metrics: HTTPMetrics

    public init(metrics: HTTPMetrics) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        let id = RequestIDMiddleware<GatewayContext>.make()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        let elapsed = ContinuousClock.now - start
        let route = Self.routeLabel(request.uri.path)
        metrics.record(method: request.method.rawValue, route: route, status: Int(response.status.code), duration: elapsed)
        context.logger.info(
            "access",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "host": .string(request.head.authority ?? ""), "status": .stringConvertible(response.status.code),
                "duration_ms": .stringConvertible(Self.milliseconds(elapsed)),
                "client": .string(context.clientAddress ?? ""),
            ])
        return response
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return (Double(seconds) * 1_000_000 + Double(attoseconds / 1_000_000_000_000)).rounded() / 1000
    }

    static func routeLabel(_ path: String) -> String {
        switch ServiceRoute.match(path: path) {
        case .service(let service): "/api/v1/\(service.rawValue)"
        case .unknownService: "/api/v1/unknown"
        case .notAPI: ["/health/live", "/health/ready", "/metrics"].contains(path) ? path : "other"
        }
    }
}

import Contracts
import Hummingbird
import ServiceKit

/// The gateway's own routes (health, metrics) are for operators, who reach the gateway by an address of its own (the
/// probes' pod address, 127.0.0.1): asked through a brand's hostname, they answer 404 as any unknown page would, so
/// customers see neither the fleet's metrics nor its readiness.
public struct OperatorHostsMiddleware: RouterMiddleware {
    public typealias Context = GatewayContext
    let directory: BrandDirectory

    public init(directory: BrandDirectory) {
        self.directory = directory
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let host = HostHeader.hostname(request.head.authority), directory.brand(forHostname: host) != nil {
            throw Problem.notFound("No such page.")
        }
        return try await next(request, context)
    }
}

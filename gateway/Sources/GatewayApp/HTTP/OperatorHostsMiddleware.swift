import Contracts
import Hummingbird
import ServiceKit

/// The gateway's own routes (health, metrics) are for operators, who reach the gateway by an address of its own (the
/// probes' pod address, 127.0.0.1, `localhost`, or a name listed in `CONCIERGE_GATEWAY_OPERATOR_HOSTS`): any other
/// host, a brand's above all, gets the 404 any unknown page would, so customers see neither the fleet's metrics nor
/// its readiness by naming a made-up host.
public struct OperatorHostsMiddleware: RouterMiddleware {
    public typealias Context = GatewayContext
    let directory: BrandDirectory
    let operatorHosts: Set<String>

    public init(directory: BrandDirectory, operatorHosts: [String] = []) {
        self.directory = directory
        self.operatorHosts = Set(operatorHosts.map { $0.lowercased() })
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isOperatorHost(request.head.authority, directory: directory, operatorHosts: operatorHosts) else {
            throw Problem.notFound("No such page.")
        }
        return try await next(request, context)
    }

    /// An address rather than a name (IPv4, a bracketed IPv6, none at all), `localhost`, or a listed operator name;
    /// never a brand's hostname.
    static func isOperatorHost(_ header: String?, directory: BrandDirectory, operatorHosts: Set<String>) -> Bool {
        guard let header, !header.isEmpty else { return true }
        if header.hasPrefix("[") { return true }
        guard let host = HostHeader.hostname(header), directory.brand(forHostname: host) == nil else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let isIPv4 = labels.count == 4 && labels.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }
        return isIPv4 || host == "localhost" || operatorHosts.contains(host)
    }
}

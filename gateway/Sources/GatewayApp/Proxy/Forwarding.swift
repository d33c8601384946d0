import Contracts
import Logging
import NIOCore
import ServiceKit

/// What the proxy handlers of all client connections share: the brands, each service's instances in turn, the
/// upstream connections, the limits, the access log and the metrics.
public struct Forwarding: Sendable {
    let directory: BrandDirectory
    let instances: [ServiceName: RoundRobin<UpstreamAddress>]
    let services: Set<ServiceName>
    let connections: UpstreamConnectionPool
    let timeout: TimeAmount
    /// The timeout as a 504's detail names it ("30.0 seconds").
    let timeoutText: String
    let maximumBody: Int
    let publicScheme: String
    let clientTimeouts: ClientTimeouts
    let metrics: HTTPMetrics
    let logger: Logger

    public init(
        directory: BrandDirectory, upstreams: [ServiceName: [UpstreamAddress]], connections: UpstreamConnectionPool, timeout: Duration,
        maximumBody: Int, publicScheme: String, clientTimeouts: ClientTimeouts, metrics: HTTPMetrics, logger: Logger
    ) {
        self.directory = directory
        let addresses = upstreams.filter { !$0.value.isEmpty }
        self.instances = addresses.mapValues(RoundRobin.init(instances:))
        self.services = Set(addresses.keys)
        self.connections = connections
        self.timeout = TimeAmount(timeout)
        self.timeoutText = "\(timeout)"
        self.maximumBody = maximumBody
        self.publicScheme = publicScheme
        self.clientTimeouts = clientTimeouts
        self.metrics = metrics
        self.logger = logger
    }

    /// A handler for one client connection's pipeline.
    public func makeHandler() -> ProxyHandler { ProxyHandler(forwarding: self) }
}

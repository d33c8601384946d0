import AsyncHTTPClient
import Contracts
import GatewayApp
import Hummingbird
import Logging
import ServiceLifecycle
import TestSupport

/// Runs a gateway in the test process in front of one upstream application serving `service`, with the brand
/// "Local" at 127.0.0.1, calls `body` with the gateway's port once both listen, then shuts both down.
/// `deadInstances` are ports nobody listens on, listed as instances of `service` before the live one; `environment`
/// adds gateway settings.
func withGateway(
    for service: ServiceName, upstream: (_ port: Int) -> some Service, deadInstances: [Int] = [],
    environment: [String: String] = [:], _ body: (_ gatewayPort: Int, Logger) async throws -> Void
) async throws {
    let upstreamPort = FreePort.next()
    let gatewayPort = FreePort.next()
    let instances = (deadInstances + [upstreamPort]).map { "http://127.0.0.1:\($0)" }.joined(separator: ",")
    let configuration = try GatewayConfiguration.fromEnvironment(environment.merging([
        "CONCIERGE_HTTP_PORT": "\(gatewayPort)", service.environmentPrefix + "URLS": instances,
        "CONCIERGE_KAFKA_BROKERS": "127.0.0.1:1",
    ]) { _, fixed in fixed })
    let logger = Logger(label: "gateway-test")
    let gateway = GatewayApplication(configuration: configuration, logger: logger)
    gateway.directory.apply(BrandSnapshot(id: "brand-1", name: "Local", hostnames: ["127.0.0.1"], version: 1))
    let group = ServiceGroup(services: [upstream(upstreamPort), gateway.makeApplication()], logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        while !FreePort.isOpen(gatewayPort) || !FreePort.isOpen(upstreamPort) { try await Task.sleep(for: .milliseconds(20)) }
        try await body(gatewayPort, logger)
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
    try await gateway.client.shutdown()
}

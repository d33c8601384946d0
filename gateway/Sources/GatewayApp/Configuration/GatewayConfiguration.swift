import Contracts
import EventBus
import Foundation
import NIOCore
import ServiceKit

/// The gateway's settings, from `CONCIERGE_*` variables (see README.md).
public struct GatewayConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var upstreams: [ServiceName: [UpstreamAddress]]
    public var upstreamTimeout: Duration
    public var maximumRequestBody: Int
    /// How long a client connection may wait between requests, and a request's body between parts (``ClientTimeouts``).
    public var clientTimeouts: ClientTimeouts
    /// How people reach the gateway (`https` behind a TLS terminator), forwarded as `X-Forwarded-Proto` for links.
    public var publicScheme: String
    /// Tasks and requests run on NIO's event loops (`CONCIERGE_RUN_ON_EVENT_LOOPS`, ``EventLoopThreading``).
    public var onEventLoops: Bool
    public var kafka: KafkaConfiguration
    public var logLevel: String
    public var instance: String
    /// Host names (beyond addresses and `localhost`) by which operators reach the gateway's health and metrics.
    public var operatorHosts: [String] = []

    public static func fromEnvironment(_ values: [String: String] = ProcessInfo.processInfo.environment) throws -> GatewayConfiguration {
        let environment = EnvironmentReader(values)
        var upstreams: [ServiceName: [UpstreamAddress]] = [:]
        for service in ServiceName.allCases {
            let port = try environment.int(service.environmentPrefix + "PORT", default: service.defaultPort)
            upstreams[service] = try environment.list(service.environmentPrefix + "URLS", default: ["http://127.0.0.1:\(port)"]).map { url in
                guard let address = UpstreamAddress(url: url) else {
                    throw ConfigurationError(variable: service.environmentPrefix + "URLS", value: url, expected: "http://host:port, comma-separated")
                }
                return address.withLocalSocket(in: environment.values[LocalSocket.directoryVariable])
            }
        }
        let port = try environment.int("CONCIERGE_HTTP_PORT", default: 8080)
        let scheme = environment.string("CONCIERGE_PUBLIC_SCHEME", default: "http")
        guard ["http", "https"].contains(scheme) else {
            throw ConfigurationError(variable: "CONCIERGE_PUBLIC_SCHEME", value: scheme, expected: "http or https")
        }
        var configuration = GatewayConfiguration(
            host: environment.string("CONCIERGE_HTTP_HOST", default: "127.0.0.1"),
            port: port,
            upstreams: upstreams,
            upstreamTimeout: .milliseconds(try environment.int("CONCIERGE_GATEWAY_UPSTREAM_TIMEOUT_MS", default: 30_000)),
            maximumRequestBody: try environment.int("CONCIERGE_GATEWAY_MAX_BODY_BYTES", default: 16 << 20),
            clientTimeouts: ClientTimeouts(
                idle: .milliseconds(Int64(try environment.int("CONCIERGE_GATEWAY_IDLE_TIMEOUT_MS", default: 75_000))),
                requestRead: .milliseconds(Int64(try environment.int("CONCIERGE_GATEWAY_REQUEST_READ_TIMEOUT_MS", default: 30_000)))),
            publicScheme: scheme,
            onEventLoops: try EventLoopThreading.enabled(environment),
            kafka: KafkaConfiguration.fromEnvironment(values),
            logLevel: environment.string("CONCIERGE_LOG_LEVEL", default: "info"),
            instance: environment.string("CONCIERGE_INSTANCE", default: "gateway-\(port)"))
        configuration.operatorHosts = environment.list("CONCIERGE_GATEWAY_OPERATOR_HOSTS", default: [])
        return configuration
    }
}

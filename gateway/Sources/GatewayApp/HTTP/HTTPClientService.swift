import AsyncHTTPClient
import ServiceLifecycle

/// Owns the gateway's clients: once the HTTP server stopped, closes the idle upstream connections and shuts the
/// HTTP client down.
struct HTTPClientService: Service {
    let client: HTTPClient
    let connections: UpstreamConnectionPool

    func run() async throws {
        try? await gracefulShutdown()
        connections.closeAll()
        try await client.shutdown()
    }
}

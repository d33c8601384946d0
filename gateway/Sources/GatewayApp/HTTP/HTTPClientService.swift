import AsyncHTTPClient
import ServiceLifecycle

/// Owns the gateway's upstream client and shuts it down after the HTTP server stopped.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}

import Contracts

/// A service whose features are not built yet: it owns its schema and topic and answers health and metrics.
public enum PlaceholderService {
    public static func main(_ service: ServiceName) async throws {
        let runtime = try FleetRuntime(service: service)
        try await runtime.run(router: runtime.makeRouter(), migrations: [], topics: [service.eventsTopic])
    }
}

import Contracts

/// `/api/v1/<service>/…` → the service that owns the path, or nil for a path outside the API.
public enum ServiceRoute {
    public enum Match: Equatable {
        case service(ServiceName)
        case unknownService(String)
        case notAPI
    }

    public static func match(path: String) -> Match {
        let prefix = "/api/v1/"
        guard path.hasPrefix(prefix) else { return .notAPI }
        let rest = path.dropFirst(prefix.count)
        let name = rest.prefix { $0 != "/" && $0 != "?" }
        guard let service = ServiceName(rawValue: String(name)) else { return .unknownService(String(name)) }
        return .service(service)
    }
}

import Contracts

/// `/api/v1/<service>/…` → the service that owns the path; the public pages a service renders itself (the
/// knowledge base's `/kb/…` and `/news/…`) → that service; anything else is not routed.
public enum ServiceRoute {
    /// Server-rendered public pages, by path prefix.
    static let pages: [(prefix: String, service: ServiceName)] = [("/kb/", .knowledge), ("/news/", .knowledge)]

    public enum Match: Equatable {
        case service(ServiceName)
        case unknownService(String)
        case notAPI
    }

    public static func match(path: String) -> Match {
        if let page = pages.first(where: { path.hasPrefix($0.prefix) }) { return .service(page.service) }
        let prefix = "/api/v1/"
        guard path.hasPrefix(prefix) else { return .notAPI }
        let rest = path.dropFirst(prefix.count)
        let name = rest.prefix { $0 != "/" && $0 != "?" }
        guard let service = ServiceName(rawValue: String(name)) else { return .unknownService(String(name)) }
        return .service(service)
    }
}

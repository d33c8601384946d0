import Foundation
import PostgresNIO
import ServiceKit

/// `postgres://user:password@host:port/database` → a pooled client configuration: plain TCP, or, as libpq reads
/// `?host=/directory`, the server's Unix-domain socket in that directory (`.s.PGSQL.<port>`), for a service on the
/// database's machine.
public enum DatabaseURL {
    /// `minimumConnections` stay open for good; `keepAlive` pings an idle connection that often (nil: never).
    ///
    /// postgres-nio starts a timer task each time a connection goes back to the pool: one to ping it after the
    /// keep-alive period, and one to close it after the idle timeout unless it is one of the minimum connections. With
    /// a query or two per request those timers (a task, a sleep on Dispatch, a cancellation) cost the tickets process
    /// more CPU than decoding a page; services therefore keep all their connections and ping none by default.
    public static func configuration(
        _ text: String, maximumConnections: Int, minimumConnections: Int = 0, keepAlive: Duration? = nil
    ) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let user = components.user,
            let endpoint = endpoint(host: components.host, socketDirectory: components.queryItems?.first(where: { $0.name == "host" })?.value)
        else {
            throw ConfigurationError(
                variable: "CONCIERGE_DATABASE_URL", value: text,
                expected: "postgres://user:password@host:port/database or postgres://user:password@:port/database?host=/socket/directory")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let port = components.port ?? 5432
        var configuration =
            switch endpoint {
            case .tcp(let host):
                PostgresClient.Configuration(
                    host: host, port: port, username: user, password: components.password, database: database.isEmpty ? nil : database,
                    tls: .disable)
            case .socket(let directory):
                PostgresClient.Configuration(
                    unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: user, password: components.password,
                    database: database.isEmpty ? nil : database)
            }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = max(0, min(minimumConnections, maximumConnections))
        configuration.options.keepAliveBehavior = keepAlive.map { PostgresClient.Configuration.Options.KeepAliveBehavior(frequency: $0) }
        configuration.options.connectTimeout = .seconds(5)
        // The fleet prepares a statement only to skip planning it (a list page's planning cost more than running it),
        // so a prepared statement always runs its generic plan. This holds for every query with parameters: postgres-nio
        // sends them as the unnamed statement, which PostgreSQL plans by the same setting, so a query is planned
        // without its values. Write queries whose generic plan is right: `id = ANY(ARRAY(SELECT … LIMIT $2))` rather
        // than `id IN (SELECT … LIMIT $2)`, `id > coalesce($1, …)` (``KeysetCursor/uuidAfter(_:)``) rather than
        // `$1 IS NULL OR id > $1`. With PostgreSQL's default instead, view pages and searches on the bench stack were
        // 12-20 % slower in alternating runs: the prepared statements kept being planned.
        //
        // JIT compilation is off: the fleet's statements are short, and a plan costly enough to pass `jit_above_cost`
        // (a search over every ticket) spent 234 ms compiling on the bench stack before a 1.4 s scan.
        configuration.options.additionalStartupParameters = [("plan_cache_mode", "force_generic_plan"), ("jit", "off")]
        return configuration
    }

    private enum Endpoint { case tcp(String), socket(String) }

    /// The socket directory when the URL names an absolute one, else the host; nil when it names neither.
    private static func endpoint(host: String?, socketDirectory: String?) -> Endpoint? {
        if let socketDirectory, socketDirectory.hasPrefix("/") { return .socket(socketDirectory) }
        guard socketDirectory == nil, let host, !host.isEmpty else { return nil }
        return .tcp(host)
    }
}

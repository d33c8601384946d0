import Foundation
import PostgresNIO
import ServiceKit

/// `postgres://user:password@host:port/database` → a pooled client configuration (plain TCP on loopback).
public enum DatabaseURL {
    public static func configuration(_ text: String, maximumConnections: Int) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, let user = components.user
        else {
            throw ConfigurationError(variable: "CONCIERGE_DATABASE_URL", value: text, expected: "postgres://user:password@host:port/database")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: database.isEmpty ? nil : database, tls: .disable)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        // The fleet prepares a statement only to skip planning it (a list page's planning cost more than running it),
        // so a prepared statement always runs its generic plan; one-off queries are planned for their values as before.
        configuration.options.additionalStartupParameters = [("plan_cache_mode", "force_generic_plan")]
        return configuration
    }
}

import Contracts
import Database
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Opens the installation's database for one command and closes it afterwards.
enum CommandDatabase {
    static func logger() -> Logger {
        LoggingBootstrap.bootstrap(service: "concierge", level: ProcessInfo.processInfo.environment["CONCIERGE_LOG_LEVEL"] ?? "warning")
        return Logger(label: "concierge")
    }

    static func with<T: Sendable>(
        _ service: ServiceName, _ body: @escaping @Sendable (Database) async throws -> T
    ) async throws -> T {
        let environment = EnvironmentReader(ProcessInfo.processInfo.environment)
        let url = environment.string("CONCIERGE_DATABASE_URL", default: ServiceConfiguration.defaultDatabaseURL)
        let logger = logger()
        let client = PostgresClient(configuration: try DatabaseURL.configuration(url, maximumConnections: 4), backgroundLogger: logger)
        let database = try Database(client: client, schema: service.schema, logger: logger)
        return try await client.whileRunning { try await withDeadline(.seconds(600)) { try await body(database) } }
    }
}

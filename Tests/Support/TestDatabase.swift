import Database
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Synchronization

/// A fresh database on the test cluster per suite or fleet, so tests never see each other's rows.
public enum TestDatabase {
    public static let logger = Logger(label: "test")
    /// Every suite starts at once; a few creations at a time keep the cluster answering new connections on a slow
    /// machine, where ~140 simultaneous ones (each copying a template and then migrating) ran past their deadline.
    private static let creations = TurnGate(width: 4)
    /// Set when a creation ran out of time: the cluster is down or stuck, so the suites still waiting fail at once
    /// instead of each waiting out its own deadline in turn.
    private static let unreachable = Mutex<TestSetupError?>(nil)

    /// Creates `concierge_test_<random>` and returns its URL.
    public static func create() async throws -> String {
        guard let base = TestEnvironment.databaseURL else { throw TestSetupError("CONCIERGE_TEST_DATABASE_URL is not set") }
        let name = "concierge_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try await creations.pass {
            if let failure = unreachable.withLock({ $0 }) { throw failure }
            do {
                // A pool aimed at a server that is not up retries forever instead of failing (postgres-nio #565).
                try await withClient(url: base) { client in
                    try await withDeadline(.seconds(60)) {
                        try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger).consume()
                    }
                }
            } catch let error as DeadlineExceeded {
                unreachable.withLock { $0 = TestSetupError("the test cluster did not create a database within \(error.limit)") }
                throw error
            }
        }
        guard let url = TestEnvironment.databaseURL(named: String(name)) else { throw TestSetupError("bad test database URL") }
        return url
    }

    /// Runs `body` with a running pooled client on `url`.
    public static func withClient<T: Sendable>(url: String, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try DatabaseURL.configuration(url, maximumConnections: 8), backgroundLogger: logger)
        return try await client.whileRunning { try await body(client) }
    }

    /// A fresh database with `schema`'s handle on it.
    public static func withFreshSchema<T: Sendable>(_ schema: String, _ body: @Sendable (Database) async throws -> T) async throws -> T {
        let url = try await create()
        return try await withClient(url: url) { client in
            try await body(try Database(client: client, schema: schema, logger: logger))
        }
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

import Database
import PostgresNIO

extension Database {
    /// Runs each statement in turn, without parameters: a test's setup of rows and statistics.
    public func run(_ statements: [String]) async throws {
        for sql in statements { try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).consume() }
    }
}

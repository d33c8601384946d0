import Logging
import PostgresNIO

extension PostgresConnection {
    /// The first column of the query's first row, nil when it answers no row: an `EXISTS`, a flag, an `INSERT …
    /// RETURNING` that may insert nothing.
    public func firstValue<Value: PostgresDecodable>(_ query: PostgresQuery, as type: Value.Type, logger: Logger) async throws -> Value? {
        for try await value in try await self.query(query, logger: logger).decode(Value.self) { return value }
        return nil
    }
}

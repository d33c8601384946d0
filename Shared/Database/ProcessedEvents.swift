import Foundation
import PostgresNIO

/// The ledger that makes a consumer idempotent: its effect and the event id commit together, so a redelivered
/// event finds its id and is skipped.
public struct ProcessedEvents: Sendable {
    public let database: Database
    public let consumer: String

    public init(database: Database, consumer: String) {
        self.database = database
        self.consumer = consumer
    }

    /// Records the event id inside the caller's transaction; false when it was already processed.
    public func recordIfNew(_ eventID: UUID, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(consumer)
        binds.append(eventID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("processed_events")) (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id", binds: binds),
            logger: database.logger)
        var inserted = false
        for try await _ in rows { inserted = true }
        return inserted
    }
}

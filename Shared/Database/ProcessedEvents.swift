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

    /// Forgets up to `limit` event ids, of every consumer, processed before `cutoff`, oldest first; how many it forgot
    /// (a full batch means there may be more). An event redelivered after its id is forgotten is applied again, so
    /// the cutoff must stay behind what can be redelivered: the outbox's retention (what `concierge replay` publishes
    /// again, checked at start-up) and what the broker still holds for a consumer that lost its offsets (the Tansu
    /// broker `make` starts keeps its log in memory, so no more than what a replay published).
    @discardableResult
    public static func purge(_ database: Database, olderThan cutoff: Date, limit: Int = 5_000) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(cutoff)
        binds.append(limit)
        return try await database.changedRows(purgeSQL(database), binds)
    }

    /// Up to `$2` ids processed before `$1`, read into an array first so that the generic plan (``DatabaseURL``)
    /// deletes its batch by the age index instead of joining the whole ledger; rows another instance's purge holds are
    /// skipped, so two instances purge apart.
    static func purgeSQL(_ database: Database) -> String {
        let ledger = database.table("processed_events")
        return """
            DELETE FROM \(ledger) WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM \(ledger) WHERE processed_at < $1 ORDER BY processed_at LIMIT $2 FOR UPDATE SKIP LOCKED))
            RETURNING event_id
            """
    }
}

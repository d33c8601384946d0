import Database
import Foundation
import PostgresNIO

extension TicketStore {
    /// Purges a batch of raw emails past the retention (``RawContentRetention``): those of messages older than its days,
    /// then the oldest beyond its number of files or its megabytes, newest kept first. A source that kept nothing else
    /// goes; one that kept the sender's HTML keeps it. Answers how many went. Two instances may pick the same batch:
    /// the second finds it gone and changes nothing.
    public func purgeRawContent(now: Date = Date(), limit: Int = 500) async throws -> Int {
        let retention = try await rawContentRetention()
        var binds = PostgresBindings()
        binds.append(retention.cutoff(now: now))
        binds.append(retention.files)
        binds.append(retention.bytes)
        binds.append(limit)
        let sources = database.table("message_sources")
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                WITH raw AS (
                    SELECT s.message_id, m.created_at,
                        row_number() OVER newest AS n, sum(octet_length(s.raw_content)) OVER newest AS total
                    FROM \(sources) s JOIN \(database.table("messages")) m ON m.id = s.message_id
                    WHERE s.raw_content IS NOT NULL
                    WINDOW newest AS (ORDER BY m.created_at DESC, s.message_id DESC)),
                due AS (SELECT message_id FROM raw WHERE created_at < $1 OR n > $2 OR total > $3 LIMIT $4),
                gone AS (
                    DELETE FROM \(sources) s USING due WHERE s.message_id = due.message_id AND s.original_html IS NULL
                    AND s.raw_content IS NOT NULL RETURNING 1),
                cleared AS (
                    UPDATE \(sources) s SET raw_content = NULL FROM due WHERE s.message_id = due.message_id AND s.original_html IS NOT NULL
                    AND s.raw_content IS NOT NULL RETURNING 1)
                SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM cleared)
                """, binds: binds), logger: database.logger)
        for try await purged in rows.decode(Int.self) { return purged }
        return 0
    }
}

import Contracts
@testable import Database
import Foundation
import PostgresNIO
import Testing
import TestSupport

/// How the relay claims pending events out of an outbox that keeps every event ever published.
@Suite("Outbox claim", .serialized, .enabled(if: TestEnvironment.hasDatabase), .timeLimit(.minutes(2)))
struct OutboxClaimTests {
    @Test("After a backlog the claim still reads the pending events, not the whole outbox")
    func claimAfterBacklogReadsOnlyPendingEvents() async throws {
        try await TestDatabase.withFreshSchema("outbox_claim") { database in
            try await MigrationRunner(database: database, migrations: []).run()
            let outbox = database.table("outbox"), pending = database.table("outbox_pending")
            for sql in [
                """
                INSERT INTO \(outbox) (event_id, topic, message_key, payload)
                SELECT gen_random_uuid(), 'notes.events', 'note-' || n % 7, convert_to('{}', 'UTF8') FROM generate_series(1, 100000) n
                """,
                "INSERT INTO \(pending) (id) SELECT id FROM \(outbox)",
                "ANALYZE \(outbox)",
                "ANALYZE \(pending)",
                "DELETE FROM \(pending) WHERE id <= (SELECT max(id) - 10 FROM \(outbox))",
            ] {
                try await database.client.query(PostgresQuery(unsafeSQL: sql), logger: database.logger).consume()
            }
            let store = OutboxStore(database: database)
            var binds = PostgresBindings()
            binds.append(500)
            let rows = try await database.client.query(
                PostgresQuery(unsafeSQL: "EXPLAIN (ANALYZE, FORMAT JSON) \(store.claimSQL)", binds: binds), logger: database.logger)
            var plan = ""
            for try await text in rows.decode(String.self) { plan += text }
            let outboxRows = try Self.rowsRead(from: "outbox", in: plan)
            #expect(outboxRows <= 10, "the claim read \(outboxRows) outbox rows for 10 pending events")
            let claimed = try await database.transaction { connection in try await store.claimUnpublished(limit: 500, on: connection) }
            #expect(claimed.count == 10)
        }
    }

    /// The rows every node scanning `relation` returned, over all its loops, in an `EXPLAIN (ANALYZE, FORMAT JSON)`.
    static func rowsRead(from relation: String, in plan: String) throws -> Int {
        func walk(_ node: [String: Any]) -> Int {
            var total = 0
            if node["Relation Name"] as? String == relation {
                total += (node["Actual Rows"] as? Int ?? 0) * (node["Actual Loops"] as? Int ?? 1)
            }
            for child in node["Plans"] as? [[String: Any]] ?? [] { total += walk(child) }
            return total
        }
        let explained = try JSONSerialization.jsonObject(with: Data(plan.utf8)) as? [[String: Any]]
        let root = try #require(explained?.first?["Plan"] as? [String: Any])
        return walk(root)
    }
}

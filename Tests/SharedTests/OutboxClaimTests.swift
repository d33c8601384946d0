import Contracts
@testable import Database
import Foundation
import PostgresNIO
import Testing
import TestSupport

/// How the relay claims pending events out of an outbox that keeps every event ever published.
@Suite("Outbox claim", .serialized, .enabled(if: TestEnvironment.hasDatabase), .timeLimit(.minutes(2)))
struct OutboxClaimTests {
    /// A fresh migrated schema, with its outbox and pending tables' names.
    static func withOutbox(_ schema: String, _ body: @escaping @Sendable (Database, String, String) async throws -> Void) async throws {
        try await TestDatabase.withFreshSchema(schema) { database in
            try await MigrationRunner(database: database, migrations: []).run()
            try await body(database, database.table("outbox"), database.table("outbox_pending"))
        }
    }

    @Test("After a backlog the claim still reads the pending events, not the whole outbox")
    func claimAfterBacklogReadsOnlyPendingEvents() async throws {
        try await Self.withOutbox("outbox_claim") { database, outbox, pending in
            try await database.run([
                """
                INSERT INTO \(outbox) (event_id, topic, message_key, payload)
                SELECT gen_random_uuid(), 'notes.events', 'note-' || n % 7, convert_to('{}', 'UTF8') FROM generate_series(1, 100000) n
                """,
                "INSERT INTO \(pending) (id) SELECT id FROM \(outbox)",
                "ANALYZE \(outbox)",
                "ANALYZE \(pending)",
                "DELETE FROM \(pending) WHERE id <= (SELECT max(id) - 10 FROM \(outbox))",
            ])
            let store = OutboxStore(database: database)
            let outboxRows = try await QueryPlan.explain(store.claimSQL, values: ["500"], on: database).rowsRead(from: "outbox")
            #expect(outboxRows <= 10, "the claim read \(outboxRows) outbox rows for 10 pending events")
            let claimed = try await database.transaction { connection in try await store.claimUnpublished(limit: 500, on: connection) }
            #expect(claimed.count == 10)
        }
    }

    @Test("Pending ids whose events are gone are forgotten, and the events behind them are still claimed")
    func pendingIdsWithoutEventsAreForgotten() async throws {
        try await Self.withOutbox("outbox_orphans") { database, outbox, pending in
            try await database.run([
                "INSERT INTO \(pending) (id) SELECT -n FROM generate_series(1, 600) n",
                """
                INSERT INTO \(outbox) (event_id, topic, message_key, payload)
                SELECT gen_random_uuid(), 'notes.events', 'note', convert_to('{}', 'UTF8') FROM generate_series(1, 10)
                """,
                "INSERT INTO \(pending) (id) SELECT id FROM \(outbox)",
            ])
            let store = OutboxStore(database: database)
            let claimed = try await database.transaction { connection in try await store.claimUnpublished(limit: 500, on: connection) }
            #expect(claimed.count == 10, "600 pending ids without events come first and fill a claim of 500")
            #expect(try await store.unpublishedCount() == 10, "the ids without events are forgotten")
        }
    }

    @Test("A purge batch of old published events reads that batch, not the whole outbox")
    func purgeReadsItsBatch() async throws {
        try await Self.withOutbox("outbox_purge") { database, outbox, _ in
            try await database.run([
                """
                INSERT INTO \(outbox) (event_id, topic, message_key, payload, created_at)
                SELECT gen_random_uuid(), 'notes.events', 'note-' || n % 7, convert_to('{}', 'UTF8'), now() - interval '30 days'
                FROM generate_series(1, 100000) n
                """,
                "ANALYZE \(outbox)",
            ])
            let store = OutboxStore(database: database)
            let outboxRows = try await QueryPlan.explain(store.purgeSQL, values: ["now() - interval '1 day'", "500"], on: database)
                .rowsRead(from: "outbox")
            #expect(outboxRows <= 5_000, "a batch of 500 read \(outboxRows) outbox rows")
            #expect(try await store.purgePublished(olderThan: Date().addingTimeInterval(-86_400), limit: 500) == 500)
        }
    }
}

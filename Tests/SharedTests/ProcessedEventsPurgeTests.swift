import Contracts
@testable import Database
import Foundation
import PostgresNIO
import Testing
import TestSupport

/// Consumers' ledgers of processed events are forgotten after their retention, a bounded batch at a time.
@Suite("Processed events purge", .serialized, .enabled(if: TestEnvironment.hasDatabase), .timeLimit(.minutes(2)))
struct ProcessedEventsPurgeTests {
    static func withLedger(_ schema: String, _ body: @escaping @Sendable (Database, String) async throws -> Void) async throws {
        try await TestDatabase.withFreshSchema(schema) { database in
            try await MigrationRunner(database: database, migrations: []).run()
            try await body(database, database.table("processed_events"))
        }
    }

    @Test("Ids processed before the cutoff are forgotten, for every consumer, a batch at a time; later ones are kept")
    func forgetsOldIds() async throws {
        try await Self.withLedger("ledger_purge") { database, ledger in
            let old = (0..<5).map { _ in UUID() }, recent = UUID()
            for (consumer, id) in old.enumerated().map({ ($0.offset % 2 == 0 ? "tickets" : "reports", $0.element) }) + [("tickets", recent)] {
                let recorded = try await database.transaction { try await ProcessedEvents(database: database, consumer: consumer).recordIfNew(id, on: $0) }
                #expect(recorded)
            }
            // old[0] is the oldest, old[4] the youngest of the old.
            try await database.run(old.enumerated().map { index, id in
                "UPDATE \(ledger) SET processed_at = now() - interval '1 day' * (44 - \(index)) WHERE event_id = '\(id.lowercased)'"
            })
            let cutoff = Date().addingTimeInterval(-30 * 86_400)
            #expect(try await ProcessedEvents.purge(database, olderThan: cutoff, limit: 2) == 2)
            var left: [UUID] = []
            for try await id in try await database.client.query(PostgresQuery(unsafeSQL: "SELECT event_id FROM \(ledger)")).decode(UUID.self) { left.append(id) }
            #expect(Set(left) == Set(old.suffix(3) + [recent]), "the oldest go first")
            #expect(try await ProcessedEvents.purge(database, olderThan: cutoff, limit: 2) == 2)
            #expect(try await ProcessedEvents.purge(database, olderThan: cutoff, limit: 2) == 1)
            #expect(try await ProcessedEvents.purge(database, olderThan: cutoff, limit: 2) == 0)
            let ledgerOfTickets = ProcessedEvents(database: database, consumer: "tickets")
            #expect(try await database.transaction { try await ledgerOfTickets.recordIfNew(recent, on: $0) } == false, "a recent id is still known")
            #expect(try await database.transaction { try await ledgerOfTickets.recordIfNew(old[0], on: $0) }, "a forgotten id is new again")
        }
    }

    @Test("A purge batch reads the ids it forgets, not the whole ledger")
    func purgeReadsItsBatch() async throws {
        try await Self.withLedger("ledger_purge_plan") { database, ledger in
            try await database.run([
                "INSERT INTO \(ledger) (consumer, event_id, processed_at) SELECT 'tickets', gen_random_uuid(), now() - n * interval '1 second' FROM generate_series(1, 20000) n",
                "UPDATE \(ledger) SET processed_at = processed_at - interval '60 days' WHERE event_id IN (SELECT event_id FROM \(ledger) LIMIT 10)",
                "ANALYZE \(ledger)",
            ])
            let plan = try await QueryPlan.explain(ProcessedEvents.purgeSQL(database), values: ["now() - interval '30 days'", "5000"], on: database)
            let read = try plan.rowsRead(from: "processed_events")
            #expect(read <= 30, "the purge of 10 ids read \(read) ledger rows")
        }
    }
}

import Database
import Foundation
import PostgresNIO
import Testing
import TestSupport

@testable import TicketsApp

/// The timers' and the index rebuild's statements over many tickets, with the generic plans every service query gets
/// (``DatabaseURL``): each reads what it claims, not the whole table.
@Suite("Generic plans over many tickets", .serialized, .enabled(if: TestEnvironment.hasDatabase), .timeLimit(.minutes(3)))
struct GenericPlanTests {
    /// One ticket submitted through the API, then `copies` more like it (new ids and numbers, idle since now), analysed.
    static func manyTickets(_ copies: Int, _ body: @escaping @Sendable (TicketTestKit, String) async throws -> Void) async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let tickets = kit.database.table("tickets")
            try await kit.database.run([
                """
                INSERT INTO \(tickets) SELECT (jsonb_populate_record(NULL::\(tickets), to_jsonb(t) || jsonb_build_object(
                    'id', gen_random_uuid(), 'number', t.number || '-' || n, 'idle_since', now(), 'awaiting_since', now(), 'created_at', now()))).*
                FROM \(tickets) t, generate_series(1, \(copies)) n WHERE t.id = '\(id)'
                """,
                "ANALYZE \(tickets)",
            ])
            try await body(kit, id)
        }
    }

    @Test("Raising an idle alert reads the tickets it raises, not every ticket")
    func timingAlertReadsItsBatch() async throws {
        try await Self.manyTickets(20_000) { kit, id in
            try await kit.database.client.query(PostgresQuery(unsafeSQL: """
                UPDATE \(kit.database.table("tickets")) SET awaiting_since = now() - interval '2 hours' WHERE id = '\(id)'
                """), logger: kit.database.logger).consume()
            let sql = kit.api.store.raiseSQL(.idle, to: TimingThreshold(level: 1, minutes: 60))
            let read = try await QueryPlan.explain(sql, values: ["now() - interval '1 hour'", "200"], on: kit.database).rowsRead(from: "tickets")
            #expect((1...10).contains(read), "raising one alert read \(read) ticket rows")
        }
    }

    @Test("Each batch of an index rebuild reads its thousand tickets, not every ticket before them")
    func rebuildBatchReadsItsTickets() async throws {
        try await Self.manyTickets(20_000) { kit, _ in
            let rows = try await kit.database.client.query(
                PostgresQuery(unsafeSQL: "SELECT id FROM \(kit.database.table("tickets")) ORDER BY id OFFSET 15000 LIMIT 1"), logger: kit.database.logger)
            var after = ""
            for try await id in rows.decode(UUID.self) { after = id.lowercased }
            let sql = "SELECT id FROM \(kit.database.table("tickets")) \(TicketIndexer.rebuildBatch)"
            let plan = try await QueryPlan.explain(sql, values: ["'\(after)'::uuid"], on: kit.database)
            #expect(plan.indexConditions(on: "tickets").contains { $0.contains("id >") }, "the batch starts at its cursor in the index")
            #expect(try plan.rowsRead(from: "tickets") <= 3_000)
        }
    }
}

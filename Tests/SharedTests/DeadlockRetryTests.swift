import Database
import Foundation
import PostgresNIO
import Testing
import TestSupport

/// PostgreSQL breaks a deadlock by aborting one of the two transactions; ``Database/transaction(retryingDeadlocks:_:)``
/// runs that one again, so both callers are answered.
@Suite("Transactions after a deadlock", .serialized, .enabled(if: TestEnvironment.hasDatabase), .timeLimit(.minutes(2)))
struct DeadlockRetryTests {
    /// Counts the attempts, and holds each of the first two until both hold their first row, whatever the machine's load.
    actor Attempts {
        var count = 0
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func next() { count += 1 }

        func meet() async {
            guard count <= 2, waiting.count < 1 else {
                waiting.forEach { $0.resume() }
                waiting.removeAll()
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }
    }

    /// Adds one to rows `first` then `second`, the second once the other transaction holds its first row.
    static func crossing(_ database: Database, _ first: Int, _ second: Int, retrying: Bool, attempts: Attempts) async throws {
        try await database.transaction(retryingDeadlocks: retrying) { connection in
            await attempts.next()
            try await connection.query("UPDATE \(unescaped: database.table("counters")) SET n = n + 1 WHERE id = \(first)", logger: database.logger).consume()
            await attempts.meet()
            try await connection.query("UPDATE \(unescaped: database.table("counters")) SET n = n + 1 WHERE id = \(second)", logger: database.logger).consume()
        }
    }

    static func withCounters(_ body: @Sendable (Database) async throws -> Void) async throws {
        try await TestDatabase.withFreshSchema("deadlock_retry") { database in
            try await database.client.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: database.schema)", logger: database.logger).consume()
            try await database.client.query("CREATE TABLE \(unescaped: database.table("counters")) (id integer PRIMARY KEY, n integer NOT NULL)", logger: database.logger)
                .consume()
            try await database.client.query("INSERT INTO \(unescaped: database.table("counters")) VALUES (1, 0), (2, 0)", logger: database.logger).consume()
            try await body(database)
        }
    }

    /// The error `body` ends with, if any.
    static func failure(_ body: () async throws -> Void) async -> (any Error)? {
        do { try await body() } catch { return error }
        return nil
    }

    static func counts(_ database: Database) async throws -> [Int] {
        var counts: [Int] = []
        let rows = try await database.client.query("SELECT n FROM \(unescaped: database.table("counters")) ORDER BY id", logger: database.logger)
        for try await n in rows.decode(Int.self) { counts.append(n) }
        return counts
    }

    @Test("Two transactions taking two rows in opposite orders both commit: the one PostgreSQL aborts runs again")
    func victimRunsAgain() async throws {
        try await Self.withCounters { database in
            let attempts = Attempts()
            async let one: Void = Self.crossing(database, 1, 2, retrying: true, attempts: attempts)
            async let other: Void = Self.crossing(database, 2, 1, retrying: true, attempts: attempts)
            _ = try await (one, other)
            #expect(try await Self.counts(database) == [2, 2], "both changes are in, once each")
            #expect(await attempts.count == 3, "the deadlock's victim ran a second time")
        }
    }

    @Test("A transaction that asks not to be run again gets the deadlock as an error, and changes nothing")
    func optOutFails() async throws {
        try await Self.withCounters { database in
            let attempts = Attempts()
            async let one = Self.failure { try await Self.crossing(database, 1, 2, retrying: false, attempts: attempts) }
            async let other = Self.failure { try await Self.crossing(database, 2, 1, retrying: false, attempts: attempts) }
            let failures = await [one, other].compactMap { $0 }
            #expect(failures.count == 1)
            #expect(failures.allSatisfy(DeadlockRetry.isDeadlock))
            let counts = try await Self.counts(database)
            #expect(counts == [1, 1], "only the survivor's changes are in")
            #expect(await attempts.count == 2)
        }
    }
}

import Contracts
import Database
import Foundation
import Logging
import PostgresNIO
import Testing
import TestSupport

/// The events a committed transaction appended, handed to the committing process's own readers.
@Suite("Committed events", .serialized, .enabled(if: TestEnvironment.hasDatabase), .timeLimit(.minutes(2)))
struct CommittedEventsTests {
    struct Note: Codable, Sendable { var text: String }

    static func note(_ subject: String, type: String = "note.added") -> CloudEvent<Note> {
        CloudEvent(source: "test", type: type, subject: subject, brandid: nil, data: Note(text: subject))
    }

    /// Runs `body` on a migrated schema whose database hands its commits to the returned stream.
    static func withCommits(_ body: @Sendable (Database, AsyncStream<[CommittedEvent]>) async throws -> Void) async throws {
        try await TestDatabase.withFreshSchema("committed_events") { plain in
            try await MigrationRunner(database: plain, migrations: []).run()
            let committed = CommittedEvents()
            let database = try Database(client: plain.client, schema: plain.schema, logger: plain.logger, committedEvents: committed)
            try await body(database, committed.subscribe())
        }
    }

    @Test("A committed transaction hands over every event it appended, in order, with topic, type and subject")
    func committedTransaction() async throws {
        try await Self.withCommits { database, commits in
            let store = OutboxStore(database: database)
            let first = Self.note("a"), second = Self.note("b", type: "note.changed"), third = Self.note("c")
            try await database.transaction { connection in
                try await store.append([first, second], topic: "notes.events", on: connection)
                var statement = CompositeStatement()
                try store.append([third], topic: "other.events", to: &statement)
                try await statement.run(on: connection, logger: database.logger)
            }
            var iterator = commits.makeAsyncIterator()
            let events = try #require(await iterator.next())
            #expect(events.map(\.id.uuidString) == [first, second, third].map { $0.id.uppercased() })
            #expect(events.map(\.topic) == ["notes.events", "notes.events", "other.events"])
            #expect(events.map(\.type) == ["note.added", "note.changed", "note.added"])
            #expect(events.map(\.subject) == ["a", "b", "c"])
        }
    }

    @Test("A rolled-back transaction hands over nothing, and one without events is not announced")
    func rolledBackTransaction() async throws {
        try await Self.withCommits { database, commits in
            let store = OutboxStore(database: database)
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await database.transaction { connection in
                    try await store.append(Self.note("lost"), topic: "notes.events", on: connection)
                    throw Abort()
                }
            }
            try await database.transaction { connection in try await connection.query("SELECT 1", logger: database.logger).consume() }
            try await database.transaction { connection in try await store.append(Self.note("kept"), topic: "notes.events", on: connection) }
            var iterator = commits.makeAsyncIterator()
            #expect(try #require(await iterator.next()).map(\.subject) == ["kept"])
        }
    }
    @Test("Statements run on a connection outside a transaction hand over their events once the body returned, and none when it threw")
    func statementsOutsideATransaction() async throws {
        try await Self.withCommits { database, commits in
            let store = OutboxStore(database: database)
            try await database.withConnection { connection in
                var statement = CompositeStatement()
                try store.append([Self.note("a"), Self.note("b")], topic: "notes.events", to: &statement)
                try await statement.run(on: connection, logger: database.logger)
            }
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await database.withConnection { connection in
                    var statement = CompositeStatement()
                    try store.append([Self.note("lost")], topic: "notes.events", to: &statement)
                    throw Abort()
                }
            }
            try await database.withConnection { connection in
                var statement = CompositeStatement()
                try store.append([Self.note("c")], topic: "notes.events", to: &statement)
                try await statement.run(on: connection, logger: database.logger)
            }
            var iterator = commits.makeAsyncIterator()
            #expect(try #require(await iterator.next()).map(\.subject) == ["a", "b"])
            #expect(try #require(await iterator.next()).map(\.subject) == ["c"], "a body that threw announced nothing")
        }
    }
}

import Contracts
import Database
import EventBus
import Foundation
import Logging
import Outbox
import PostgresNIO
import Testing
import TestSupport

/// An event its handler can never apply is recorded and skipped, so the events after it in its partition are applied;
/// a failure that may pass is retried.
@Suite("Events a handler can never apply", .serialized, .enabled(if: TestEnvironment.hasDatabase), .timeLimit(.minutes(2)))
struct PermanentEventFailureTests {
    struct Note: Codable, Sendable { var text: String }
    struct Other: Codable, Sendable { var count: Int }
    struct NotYet: Error {}

    static func message<Data: Codable & Sendable>(_ data: Data, offset: Int64) throws -> ConsumedMessage {
        let event = CloudEvent(source: "test", type: "note.added", subject: "n", brandid: nil, data: data)
        return ConsumedMessage(topic: "notes", partition: 0, offset: offset, key: "n", value: try CloudEventCoding.encode(event))
    }

    @Test("Data that does not decode and a value the table refuses are skipped and recorded; a missing row is retried; later events apply")
    func permanentFailuresAreSkipped() async throws {
        try await TestDatabase.withFreshSchema("permanent_failures") { database in
            try await MigrationRunner(database: database, migrations: [
                Migration(version: 100, name: "notes", sql: ["CREATE TABLE {schema}.notes (text text NOT NULL CHECK (text <> 'refused'))"]),
            ]).run()
            let notes = database.table("notes")
            let consumer = IdempotentConsumer(
                database: database, consumerName: "notes", kafka: KafkaConfiguration(brokers: ""), groupID: "notes", topics: ["notes"],
                logger: Logger(label: "consumer")
            ) { _, value, connection in
                let note = try CloudEventCoding.decode(Note.self, from: value).data
                if note.text == "later" { throw NotYet() }
                try await connection.query("INSERT INTO \(unescaped: notes) (text) VALUES (\(note.text))", logger: database.logger).consume()
            }
            try await consumer.apply(try Self.message(Other(count: 1), offset: 0))
            try await consumer.apply(try Self.message(Note(text: "refused"), offset: 1))
            await #expect(throws: NotYet.self) { try await consumer.apply(try Self.message(Note(text: "later"), offset: 2)) }
            try await consumer.apply(try Self.message(Note(text: "kept"), offset: 3))

            var texts: [String] = []
            for try await text in try await database.client.query("SELECT text FROM \(unescaped: notes)").decode(String.self) { texts.append(text) }
            #expect(texts == ["kept"])
            let processed = try await database.client.query("SELECT count(*)::int FROM \(unescaped: database.table("processed_events"))")
            for try await count in processed.decode(Int.self) { #expect(count == 3, "the two skipped and the applied one; not the one to retry") }
        }
    }
}

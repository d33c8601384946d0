import Contracts
import Database
import EventBus
import Foundation
import Logging
import Outbox
import PostgresNIO
import Synchronization
import Testing
import TestSupport

@Suite("Outbox relay keeps each key's order when a delivery fails")
struct RelayWavesTests {
    static func record(_ id: Int64, _ key: String, topic: String = "t") -> OutboxRecord {
        OutboxRecord(id: id, eventID: UUID(), topic: topic, key: key, payload: [])
    }

    @Test("A wave holds each key's oldest pending record, in outbox order, and later records follow in later waves")
    func wavesHoldOneRecordPerKey() {
        var waves = RelayWaves([
            Self.record(1, "a"), Self.record(2, "b"), Self.record(3, "a"), Self.record(4, "a"), Self.record(5, "c"),
            Self.record(6, "a", topic: "other"),
        ])
        #expect(waves.next().map(\.id) == [1, 2, 5, 6])
        #expect(waves.next().map(\.id) == [3])
        #expect(waves.next().map(\.id) == [4])
        #expect(waves.next().isEmpty)
    }

    @Test("After a record fails, nothing more of its key is sent in the pass; other keys go on")
    func failedKeyIsHeldBack() {
        var waves = RelayWaves([Self.record(1, "a"), Self.record(2, "b"), Self.record(3, "a"), Self.record(4, "b")])
        let first = waves.next()
        #expect(first.map(\.id) == [1, 2])
        waves.failed(first[0])
        #expect(waves.next().map(\.id) == [4])
        #expect(waves.next().isEmpty)
    }

    /// Fails the first delivery of one event and records the order in which messages were acknowledged.
    final class ScriptedSender: OutboxSender {
        let failOnce: String
        let state = Mutex<(failed: Bool, acknowledged: [String])>((false, []))

        init(failOnce: String) {
            self.failOnce = failOnce
        }

        func send(_ messages: [OutgoingMessage]) async -> [Result<Void, KafkaError>] {
            state.withLock { state in
                messages.map { message in
                    let text = String(decoding: message.value, as: UTF8.self)
                    if !state.failed && text.contains(failOnce) {
                        state.failed = true
                        return .failure(KafkaError(code: -192, message: "timed out in the test"))
                    }
                    state.acknowledged.append(text)
                    return .success(())
                }
            }
        }
    }

    struct Note: Codable, Sendable { var text: String }

    @Test("A row whose delivery failed is published before the later events of its key, in the next pass",
          .enabled(if: TestEnvironment.hasDatabase), .timeLimit(.minutes(1)))
    func retriedRowKeepsItsPlace() async throws {
        try await TestDatabase.withFreshSchema("waves") { database in
            try await MigrationRunner(database: database, migrations: []).run()
            let store = OutboxStore(database: database)
            let notes = [("ticket-1", "first"), ("ticket-2", "other"), ("ticket-1", "second"), ("ticket-1", "third")]
            try await database.transaction { connection in
                let events = notes.map { CloudEvent(source: "test", type: "note.added", subject: $0.0, brandid: nil, data: Note(text: $0.1)) }
                try await store.append(events, topic: "notes", on: connection)
            }
            let sender = ScriptedSender(failOnce: "\"first\"")
            let relay = OutboxRelay(store: store, producer: sender, settings: .init(), logger: Logger(label: "relay"))

            let first = try await relay.relayOnce()
            #expect(first.published == 1 && first.failed == 3)
            #expect(try await store.unpublishedCount() == 3, "ticket-1's later events wait for its first")
            let second = try await relay.relayOnce()
            #expect(second.published == 3 && second.failed == 0)

            let order = sender.state.withLock { $0.acknowledged }
            let ticketOne = order.filter { !$0.contains("\"other\"") }
            #expect(ticketOne.map { ["first", "second", "third"].first(where: $0.contains) } == ["first", "second", "third"])
        }
    }
}

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

@Suite("Outbox relay", .serialized, .enabled(if: TestEnvironment.hasDatabase && TestEnvironment.hasBroker), .timeLimit(.minutes(5)))
struct OutboxRelayTests {
    struct Note: Codable, Sendable, Equatable { var text: String }

    static func appendEvents(_ count: Int, topic: String, store: OutboxStore) async throws -> [String] {
        var ids: [String] = []
        for index in 0..<count {
            let event = CloudEvent(source: "test", type: "note.added", subject: "note-\(index % 3)", brandid: nil, data: Note(text: "\(index)"))
            try await store.database.transaction { connection in try await store.append(event, topic: topic, on: connection) }
            ids.append(event.id)
        }
        return ids
    }

    static func producer() throws -> KafkaProducer {
        try KafkaProducer(configuration: KafkaConfiguration(brokers: TestEnvironment.kafkaBrokers ?? ""), logger: Logger(label: "test"))
    }

    @Test("An event appended in a rolled-back transaction never reaches the outbox")
    func rollback() async throws {
        try await TestDatabase.withFreshSchema("rollback") { database in
            try await MigrationRunner(database: database, migrations: []).run()
            let store = OutboxStore(database: database)
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await database.transaction { connection in
                    try await store.append(CloudEvent(source: "t", type: "t", subject: "s", brandid: nil, data: Note(text: "x")), topic: "t", on: connection)
                    throw Abort()
                }
            }
            #expect(try await store.unpublishedCount() == 0)
        }
    }

    @Test("Two relays publish every outbox row exactly once and mark it published")
    func twoRelaysPublishOnce() async throws {
        try await TestDatabase.withFreshSchema("relay") { database in
            try await MigrationRunner(database: database, migrations: []).run()
            let store = OutboxStore(database: database)
            let topic = "relay-test-\(UUID().uuidString.prefix(8))"
            let ids = try await Self.appendEvents(60, topic: topic, store: store)
            let producers = [try Self.producer(), try Self.producer()]
            let settings = OutboxRelay.Settings(batchSize: 7)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for producer in producers {
                    group.addTask {
                        let relay = OutboxRelay(store: store, producer: producer, settings: settings, logger: Logger(label: "relay"))
                        _ = try await relay.drain(timeout: .seconds(60))
                    }
                }
                try await group.waitForAll()
            }
            for producer in producers { await producer.shutdown() }
            #expect(try await store.unpublishedCount() == 0)
            let kept = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(database.table("outbox"))"))
            for try await count in kept.decode(Int.self) { #expect(count == ids.count, "published events stay in the outbox for replay") }
            let messages = try await TopicReader.read(
                brokers: TestEnvironment.kafkaBrokers ?? "", topic: topic, timeout: .seconds(30), settle: .seconds(2)
            ) { $0.count >= ids.count }
            let received = messages.compactMap { try? CloudEventCoding.decodeHeader($0.value).id }
            #expect(received.count == ids.count, "each row published once")
            #expect(Set(received) == Set(ids))
            #expect(messages.allSatisfy { $0.key?.hasPrefix("note-") == true }, "the key is the aggregate id")
        }
    }

    /// Acknowledges everything; after its first send, says once that the broker may have lost what it acknowledged.
    final class ForgetfulBroker: OutboxSender {
        let state = Mutex<(sent: Int, lossSaid: Bool)>((0, false))

        func send(_ messages: [OutgoingMessage]) async -> [Result<Void, KafkaError>] {
            state.withLock { $0.sent += messages.count }
            return messages.map { _ in .success(()) }
        }

        func takeMayHaveLostSince() -> Date? {
            state.withLock { state in
                guard state.sent > 0, !state.lossSaid else { return nil }
                state.lossSaid = true
                return Date()
            }
        }
    }

    @Test("When the producer says the broker may have lost what it acknowledged, the running relay publishes the events created shortly before again, once")
    func relayReplaysAfterBrokerLoss() async throws {
        try await TestDatabase.withFreshSchema("brokerloss") { database in
            try await MigrationRunner(database: database, migrations: []).run()
            let store = OutboxStore(database: database)
            _ = try await Self.appendEvents(4, topic: "broker-loss", store: store)
            let broker = ForgetfulBroker()
            let relay = OutboxRelay(store: store, producer: broker, settings: .init(pollInterval: .milliseconds(20)), logger: Logger(label: "relay"))
            let running = Task { try await relay.run() }
            let deadline = ContinuousClock.now + .seconds(20)
            while broker.state.withLock({ $0.sent }) < 8 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            try await Task.sleep(for: .milliseconds(300))
            running.cancel()
            _ = await running.result
            #expect(broker.state.withLock { $0.sent } == 8, "each event once, then once more after the loss, and no more")
            #expect(try await store.unpublishedCount() == 0)

            let lastAcknowledged = Date()
            try await Task.sleep(for: .milliseconds(20))
            _ = try await Self.appendEvents(2, topic: "broker-loss", store: store)
            #expect(try await relay.drain(timeout: .seconds(10)) == 2)
            #expect(try await relay.replayAfterBrokerLoss(since: lastAcknowledged) == 4, "not the events created after the broker's last acknowledgement")
        }
    }

    @Test("Replay marks retained events unpublished so the relay sends them again, purge goes a batch at a time and keeps unpublished rows, and an idle outbox is seen as one")
    func replayAndPurge() async throws {
        try await TestDatabase.withFreshSchema("replay") { database in
            try await MigrationRunner(database: database, migrations: []).run()
            let store = OutboxStore(database: database)
            let topic = "replay-test-\(UUID().uuidString.prefix(8))"
            _ = try await Self.appendEvents(5, topic: topic, store: store)
            let producer = try Self.producer()
            let relay = OutboxRelay(store: store, producer: producer, settings: .init(), logger: Logger(label: "relay"))
            #expect(try await store.hasUnpublished())
            #expect(try await relay.drain(timeout: .seconds(30)) == 5)
            #expect(try await store.hasUnpublished() == false, "an idle relay's pass finds nothing without a transaction")
            #expect(try await relay.relayOnce().published == 0)
            #expect(try await store.markForReplay(since: Date().addingTimeInterval(-60)) == 5)
            #expect(try await store.unpublishedCount() == 5)
            #expect(try await relay.drain(timeout: .seconds(30)) == 5)
            _ = try await Self.appendEvents(2, topic: topic, store: store)
            #expect(try await store.purgePublished(olderThan: Date().addingTimeInterval(60), limit: 3) == 3, "a batch at a time, oldest first")
            #expect(try await store.purgePublished(olderThan: Date().addingTimeInterval(60)) == 2)
            #expect(try await store.purgePublished(olderThan: Date().addingTimeInterval(60)) == 0, "unpublished rows stay")
            #expect(try await store.unpublishedCount() == 2)
            await producer.shutdown()
        }
    }

    @Test("An idempotent consumer applies a redelivered event once")
    func idempotentConsumer() async throws {
        try await TestDatabase.withFreshSchema("consumer") { database in
            try await MigrationRunner(database: database, migrations: [
                Migration(version: 100, name: "notes", sql: ["CREATE TABLE {schema}.notes (text text NOT NULL)"]),
            ]).run()
            let topic = "consumer-test-\(UUID().uuidString.prefix(8))"
            let event = CloudEvent(source: "test", type: "note.added", subject: "n", brandid: nil, data: Note(text: "hello"))
            let bytes = try CloudEventCoding.encode(event)
            let producer = try Self.producer()
            let results = await producer.send(Array(repeating: OutgoingMessage(topic: topic, key: "n", value: bytes), count: 3))
            #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
            await producer.shutdown()
            let consumer = IdempotentConsumer(
                database: database, consumerName: "notes", kafka: KafkaConfiguration(brokers: TestEnvironment.kafkaBrokers ?? ""),
                groupID: "notes-\(UUID().uuidString)", topics: [topic], logger: Logger(label: "consumer")
            ) { header, value, connection in
                let note = try CloudEventCoding.decode(Note.self, from: value)
                try await connection.query("INSERT INTO consumer.notes (text) VALUES (\(note.data.text))", logger: Logger(label: "q")).consume()
            }
            let running = Task { try await consumer.run() }
            let deadline = ContinuousClock.now + .seconds(30)
            var processed = 0
            while ContinuousClock.now < deadline {
                let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM consumer.processed_events"))
                for try await count in rows.decode(Int.self) { processed = count }
                if processed == 1 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            try await Task.sleep(for: .seconds(2))
            running.cancel()
            let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM consumer.notes"))
            for try await count in rows.decode(Int.self) { #expect(count == 1, "three deliveries, one effect") }
        }
    }
}

import Foundation
import Logging
import Synchronization
import Testing

@testable import EventBus

/// Against a real broker (Tansu in `make test`), named by CONCIERGE_TEST_KAFKA_BROKERS.
@Suite(
    "EventBus against a real broker",
    .serialized,
    .timeLimit(.minutes(2)),
    .enabled(if: EventBusTest.tansuBrokers != nil, "set CONCIERGE_TEST_KAFKA_BROKERS to run")
)
struct EventBusTansuTests {
    let logger = EventBusTest.logger
    let configuration = EventBusTest.configuration(brokers: EventBusTest.tansuBrokers ?? "")

    @Test("ping succeeds when the broker is up")
    func pingSucceeds() async throws {
        try await KafkaAdmin(configuration: configuration, logger: logger).ping()
    }

    @Test("created topics can be created again, and what is produced to them is consumed")
    func createProduceConsume() async throws {
        let admin = KafkaAdmin(configuration: configuration, logger: logger)
        let topic = EventBusTest.uniqueName("roundtrip")
        try await admin.createTopics([topic], partitions: 3)
        try await admin.createTopics([topic], partitions: 3)

        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let keys = ["a", "b", "c", "d", "e"]
        let results = await producer.send(EventBusTest.messages(topic: topic, keys: keys, perKey: 20))
        await producer.shutdown()
        #expect(results.count == 100)
        #expect(EventBusTest.failures(results).isEmpty, "\(EventBusTest.failures(results).prefix(3))")

        let consumer = try KafkaConsumer(
            configuration: configuration, groupID: EventBusTest.uniqueName("group"), topics: [topic], logger: logger)
        let received = await EventBusTest.collect(consumer, count: 100, timeout: .seconds(60))
        await consumer.close()
        #expect(received.count == 100)
        #expect(Set(received.map(\.partition)).isSubset(of: [0, 1, 2]))
        for key in keys {
            #expect(received.filter { $0.key == key }.map(EventBusTest.text) == (0..<20).map { "\(key):\($0)" })
        }
    }

    @Test("an event of several megabytes (a long article's) is produced and consumed, not refused for its size")
    func largeEventsGoThrough() async throws {
        let admin = KafkaAdmin(configuration: configuration, logger: logger)
        let topic = EventBusTest.uniqueName("large")
        try await admin.createTopics([topic], partitions: 1)
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let large = [UInt8](repeating: UInt8(ascii: "x"), count: 4_000_000)
        let results = await producer.send([
            OutgoingMessage(topic: topic, key: "article", value: large), OutgoingMessage(topic: topic, key: "article", value: Array("after".utf8)),
        ])
        await producer.shutdown()
        #expect(EventBusTest.failures(results).isEmpty, "\(EventBusTest.failures(results))")
        let consumer = try KafkaConsumer(configuration: configuration, groupID: EventBusTest.uniqueName("group"), topics: [topic], logger: logger)
        let received = await EventBusTest.collect(consumer, count: 2, timeout: .seconds(60))
        await consumer.close()
        #expect(received.map(\.value.count) == [4_000_000, 5])
    }

    @Test("a second consumer of the same group continues where the first one's processed offsets end")
    func committedOffsetsSurviveAConsumer() async throws {
        let topic = EventBusTest.uniqueName("commit")
        let group = EventBusTest.uniqueName("group")
        try await KafkaAdmin(configuration: configuration, logger: logger).createTopics([topic], partitions: 1)
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let results = await producer.send(EventBusTest.messages(topic: topic, keys: ["k"], perKey: 10))
        await producer.shutdown()
        #expect(EventBusTest.failures(results).isEmpty)

        let first = try KafkaConsumer(configuration: configuration, groupID: group, topics: [topic], logger: logger)
        let firstBatch = await EventBusTest.collect(first, count: 10, timeout: .seconds(60))
        #expect(firstBatch.count == 10)
        for message in firstBatch.prefix(4) { try first.markProcessed(message) }
        try await first.commitStored()
        await first.close()

        let second = try KafkaConsumer(configuration: configuration, groupID: group, topics: [topic], logger: logger)
        let secondBatch = await EventBusTest.collect(second, count: 6, timeout: .seconds(60))
        await second.close()
        #expect(secondBatch.map(EventBusTest.text) == (4..<10).map { "k:\($0)" })
    }

    @Test("consume() retries a failed message against the real broker")
    func consumeRetries() async throws {
        let topic = EventBusTest.uniqueName("retry")
        try await KafkaAdmin(configuration: configuration, logger: logger).createTopics([topic], partitions: 2)
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let results = await producer.send(EventBusTest.messages(topic: topic, keys: ["k"], perKey: 4))
        await producer.shutdown()
        #expect(EventBusTest.failures(results).isEmpty)

        struct Boom: Error {}
        let handled = EventBusHandledLog()
        let consumer = try KafkaConsumer(
            configuration: configuration, groupID: EventBusTest.uniqueName("group"), topics: [topic], logger: logger)
        let loop = Task {
            try await consume(consumer, logger: logger, retryDelay: .milliseconds(100)) { message in
                if try handled.attempt(EventBusTest.text(message), failFirst: "k:1") { throw Boom() }
            }
        }
        let done = await EventBusTest.eventually(timeout: .seconds(60)) { handled.succeeded.count >= 4 }
        await consumer.close()
        try await loop.value
        #expect(done)
        #expect(handled.succeeded == ["k:0", "k:1", "k:2", "k:3"])
    }
}

/// Records handler attempts; `attempt` answers whether this attempt should fail.
final class EventBusHandledLog: Sendable {
    private let state = Mutex<(attempts: [String], succeeded: [String])>(([], []))

    var succeeded: [String] { state.withLock { $0.succeeded } }

    func attempt(_ text: String, failFirst: String) throws -> Bool {
        state.withLock { state in
            let first = !state.attempts.contains(text)
            state.attempts.append(text)
            if text == failFirst && first { return true }
            state.succeeded.append(text)
            return false
        }
    }
}

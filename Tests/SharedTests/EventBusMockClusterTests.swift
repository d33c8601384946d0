import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import EventBus

/// Producer, consumer and consume loop against librdkafka's built-in mock cluster: no broker needed.
@Suite("EventBus on librdkafka's mock cluster", .serialized, .timeLimit(.minutes(2)))
struct EventBusMockClusterTests {
    let logger = EventBusTest.logger

    /// Runs `body` with a fresh mock cluster and always stops it.
    private func withCluster(_ body: (KafkaConfiguration) async throws -> Void) async throws {
        let cluster = try KafkaMockCluster(logger: logger)
        do {
            try await body(EventBusTest.configuration(brokers: cluster.brokers))
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    @Test("a producer configured with test.mock.num.brokers delivers on its own private cluster")
    func producerOnPrivateMockCluster() async throws {
        let configuration = KafkaConfiguration(brokers: "", extra: ["test.mock.num.brokers": "1"])
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let results = await producer.send(EventBusTest.messages(topic: "private", keys: ["a"], perKey: 10))
        await producer.shutdown()
        #expect(results.count == 10)
        #expect(EventBusTest.failures(results).isEmpty)
    }

    @Test("every produced message gets a successful delivery report, in order")
    func allDeliveryReportsSucceed() async throws {
        try await withCluster { configuration in
            let producer = try KafkaProducer(configuration: configuration, logger: logger)
            let topic = EventBusTest.uniqueName("deliver")
            let messages = EventBusTest.messages(topic: topic, keys: ["a", "b", "c", "d"], perKey: 250)
            let results = await producer.send(messages)
            let empty = await producer.send([])
            await producer.shutdown()
            #expect(results.count == 1000)
            #expect(EventBusTest.failures(results).isEmpty)
            #expect(empty.isEmpty)
        }
    }

    @Test("concurrent sends each get their own results")
    func concurrentSends() async throws {
        try await withCluster { configuration in
            let producer = try KafkaProducer(configuration: configuration, logger: logger)
            let topic = EventBusTest.uniqueName("concurrent")
            let counts = await withTaskGroup(of: Int.self) { group in
                for sender in 0..<8 {
                    group.addTask {
                        let results = await producer.send(
                            EventBusTest.messages(topic: topic, keys: ["s\(sender)"], perKey: 20 + sender))
                        return EventBusTest.failures(results).isEmpty ? results.count : -1
                    }
                }
                return await group.reduce(into: [Int]()) { $0.append($1) }
            }
            await producer.shutdown()
            #expect(counts.sorted() == (0..<8).map { 20 + $0 })
        }
    }

    @Test("a consumer reads the messages back in order for each key")
    func consumerReadsInOrderPerKey() async throws {
        try await withCluster { configuration in
            let topic = EventBusTest.uniqueName("order")
            let keys = ["ticket-1", "ticket-2", "ticket-3"]
            let producer = try KafkaProducer(configuration: configuration, logger: logger)
            let results = await producer.send(EventBusTest.messages(topic: topic, keys: keys, perKey: 40))
            await producer.shutdown()
            #expect(EventBusTest.failures(results).isEmpty)

            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: EventBusTest.uniqueName("group"), topics: [topic], logger: logger)
            let received = await EventBusTest.collect(consumer, count: 120)
            await consumer.close()

            #expect(received.count == 120)
            for key in keys {
                let sequence = received.filter { $0.key == key }.map(EventBusTest.text)
                #expect(sequence == (0..<40).map { "\(key):\($0)" })
            }
        }
    }

    @Test("a second consumer of the same group starts after the last message the first one marked processed")
    func committedOffsetsSurviveAConsumer() async throws {
        try await withCluster { configuration in
            let topic = EventBusTest.uniqueName("commit")
            let group = EventBusTest.uniqueName("group")
            // One key, so all messages share one partition and offsets are 0..<20.
            let producer = try KafkaProducer(configuration: configuration, logger: logger)
            let results = await producer.send(EventBusTest.messages(topic: topic, keys: ["k"], perKey: 20))
            await producer.shutdown()
            #expect(EventBusTest.failures(results).isEmpty)

            let first = try KafkaConsumer(configuration: configuration, groupID: group, topics: [topic], logger: logger)
            let firstBatch = await EventBusTest.collect(first, count: 20)
            #expect(firstBatch.count == 20)
            for message in firstBatch.prefix(7) { try first.markProcessed(message) }
            try await first.commitStored()
            await first.close()
            #expect(throws: KafkaError.self) { try first.markProcessed(firstBatch[8]) }

            let second = try KafkaConsumer(configuration: configuration, groupID: group, topics: [topic], logger: logger)
            let secondBatch = await EventBusTest.collect(second, count: 13)
            await second.close()
            #expect(secondBatch.map(EventBusTest.text) == (7..<20).map { "k:\($0)" })
            #expect(secondBatch.first?.offset == 7)
        }
    }

    @Test("consume() delivers a message again after its handler threw, and keeps the order of its key")
    func consumeRetriesAFailedMessage() async throws {
        try await withCluster { configuration in
            let topic = EventBusTest.uniqueName("retry")
            let producer = try KafkaProducer(configuration: configuration, logger: logger)
            let results = await producer.send(EventBusTest.messages(topic: topic, keys: ["k"], perKey: 6))
            await producer.shutdown()
            #expect(EventBusTest.failures(results).isEmpty)

            struct Boom: Error {}
            let log = Mutex<(attempts: [String], handled: [String])>(([], []))
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: EventBusTest.uniqueName("group"), topics: [topic], logger: logger)
            let loop = Task {
                try await consume(consumer, logger: logger, retryDelay: .milliseconds(100)) { message in
                    let text = EventBusTest.text(message)
                    let firstAttempt = log.withLock { log in
                        defer { log.attempts.append(text) }
                        return !log.attempts.contains(text)
                    }
                    if text == "k:2" && firstAttempt { throw Boom() }
                    log.withLock { $0.handled.append(text) }
                }
            }
            let done = await EventBusTest.eventually { log.withLock { $0.handled.count >= 6 } }
            // Give a wrongly repeated delivery the chance to show up before stopping.
            try await Task.sleep(for: .milliseconds(300))
            await consumer.close()
            try await loop.value

            #expect(done)
            let (attempts, handled) = log.withLock { ($0.attempts, $0.handled) }
            #expect(handled == (0..<6).map { "k:\($0)" })
            #expect(attempts == ["k:0", "k:1", "k:2", "k:2", "k:3", "k:4", "k:5"])
        }
    }

    @Test("iteration ends when the iterating task is cancelled, and for good after close()")
    func iterationEnds() async throws {
        try await withCluster { configuration in
            let topic = EventBusTest.uniqueName("idle")
            let producer = try KafkaProducer(configuration: configuration, logger: logger)
            _ = await producer.send(EventBusTest.messages(topic: topic, keys: ["k"], perKey: 1))
            await producer.shutdown()
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: EventBusTest.uniqueName("group"), topics: [topic], logger: logger)

            let count = Mutex(0)
            let reader = Task {
                for await _ in consumer { count.withLock { $0 += 1 } }
                return count.withLock { $0 }
            }
            #expect(await EventBusTest.eventually { count.withLock { $0 } == 1 })
            // Now idle in poll: cancellation must end it without waiting for another message.
            reader.cancel()
            let clock = ContinuousClock()
            let start = clock.now
            #expect(await reader.value == 1)
            #expect(clock.now - start < .seconds(2))

            let waiting = Task {
                var messages = consumer.makeAsyncIterator()
                return await messages.next() == nil
            }
            try await Task.sleep(for: .milliseconds(300))
            await consumer.close()
            #expect(await waiting.value)
            var messages = consumer.makeAsyncIterator()
            #expect(await messages.next() == nil)
            #expect(throws: KafkaError.self) {
                try consumer.markProcessed(ConsumedMessage(topic: topic, partition: 0, offset: 0, key: nil, value: []))
            }
            await #expect(throws: KafkaError.self) { try await consumer.commitStored() }
            await consumer.close()
        }
    }

    @Test("producer and consumer stop when their ServiceGroup shuts down gracefully")
    func servicesStopWithTheirGroup() async throws {
        try await withCluster { configuration in
            let producer = try KafkaProducer(configuration: configuration, logger: logger)
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: EventBusTest.uniqueName("group"),
                topics: [EventBusTest.uniqueName("group-topic")], logger: logger)
            let group = ServiceGroup(services: [producer, consumer], logger: logger)
            let running = Task { try await group.run() }
            try await Task.sleep(for: .milliseconds(300))
            await group.triggerGracefulShutdown()
            try await running.value

            let results = await producer.send([OutgoingMessage(topic: "t", key: "k", value: [1])])
            #expect(EventBusTest.failures(results).count == 1)
            var messages = consumer.makeAsyncIterator()
            #expect(await messages.next() == nil)
        }
    }

    @Test("after a fatal error the producer replaces its instance and later sends succeed")
    func producerRecoversFromFatalError() async throws {
        try await withCluster { configuration in
            let topic = EventBusTest.uniqueName("fatal")
            let producer = try KafkaProducer(configuration: configuration, logger: logger)
            let before = await producer.send(EventBusTest.messages(topic: topic, keys: ["k"], perKey: 1))
            #expect(EventBusTest.failures(before).isEmpty)

            producer.triggerFatalErrorForTesting()
            let clock = ContinuousClock()
            let start = clock.now
            var recovered = false
            var sawFatal = false
            while clock.now - start < .seconds(20) {
                let results = await producer.send(EventBusTest.messages(topic: topic, keys: ["k"], perKey: 1))
                let failures = EventBusTest.failures(results)
                if failures.isEmpty {
                    recovered = true
                    break
                }
                sawFatal = sawFatal || failures.contains { $0.isFatal }
                try await Task.sleep(for: .milliseconds(50))
            }
            await producer.shutdown()
            #expect(recovered)
            #expect(producer.instanceReplacements >= 1)
            _ = sawFatal
        }
    }
}

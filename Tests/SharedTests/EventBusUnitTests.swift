import Testing

@testable import EventBus

@Suite("EventBus without a broker", .serialized)
struct EventBusUnitTests {
    @Test("the loaded librdkafka is supported (run with the 2.16 runtime first on LD_LIBRARY_PATH)")
    func loadedLibraryIsSupported() throws {
        try LibRdKafka.requireSupportedVersion()
        #expect(!LibRdKafka.versionString.isEmpty)
    }

    @Test("librdkafka older than 2.12 is refused with a message that says what to do")
    func oldLibraryIsRefused() {
        #expect(throws: KafkaError.self) {
            try LibRdKafka.requireSupported(version: 0x0200_02ff, versionString: "2.0.2")
        }
        do {
            try LibRdKafka.requireSupported(version: 0x0200_02ff, versionString: "2.0.2")
        } catch let error as KafkaError {
            #expect(error.message.contains("2.0.2"))
            #expect(error.message.contains("LD_LIBRARY_PATH"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(throws: Never.self) { try LibRdKafka.requireSupported(version: 0x020c_0000, versionString: "2.12.0") }
    }

    @Test("configuration comes from the environment with defaults for what is missing or malformed")
    func configurationFromEnvironment() {
        let defaults = KafkaConfiguration.fromEnvironment([:])
        #expect(defaults.brokers == "127.0.0.1:9092")
        #expect(defaults.sessionTimeoutMs == 6000)
        #expect(defaults.heartbeatIntervalMs == 500)
        #expect(defaults.messageTimeoutMs == 30000)
        #expect(defaults.lingerMs == 5)

        let configured = KafkaConfiguration.fromEnvironment([
            "CONCIERGE_KAFKA_BROKERS": " 127.0.0.1:19092 ",
            "CONCIERGE_KAFKA_SESSION_TIMEOUT_MS": "10000",
            "CONCIERGE_KAFKA_HEARTBEAT_MS": "1000",
            "CONCIERGE_KAFKA_MESSAGE_TIMEOUT_MS": "not a number",
            "CONCIERGE_KAFKA_LINGER_MS": "20",
        ])
        #expect(configured.brokers == "127.0.0.1:19092")
        #expect(configured.sessionTimeoutMs == 10000)
        #expect(configured.heartbeatIntervalMs == 1000)
        #expect(configured.messageTimeoutMs == 30000)
        #expect(configured.lingerMs == 20)
    }

    @Test("extra properties override the ones EventBus sets")
    func extraPropertiesOverride() {
        let configuration = KafkaConfiguration(brokers: "127.0.0.1:1", extra: ["acks": "1", "client.id": "x"])
        #expect(configuration.producerProperties["acks"] == "1")
        #expect(configuration.producerProperties["client.id"] == "x")
        #expect(configuration.producerProperties["enable.idempotence"] == "true")
        #expect(configuration.consumerProperties(groupID: "g")["enable.auto.offset.store"] == "false")
        #expect(KafkaConfiguration(brokers: "").adminProperties["bootstrap.servers"] == nil)
        // The producer needs librdkafka's "eos" debug log to notice a broker that forgot its producer id.
        #expect(configuration.producerProperties["debug"] == "eos")
        #expect(KafkaConfiguration(brokers: "x", extra: ["debug": "broker"]).producerProperties["debug"] == "eos,broker")
    }

    @Test("an unknown librdkafka property fails with librdkafka's explanation")
    func unknownPropertyFails() {
        let configuration = KafkaConfiguration(brokers: "127.0.0.1:1", extra: ["no.such.property": "1"])
        do {
            _ = try KafkaProducer(configuration: configuration, logger: EventBusTest.logger)
            Issue.record("expected an error")
        } catch let error as KafkaError {
            #expect(error.message.contains("no.such.property"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("the delivery tracker answers in message order whatever the report order")
    func deliveryTrackerKeepsOrder() async {
        let results = await withCheckedContinuation { continuation in
            var tracker = DeliveryTracker()
            let batch = tracker.beginBatch(count: 3)
            let first = tracker.register(batch: batch, index: 0)
            let second = tracker.register(batch: batch, index: 1)
            #expect(tracker.fail(batch: batch, index: 2, KafkaError(code: -184, message: "queue full")) == nil)
            #expect(tracker.deliver(messageID: second, .failure(KafkaError(code: -192, message: "timed out"))) == nil)
            #expect(tracker.waitForReports(batch: batch, count: 3, continuation: continuation) == nil)
            #expect(tracker.deliver(messageID: 999, .success(())) == nil)
            let completion = tracker.deliver(messageID: first, .success(()))
            #expect(tracker.pendingCount == 0)
            completion?.continuation.resume(returning: completion?.results ?? [])
        }
        #expect(results.count == 3)
        #expect(EventBusTest.failures(results).map(\.code) == [-192, -184])
        if case .success = results[0] {} else { Issue.record("first message should have succeeded") }
    }

    @Test("failing everything pending completes the waiting batches")
    func deliveryTrackerFailsAllPending() async {
        let results = await withCheckedContinuation { continuation in
            var tracker = DeliveryTracker()
            let batch = tracker.beginBatch(count: 2)
            _ = tracker.register(batch: batch, index: 0)
            _ = tracker.register(batch: batch, index: 1)
            _ = tracker.waitForReports(batch: batch, count: 2, continuation: continuation)
            let completions = tracker.failAllPending(KafkaError(code: -150, message: "fatal", isFatal: true))
            #expect(completions.count == 1)
            for completion in completions { completion.continuation.resume(returning: completion.results) }
        }
        #expect(EventBusTest.failures(results).map(\.isFatal) == [true, true])
    }

    @Test("replacing an instance fails only the messages that instance had")
    func deliveryTrackerFailsOneGeneration() async {
        let results = await withCheckedContinuation { continuation in
            var tracker = DeliveryTracker()
            let batch = tracker.beginBatch(count: 2)
            _ = tracker.register(batch: batch, index: 0, generation: 0)
            let onNewInstance = tracker.register(batch: batch, index: 1, generation: 1)
            _ = tracker.waitForReports(batch: batch, count: 2, continuation: continuation)
            #expect(tracker.failAllPending(generation: 0, KafkaError(code: 59, message: "unknown producer id")).isEmpty)
            #expect(tracker.pendingCount == 1)
            let completion = tracker.deliver(messageID: onNewInstance, .success(()))
            completion?.continuation.resume(returning: completion?.results ?? [])
        }
        #expect(EventBusTest.failures(results).map(\.code) == [59])
        if case .success = results[1] {} else { Issue.record("the second message should have succeeded") }
    }

    @Test("durations become librdkafka millisecond timeouts without overflowing")
    func durationsBecomeMilliseconds() {
        #expect(Duration.seconds(2).clampedMilliseconds == 2000)
        #expect(Duration.milliseconds(1500).clampedMilliseconds == 1500)
        #expect(Duration.seconds(Int64.max).clampedMilliseconds == Int32.max)
        #expect(Duration.seconds(-1).clampedMilliseconds == 0)
    }

    @Test("ping against a port nobody listens on throws within its timeout")
    func pingUnusedPortThrows() async throws {
        let admin = KafkaAdmin(configuration: KafkaConfiguration(brokers: "127.0.0.1:1"), logger: EventBusTest.logger)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: KafkaError.self) { try await admin.ping(timeout: .milliseconds(250)) }
        let elapsed = clock.now - start
        // Far below librdkafka's socket timeout (60 s) and ping's default (2 s); the slack is for making and
        // destroying the handle's threads while other suites load both cores.
        #expect(elapsed < .milliseconds(1750), "ping took \(elapsed)")
    }

    @Test("a send after shutdown fails at once instead of waiting")
    func sendAfterShutdownFails() async throws {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: "127.0.0.1:1"), logger: EventBusTest.logger)
        await producer.shutdown()
        await producer.shutdown()
        let results = await producer.send([OutgoingMessage(topic: "t", key: "k", value: [1])])
        #expect(EventBusTest.failures(results).count == 1)
    }

    @Test("an unreachable broker makes sends fail after message.timeout.ms, not hang")
    func unreachableBrokerTimesOut() async throws {
        let configuration = KafkaConfiguration(brokers: "127.0.0.1:1", messageTimeoutMs: 1000)
        let producer = try KafkaProducer(configuration: configuration, logger: EventBusTest.logger)
        let clock = ContinuousClock()
        let start = clock.now
        let results = await producer.send([OutgoingMessage(topic: "t", key: "k", value: [1])])
        let elapsed = clock.now - start
        await producer.shutdown()
        #expect(EventBusTest.failures(results).map(\.name) == ["_MSG_TIMED_OUT"])
        #expect(elapsed < .seconds(5), "send took \(elapsed)")
    }
}

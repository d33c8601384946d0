import Foundation
import Logging
import Synchronization
import Testing

@testable import EventBus

/// Kills and restarts a private Tansu (path in CONCIERGE_TEST_TANSU) to check that clients
/// recover by themselves from a broker that comes back empty.
@Suite(
    "EventBus across a broker restart",
    .serialized,
    .timeLimit(.minutes(3)),
    .enabled(
        if: ProcessInfo.processInfo.environment["CONCIERGE_TEST_TANSU"] != nil,
        "set CONCIERGE_TEST_TANSU to the tansu binary to run (make test does)")
)
struct EventBusBrokerRestartTests {
    let logger = EventBusTest.logger

    @Test("after the broker restarts empty, a pending send fails fast and later sends and the consumer recover")
    func producerSurvivesBrokerRestart() async throws {
        let broker = try await EventBusTansuProcess()
        defer { broker.kill() }
        let configuration = EventBusTest.configuration(brokers: broker.address)
        let topic = EventBusTest.uniqueName("restart")
        try await KafkaAdmin(configuration: configuration, logger: logger).createTopics([topic], partitions: 1)
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let before = await producer.send(EventBusTest.messages(topic: topic, keys: ["k"], perKey: 10))
        #expect(EventBusTest.failures(before).isEmpty)

        let consumer = try KafkaConsumer(
            configuration: configuration, groupID: EventBusTest.uniqueName("group"), topics: [topic], logger: logger)
        let firstRead = await EventBusTest.collect(consumer, count: 10, timeout: .seconds(30))
        #expect(firstRead.count == 10)
        #expect(producer.takeMayHaveLostSince() == nil, "nothing replaced yet")

        let killedAt = Date()
        broker.kill()
        let clock = ContinuousClock()
        let start = clock.now
        let pending = Task { await producer.send(EventBusTest.messages(topic: topic, keys: ["k"], perKey: 5)) }
        try await Task.sleep(for: .seconds(3))
        try await broker.start()
        // Measured: about 1.6 s after the restart these fail with UNKNOWN_PRODUCER_ID and the instance
        // is replaced; without the replacement they would retry until message.timeout.ms (30 s) and
        // every later send would time out too.
        _ = await pending.value
        #expect(clock.now - start < .seconds(15), "the pending send took \(clock.now - start)")

        let retryStart = clock.now
        var after: [Result<Void, KafkaError>] = []
        repeat {
            after = await producer.send(EventBusTest.messages(topic: topic, keys: ["k"], perKey: 5))
        } while !EventBusTest.failures(after).isEmpty && clock.now - retryStart < .seconds(20)
        #expect(EventBusTest.failures(after).isEmpty, "\(EventBusTest.failures(after).prefix(1))")
        #expect(producer.instanceReplacements >= 1)
        let lostSince = try #require(producer.takeMayHaveLostSince(), "the replacement says the broker may have lost what it acknowledged")
        #expect(lostSince <= killedAt, "from the last acknowledgement before the broker went, not after")
        #expect(producer.takeMayHaveLostSince() == nil, "said once")

        // The restarted broker recreated the topic empty (with its default partition count); the
        // consumer's old position is out of range, so auto.offset.reset=earliest starts it at 0.
        let secondRead = await EventBusTest.collect(consumer, count: 5, timeout: .seconds(60))
        await consumer.close()
        await producer.shutdown()
        #expect(secondRead.map(EventBusTest.text) == (0..<5).map { "k:\($0)" })
    }
}

/// A Tansu broker on a random local port, started and killed by the test.
final class EventBusTansuProcess: Sendable {
    let address: String
    private let binary: String
    private let process = Mutex<Process?>(nil)

    init() async throws {
        binary = ProcessInfo.processInfo.environment["CONCIERGE_TEST_TANSU"] ?? "tansu"
        address = "127.0.0.1:\(Int.random(in: 20000..<30000))"
        try await start()
    }

    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        let url = "tcp://\(address)"
        process.arguments = ["broker", "--listener-url", url, "--advertised-listener-url", url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process.withLock { $0 = process }
        // Tansu is ready within milliseconds; give it a moment to bind.
        try await Task.sleep(for: .milliseconds(300))
    }

    /// SIGKILL: no clean shutdown, so everything the broker kept in memory is lost.
    func kill() {
        let running = process.withLock { process -> Process? in
            defer { process = nil }
            return process
        }
        guard let running else { return }
        Foundation.kill(running.processIdentifier, SIGKILL)
        running.waitUntilExit()
    }
}

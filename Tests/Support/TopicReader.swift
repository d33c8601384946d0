import EventBus
import Foundation
import Logging
import Synchronization

/// Reads a topic from the beginning in a consumer group of its own, as any outside Kafka client would, until
/// `enough` holds for what arrived or `timeout` passes, then `settle` longer to catch late duplicates.
public enum TopicReader {
    public static func read(
        brokers: String, topic: String, timeout: Duration, settle: Duration = .zero, enough: @escaping @Sendable ([ConsumedMessage]) -> Bool
    ) async throws -> [ConsumedMessage] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(brokers: brokers), groupID: "test-reader-\(UUID().uuidString)", topics: [topic],
            logger: Logger(label: "test-reader"))
        let received = Mutex<[ConsumedMessage]>([])
        let reader = Task {
            for await message in consumer {
                received.withLock { $0.append(message) }
            }
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !enough(received.withLock { $0 }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        if settle > .zero { try await Task.sleep(for: settle) }
        await consumer.close()
        reader.cancel()
        _ = await reader.value
        return received.withLock { $0 }
    }
}

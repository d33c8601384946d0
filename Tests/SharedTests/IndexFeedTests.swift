import Contracts
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import Testing

@testable import EventBus
@testable import Fleet
@testable import Search

/// Against a real broker: the feed that keeps a search index current from a service's events.
@Suite(
    "Index feed",
    .serialized,
    .timeLimit(.minutes(2)),
    .enabled(if: EventBusTest.tansuBrokers != nil, "set CONCIERGE_TEST_KAFKA_BROKERS to run")
)
struct IndexFeedTests {
    let logger = EventBusTest.logger
    let configuration = EventBusTest.configuration(brokers: EventBusTest.tansuBrokers ?? "")

    @Test("Every event's document is written, and the index is marked clean when the feed stops")
    func eventsReachTheIndex() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("index-feed-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let index = try SearchIndex(path: path, schemaVersion: 1)
        let topic = EventBusTest.uniqueName("feed")
        try await KafkaAdmin(configuration: configuration, logger: logger).createTopics([topic], partitions: 1)
        let feed = IndexFeed(
            projection: IndexWriterTests.NamedDocuments(index: index), kafka: configuration, topic: topic, name: EventBusTest.uniqueName("feed"),
            instance: "test", gate: nil, spacing: .milliseconds(300), logger: logger)
        let group = ServiceRunner.makeGroup([feed], signals: [], logger: logger)
        let ids = (0..<40).map { _ in UUID() }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let producer = try KafkaProducer(configuration: configuration, logger: logger)
            for id in ids {
                let event = CloudEvent(source: "test", type: "ticket.replied", subject: id.uuidString.lowercased(), brandid: nil, data: [String]())
                let results = await producer.send([OutgoingMessage(topic: topic, key: id.uuidString, value: try CloudEventCoding.encode(event))])
                #expect(EventBusTest.failures(results).isEmpty)
                try await Task.sleep(for: .milliseconds(25))
            }
            await producer.shutdown()
            let deadline = ContinuousClock.now + .seconds(30)
            while await index.documentCount() < ids.count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(await index.documentCount() == ids.count)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await index.close()
        let reopened = try SearchIndex(path: path, schemaVersion: 1)
        #expect(await !reopened.needsRebuild, "the feed left its index marked dirty")
        #expect(await reopened.documentCount() == ids.count)
        await reopened.close()
    }
}

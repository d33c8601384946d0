import Contracts
import Database
import Foundation
import Logging
import Outbox
import ServiceKit
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport

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

    @Test(
        "A document this process commits is indexed without the broker, and the broker's copy of its event does not index it again",
        .enabled(if: TestEnvironment.hasDatabase))
    func ownCommitsSkipTheBroker() async throws {
        try await TestDatabase.withFreshSchema("own_commits") { plain in
            try await MigrationRunner(database: plain, migrations: []).run()
            let database = try Database(client: plain.client, schema: plain.schema, logger: plain.logger, committedEvents: CommittedEvents())
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("index-feed-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let index = try SearchIndex(path: path, schemaVersion: 1)
            let topic = EventBusTest.uniqueName("own-commits")
            try await KafkaAdmin(configuration: configuration, logger: logger).createTopics([topic], partitions: 1)
            let projection = IndexWriterTests.NamedDocuments(index: index)
            let feed = IndexFeed(
                projection: projection, kafka: configuration, topic: topic, name: EventBusTest.uniqueName("feed"), instance: "test", gate: nil,
                committedEvents: database.committedEvents, spacing: .milliseconds(50), logger: logger)
            let group = ServiceRunner.makeGroup([feed], signals: [], logger: logger)
            let producer = try KafkaProducer(configuration: configuration, logger: logger)
            func event(_ id: UUID) -> CloudEvent<[String]> {
                CloudEvent(source: "test", type: "ticket.replied", subject: id.uuidString.lowercased(), brandid: nil, data: [])
            }
            func sendThroughBroker(_ id: UUID) async throws {
                let results = await producer.send([OutgoingMessage(topic: topic, key: id.uuidString, value: try CloudEventCoding.encode(event(id)))])
                #expect(EventBusTest.failures(results).isEmpty)
            }
            func waitForDocuments(_ count: Int, within limit: Duration) async throws -> Bool {
                let deadline = ContinuousClock.now + limit
                while await index.documentCount() < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                return await index.documentCount() == count
            }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                // Once a document sent through the broker is in, the feed is consuming and listening to commits.
                try await sendThroughBroker(UUID())
                #expect(try await waitForDocuments(1, within: .seconds(30)))

                let own = UUID()
                let store = OutboxStore(database: database)
                try await database.transaction { connection in try await store.append(event(own), topic: topic, on: connection) }
                #expect(try await waitForDocuments(2, within: .seconds(2)), "committed, not yet relayed, and already indexed")

                let relay = OutboxRelay(store: store, producer: producer, settings: .init(), logger: logger)
                #expect(try await relay.drain(timeout: .seconds(30)) == 1)
                // The partition is consumed in order: once the next broker document is in, the own event's copy was read.
                try await sendThroughBroker(UUID())
                #expect(try await waitForDocuments(3, within: .seconds(30)))
                let asked = projection.log.batches.withLock { $0 }.filter { $0.contains(own) }.count
                #expect(asked == 1, "the broker's copy re-indexed the document")

                await producer.shutdown()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            await index.close()
        }
    }
}

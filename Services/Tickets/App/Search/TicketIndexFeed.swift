import Contracts
import EventBus
import Foundation
import Logging
import Search
import ServiceKit
import ServiceLifecycle

/// This instance's reader of `tickets.events` (its own consumer group): builds the index when needed, then
/// re-indexes each ticket an event names, so a new message is searchable within about a second.
public struct TicketIndexFeed: Service {
    let indexer: TicketIndexer
    let kafka: KafkaConfiguration
    let groupID: String
    let gate: StartupGate?
    let logger: Logger

    public init(indexer: TicketIndexer, kafka: KafkaConfiguration, instance: String, gate: StartupGate?, logger: Logger) {
        self.indexer = indexer
        self.kafka = kafka
        self.groupID = "tickets-search-\(instance)"
        self.gate = gate
        self.logger = logger
    }

    public func run() async throws {
        await gate?.wait()
        try await indexer.rebuildIfNeeded(logger: logger)
        let consumer = try KafkaConsumer(configuration: kafka, groupID: groupID, topics: [ServiceName.tickets.eventsTopic], logger: logger)
        let index = indexer.index
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Searches see changes at once (same database handle); durability comes in batches, not per event.
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(250))
                        try await index.flush()
                    }
                }
                try await consume(consumer, logger: logger) { message in
                    guard let header = try? CloudEventCoding.decodeHeader(message.value), let id = UUID(uuidString: header.subject) else { return }
                    try await indexer.reindex(id, commit: false)
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task { await consumer.close() }
        }
        await consumer.close()
        try await index.flush()
    }
}

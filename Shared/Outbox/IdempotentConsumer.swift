import Contracts
import Database
import EventBus
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Reads topics in a consumer group and applies each event at most once: the effect and the event id commit in
/// one transaction, and the offset advances only after that commit. Redelivery after a crash or a replay is harmless.
public struct IdempotentConsumer: Service {
    public typealias Handler = @Sendable (CloudEventHeader, [UInt8], PostgresConnection) async throws -> Void

    let database: Database
    let ledger: ProcessedEvents
    let kafka: KafkaConfiguration
    let groupID: String
    let topics: [String]
    let gate: StartupGate?
    let handler: Handler
    let logger: Logger

    public init(
        database: Database, consumerName: String, kafka: KafkaConfiguration, groupID: String, topics: [String],
        gate: StartupGate? = nil, logger: Logger, handler: @escaping Handler
    ) {
        self.database = database
        self.ledger = ProcessedEvents(database: database, consumer: consumerName)
        self.kafka = kafka
        self.groupID = groupID
        self.topics = topics
        self.gate = gate
        self.handler = handler
        self.logger = logger
    }

    public func run() async throws {
        await gate?.wait()
        let consumer = try KafkaConsumer(configuration: kafka, groupID: groupID, topics: topics, logger: logger)
        try await withGracefulShutdownHandler {
            try await consume(consumer, logger: logger) { message in try await apply(message) }
        } onGracefulShutdown: {
            Task { await consumer.close() }
        }
        await consumer.close()
    }

    /// Applies one message; an envelope that cannot be read is logged and skipped rather than retried forever, and so
    /// is an event its handler can never apply (``PermanentEventFailure``): it is recorded as processed, without its
    /// effect, and logged whole as an error so that what it carried can be recovered by hand.
    public func apply(_ message: ConsumedMessage) async throws {
        guard let header = try? CloudEventCoding.decodeHeader(message.value), let eventID = UUID(parsing: header.id) else {
            logger.error("skipping undecodable event", metadata: ["topic": "\(message.topic)", "offset": "\(message.offset)"])
            return
        }
        do {
            try await database.transaction { connection in
                guard try await ledger.recordIfNew(eventID, on: connection) else { return }
                try await handler(header, message.value, connection)
            }
        } catch where PermanentEventFailure.matches(error) {
            logger.error(
                "skipping an event its handler can never apply",
                metadata: [
                    "topic": "\(message.topic)", "offset": "\(message.offset)", "type": "\(header.type)", "error": "\(String(reflecting: error))",
                    "event": "\(String(decoding: message.value, as: UTF8.self))",
                ])
            try await database.transaction { connection in _ = try await ledger.recordIfNew(eventID, on: connection) }
        }
    }
}

import EventBus
import Foundation

/// What the relay hands its records to: the Kafka producer, whose delivery reports say which were acknowledged.
public protocol OutboxSender: Sendable {
    /// One result per message, in order, once each was acknowledged or failed.
    func send(_ messages: [OutgoingMessage]) async -> [Result<Void, KafkaError>]

    /// When the broker last acknowledged a message before it may have lost what it held (``KafkaProducer``), once.
    func takeMayHaveLostSince() -> Date?
}

extension OutboxSender {
    public func takeMayHaveLostSince() -> Date? { nil }
}

extension KafkaProducer: OutboxSender {}

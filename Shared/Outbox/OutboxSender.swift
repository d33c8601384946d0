import EventBus

/// What the relay hands its records to: the Kafka producer, whose delivery reports say which were acknowledged.
public protocol OutboxSender: Sendable {
    /// One result per message, in order, once each was acknowledged or failed.
    func send(_ messages: [OutgoingMessage]) async -> [Result<Void, KafkaError>]
}

extension KafkaProducer: OutboxSender {}

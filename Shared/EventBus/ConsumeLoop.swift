import Logging

/// Runs `handler` for every message of `consumer` and marks a message processed only when the
/// handler returned normally.
///
/// When the handler throws, the message is not skipped: after `retryDelay` the consumer seeks back
/// to it, so it is delivered again (and so is everything after it on that partition, which keeps
/// per-key order). If the seek fails, the handler is retried in place instead, because moving on
/// would let later offsets be committed past the failed message.
///
/// Returns when the consumer is closed or the calling task is cancelled.
public func consume(
    _ consumer: KafkaConsumer,
    logger: Logger,
    retryDelay: Duration = .seconds(1),
    handler: @Sendable (ConsumedMessage) async throws -> Void
) async throws {
    var messages = consumer.makeAsyncIterator()
    while let message = await messages.next() {
        attempts: while true {
            do {
                try await handler(message)
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "Event handler failed; the message will be delivered again",
                    metadata: message.logMetadata.merging(["error": "\(error)"]) { _, new in new }
                )
                do {
                    try await Task.sleep(for: retryDelay)
                } catch {
                    return
                }
                do {
                    try await messages.rewind(to: message)
                    break attempts  // not processed: it comes back from next()
                } catch {
                    if Task.isCancelled || error.isConsumerClosed { return }
                    logger.warning(
                        "Seeking back failed; retrying the handler in place",
                        metadata: message.logMetadata.merging(["error": "\(error)"]) { _, new in new }
                    )
                    continue attempts
                }
            }
            do {
                try consumer.markProcessed(message)
            } catch {
                // Typically the partition was revoked meanwhile; its new owner gets the message
                // again and deduplicates by event id.
                logger.notice(
                    "Could not mark a message processed",
                    metadata: message.logMetadata.merging(["error": "\(error)"]) { _, new in new }
                )
            }
            break attempts
        }
    }
}

extension ConsumedMessage {
    var logMetadata: Logger.Metadata {
        ["kafka.topic": "\(topic)", "kafka.partition": "\(partition)", "kafka.offset": "\(offset)"]
    }
}

extension Error {
    fileprivate var isConsumerClosed: Bool {
        (self as? KafkaError)?.code == KafkaError.consumerClosed.code
    }
}

import CRdKafka
import Logging

/// Topic creation and broker reachability.
///
/// Each call uses a short-lived librdkafka instance on `NIOThreadPool.singleton`: these calls are
/// rare (start-up, readiness probes), and a struct without a lifecycle cannot own a long-lived one.
public struct KafkaAdmin: Sendable {
    private let configuration: KafkaConfiguration
    private let logger: Logger

    public init(configuration: KafkaConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Creates the topics with `partitions` partitions and replication factor 1. A topic that
    /// already exists counts as created (its partition count is not checked).
    public func createTopics(_ names: [String], partitions: Int32, timeout: Duration = .seconds(10)) async throws {
        guard !names.isEmpty else { return }
        try LibRdKafka.requireSupportedVersion()
        let properties = configuration.adminProperties
        let logger = logger
        let result = await runBlocking { () -> Result<Void, KafkaError> in
            Result { () throws(KafkaError) in
                try Self.createTopicsBlocking(
                    names, partitions: partitions, timeoutMs: timeout.clampedMilliseconds,
                    properties: properties, logger: logger
                )
            }
        }
        try (result ?? .failure(KafkaError(RD_KAFKA_RESP_ERR__DESTROY, "thread pool is shut down"))).get()
        logger.debug("Kafka topics ready", metadata: ["kafka.topics": "\(names)", "kafka.partitions": "\(partitions)"])
    }

    /// Asks a broker for cluster metadata; throws when none answers within `timeout`.
    public func ping(timeout: Duration = .seconds(2)) async throws {
        try LibRdKafka.requireSupportedVersion()
        let properties = configuration.adminProperties
        let logger = logger
        let result = await runBlocking { () -> KafkaError? in
            Self.pingBlocking(timeoutMs: timeout.clampedMilliseconds, properties: properties, logger: logger)
        }
        if let error = result ?? KafkaError(RD_KAFKA_RESP_ERR__DESTROY, "thread pool is shut down") {
            throw error
        }
    }

    // MARK: - Blocking, on the thread pool

    private static func pingBlocking(timeoutMs: Int32, properties: [String: String], logger: Logger) -> KafkaError? {
        let handle: RdKafkaHandle
        do {
            handle = try RdKafkaHandle.make(RD_KAFKA_PRODUCER, properties: properties, events: 0)
        } catch {
            return error
        }
        defer { handle.destroy(logger: logger) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        // all_topics=0 with no topic handle: the request asks for brokers only.
        let code = rd_kafka_metadata(handle.kafka, 0, nil, &metadata, timeoutMs)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return KafkaError(code, "no Kafka broker answered within \(timeoutMs) ms: \(String(cString: rd_kafka_err2str(code)))")
        }
        return nil
    }

    private static func createTopicsBlocking(
        _ names: [String],
        partitions: Int32,
        timeoutMs: Int32,
        properties: [String: String],
        logger: Logger
    ) throws(KafkaError) {
        let handle = try RdKafkaHandle.make(RD_KAFKA_PRODUCER, properties: properties, events: 0)
        // Declared first so it runs last: everything below belongs to this instance.
        defer { handle.destroy(logger: logger) }

        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for name in names {
            var errorText = [CChar](repeating: 0, count: 512)
            guard let topic = rd_kafka_NewTopic_new(name, partitions, 1, &errorText, errorText.count) else {
                throw KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, "topic \(name): \(String(errorBuffer: errorText))")
            }
            newTopics.append(topic)
        }

        guard let options = rd_kafka_AdminOptions_new(handle.kafka, RD_KAFKA_ADMIN_OP_CREATETOPICS) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, "rd_kafka_AdminOptions_new failed")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errorText = [CChar](repeating: 0, count: 512)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &errorText, errorText.count)
        // Wait until the topics exist, so that a producer or consumer started right after sees them.
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, &errorText, errorText.count)

        guard let queue = rd_kafka_queue_new(handle.kafka) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, "rd_kafka_queue_new failed")
        }
        defer { rd_kafka_queue_destroy(queue) }
        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(handle.kafka, buffer.baseAddress, buffer.count, options, queue)
        }
        // The request timeout bounds the answer; the extra second covers scheduling.
        guard let event = rd_kafka_queue_poll(queue, timeoutMs &+ 1000) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, "CreateTopics got no answer within \(timeoutMs) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let code = rd_kafka_event_error(event)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code, "CreateTopics failed: \(rd_kafka_event_error_string(event).map { String(cString: $0) } ?? "")")
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, "CreateTopics answered with an unexpected event")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        var failures: [String] = []
        var firstCode = RD_KAFKA_RESP_ERR_NO_ERROR
        for index in 0..<count {
            guard let topicResult = results[index] else { continue }
            let topicCode = rd_kafka_topic_result_error(topicResult)
            guard topicCode != RD_KAFKA_RESP_ERR_NO_ERROR, topicCode != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else {
                continue
            }
            if firstCode == RD_KAFKA_RESP_ERR_NO_ERROR { firstCode = topicCode }
            let name = rd_kafka_topic_result_name(topicResult).map { String(cString: $0) } ?? "?"
            let text =
                rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) }
                ?? String(cString: rd_kafka_err2str(topicCode))
            failures.append("\(name): \(text)")
        }
        guard failures.isEmpty else {
            throw KafkaError(firstCode, "CreateTopics failed for \(failures.joined(separator: "; "))")
        }
    }
}

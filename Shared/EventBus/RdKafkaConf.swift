import CRdKafka

/// Builds an `rd_kafka_conf_t` from plain properties, so every client is configured the same way
/// and a bad property fails with librdkafka's own explanation.
enum RdKafkaConf {
    /// Returns a conf the caller owns (hand it to `rd_kafka_new`, which takes ownership on success).
    static func make(_ properties: [String: String], events: Int32) throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, "rd_kafka_conf_new failed")
        }
        // Sorted so that a failure is reproducible and error messages are stable.
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            var errorText = [CChar](repeating: 0, count: 512)
            let result = rd_kafka_conf_set(conf, name, value, &errorText, errorText.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(
                    RD_KAFKA_RESP_ERR__INVALID_ARG,
                    "invalid librdkafka property \(name)=\(value): \(String(errorBuffer: errorText))"
                )
            }
        }
        // Delivery reports, logs and errors arrive as events on the main queue, which a thread we own
        // polls: librdkafka never calls back into Swift from its own threads.
        rd_kafka_conf_set_events(conf, events)
        return conf
    }
}

import CRdKafka

/// An error reported by librdkafka (or by EventBus around it).
///
/// `code` is librdkafka's `rd_kafka_resp_err_t`: negative values are local errors
/// (e.g. -192 `_MSG_TIMED_OUT`), positive ones come from the broker.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    /// The client instance is unusable after a fatal error; the producer replaces its instance by itself.
    public var isFatal: Bool

    public init(code: Int32, message: String, isFatal: Bool = false) {
        self.code = code
        self.message = message
        self.isFatal = isFatal
    }

    /// librdkafka's symbolic name for `code`, e.g. `_MSG_TIMED_OUT`.
    public var name: String {
        String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(code)))
    }

    public var description: String {
        let summary = String(cString: rd_kafka_err2str(rd_kafka_resp_err_t(code)))
        let fatal = isFatal ? ", fatal" : ""
        if message.isEmpty || message == summary {
            return "KafkaError(\(name) \(code)\(fatal)): \(summary)"
        }
        return "KafkaError(\(name) \(code)\(fatal)): \(message)"
    }
}

extension KafkaError {
    init(_ code: rd_kafka_resp_err_t, _ message: String? = nil, isFatal: Bool = false) {
        self.init(
            code: code.rawValue,
            message: message ?? String(cString: rd_kafka_err2str(code)),
            isFatal: isFatal
        )
    }

    /// Takes ownership of an `rd_kafka_error_t` and destroys it.
    init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        self.init(
            code: rd_kafka_error_code(error).rawValue,
            message: String(cString: rd_kafka_error_string(error)),
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    var responseError: rd_kafka_resp_err_t { rd_kafka_resp_err_t(code) }

    /// Errors that only say a broker is unreachable right now; librdkafka retries them by itself.
    var isTransientConnectivity: Bool {
        switch responseError {
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE,
            RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
            RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
            RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
            return true
        default:
            return false
        }
    }

    static let producerShutDown = KafkaError(RD_KAFKA_RESP_ERR__DESTROY, "the producer is shut down")
    static let consumerClosed = KafkaError(RD_KAFKA_RESP_ERR__DESTROY, "the consumer is closed")
}

import CRdKafka
import Logging

/// An opaque C pointer that may cross isolation domains. Thread safety is the job of whoever
/// holds it: librdkafka handles are thread-safe; their lifetime is guarded by the owning type.
struct SendableOpaquePointer: @unchecked Sendable, Hashable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

/// One `rd_kafka_t` and its main queue. Not thread-confined, but `destroy()` must be the last call.
struct RdKafkaHandle: Sendable, Hashable {
    private let handle: SendableOpaquePointer
    private let mainQueueHandle: SendableOpaquePointer

    var kafka: OpaquePointer { handle.pointer }
    var mainQueue: OpaquePointer { mainQueueHandle.pointer }

    static func make(
        _ type: rd_kafka_type_t,
        properties: [String: String],
        events: Int32
    ) throws(KafkaError) -> RdKafkaHandle {
        let conf = try RdKafkaConf.make(properties, events: events | RD_KAFKA_EVENT_LOG | RD_KAFKA_EVENT_ERROR)
        var errorText = [CChar](repeating: 0, count: 512)
        guard let kafka = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            // rd_kafka_new takes ownership of conf only on success.
            rd_kafka_conf_destroy(conf)
            throw KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, "rd_kafka_new failed: \(String(errorBuffer: errorText))")
        }
        guard let mainQueue = rd_kafka_queue_get_main(kafka) else {
            rd_kafka_destroy(kafka)
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, "rd_kafka_queue_get_main returned NULL")
        }
        // With log.queue=true, log lines wait in a temporary queue until a log queue is set;
        // NULL forwards them to the main queue that we poll.
        rd_kafka_set_log_queue(kafka, nil)
        return RdKafkaHandle(handle: SendableOpaquePointer(kafka), mainQueueHandle: SendableOpaquePointer(mainQueue))
    }

    /// Serves queued log and error events without waiting. Returns false when the queue was empty.
    @discardableResult
    func serveMainQueue(logger: Logger, maxEvents: Int = 1000) -> Bool {
        var served = 0
        while served < maxEvents, let event = rd_kafka_queue_poll(mainQueue, 0) {
            RdKafkaEvents.logGeneric(event, logger: logger)
            rd_kafka_event_destroy(event)
            served += 1
        }
        return served > 0
    }

    /// The reason of the fatal error this instance is in, if any.
    var fatalError: KafkaError? {
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(kafka, &text, text.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(code, String(errorBuffer: text), isFatal: true)
    }

    /// Blocks until librdkafka's threads have stopped. Call it off the cooperative pool, after
    /// every message, event and partition list we got from this instance was destroyed.
    func destroy(logger: Logger) {
        serveMainQueue(logger: logger)
        // The queue handle holds a reference on the instance; rd_kafka_destroy would wait for it forever.
        rd_kafka_queue_destroy(mainQueue)
        rd_kafka_destroy(kafka)
    }
}

/// Turns librdkafka log and error events into swift-log entries.
enum RdKafkaEvents {
    /// Handles LOG and ERROR events; other types are logged at trace and otherwise ignored.
    /// Returns the facility of a LOG event (e.g. "UNKPID"), for callers that react to specific lines.
    @discardableResult
    static func logGeneric(_ event: OpaquePointer, logger: Logger) -> String? {
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_LOG:
            var facility: UnsafePointer<CChar>?
            var text: UnsafePointer<CChar>?
            var level: Int32 = 0
            guard rd_kafka_event_log(event, &facility, &text, &level) == 0 else { return nil }
            let facilityText = facility.map { String(cString: $0) } ?? "?"
            let message = text.map { String(cString: $0) } ?? ""
            logger.log(
                level: logLevel(syslog: level, facility: facilityText),
                "librdkafka: \(message)",
                metadata: ["kafka.facility": "\(facilityText)"]
            )
            return facilityText
        case RD_KAFKA_EVENT_ERROR:
            let error = errorOf(event)
            logger.log(
                level: error.isFatal ? .error : (error.isTransientConnectivity ? .debug : .warning),
                "librdkafka error: \(error)"
            )
        default:
            logger.trace("librdkafka event ignored", metadata: ["kafka.event": "\(String(cString: rd_kafka_event_name(event)))"])
        }
        return nil
    }

    static func errorOf(_ event: OpaquePointer) -> KafkaError {
        let code = rd_kafka_event_error(event)
        let text = rd_kafka_event_error_string(event).map { String(cString: $0) }
        return KafkaError(code, text, isFatal: rd_kafka_event_error_is_fatal(event) != 0)
    }

    /// librdkafka logs each failed connection attempt at LOG_ERR; those repeat every backoff while a
    /// broker is down and are also reported as (transient) error events, so they go to debug.
    private static func logLevel(syslog: Int32, facility: String) -> Logger.Level {
        if facility == "FAIL" || facility == "CONNECT" { return .debug }
        switch syslog {
        case ...3: return .error
        case 4: return .warning
        case 5: return .notice
        case 6: return .info
        default: return .debug
        }
    }
}

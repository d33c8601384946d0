/// Connection and timing settings shared by the producer, consumers and admin client.
///
/// The timing values are configuration rather than constants because the right values differ
/// between Tansu in development (short session timeouts make the first group join take ~3 s
/// instead of ~23 s) and Kafka in production.
public struct KafkaConfiguration: Sendable {
    /// Comma-separated `host:port` list. Use `127.0.0.1`, not `localhost`: Tansu listens on IPv4 only.
    public var brokers: String
    public var sessionTimeoutMs: Int
    public var heartbeatIntervalMs: Int
    public var fetchWaitMs: Int = 100
    /// A message not acknowledged within this time gets a failed delivery report; the outbox retries it.
    public var messageTimeoutMs: Int
    public var lingerMs: Int
    /// Any other librdkafka property. Applied last, so it can override the values EventBus sets.
    public var extra: [String: String]

    public init(
        brokers: String,
        sessionTimeoutMs: Int = 6000,
        heartbeatIntervalMs: Int = 500,
        messageTimeoutMs: Int = 30000,
        lingerMs: Int = 5,
        extra: [String: String] = [:]
    ) {
        self.brokers = brokers
        self.sessionTimeoutMs = sessionTimeoutMs
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.messageTimeoutMs = messageTimeoutMs
        self.lingerMs = lingerMs
        self.extra = extra
    }

    /// Reads `CONCIERGE_KAFKA_BROKERS` (default `127.0.0.1:9092`), `CONCIERGE_KAFKA_SESSION_TIMEOUT_MS`,
    /// `CONCIERGE_KAFKA_HEARTBEAT_MS`, `CONCIERGE_KAFKA_MESSAGE_TIMEOUT_MS` and `CONCIERGE_KAFKA_LINGER_MS`.
    /// Unset, empty or non-numeric values fall back to the defaults.
    public static func fromEnvironment(_ environment: [String: String]) -> KafkaConfiguration {
        func integer(_ name: String) -> Int? {
            guard let text = environment[name]?.trimmingWhitespace(), let value = Int(text), value >= 0 else {
                return nil
            }
            return value
        }
        let defaults = KafkaConfiguration(brokers: "127.0.0.1:9092")
        let brokers = environment["CONCIERGE_KAFKA_BROKERS"]?.trimmingWhitespace() ?? ""
        var configuration = KafkaConfiguration(
            brokers: brokers.isEmpty ? defaults.brokers : brokers,
            sessionTimeoutMs: integer("CONCIERGE_KAFKA_SESSION_TIMEOUT_MS") ?? defaults.sessionTimeoutMs,
            heartbeatIntervalMs: integer("CONCIERGE_KAFKA_HEARTBEAT_MS") ?? defaults.heartbeatIntervalMs,
            messageTimeoutMs: integer("CONCIERGE_KAFKA_MESSAGE_TIMEOUT_MS") ?? defaults.messageTimeoutMs,
            lingerMs: integer("CONCIERGE_KAFKA_LINGER_MS") ?? defaults.lingerMs
        )
        configuration.fetchWaitMs = integer("CONCIERGE_KAFKA_FETCH_WAIT_MS") ?? defaults.fetchWaitMs
        return configuration
    }
}

extension KafkaConfiguration {
    /// Properties every client type gets.
    var commonProperties: [String: String] {
        var properties = [
            // Tansu listens on IPv4 only and `localhost` may resolve to ::1 first.
            "broker.address.family": "v4",
            // Logs go to a queue we poll instead of a callback on librdkafka's own threads.
            "log.queue": "true",
        ]
        // The mock cluster sets its own bootstrap servers; an empty value would be rejected.
        if !brokers.isEmpty {
            properties["bootstrap.servers"] = brokers
        }
        return properties
    }

    /// The largest event a producer sends: well above what any service's request limit lets one event carry.
    public static let maximumMessageBytes = 32 * 1024 * 1024

    var producerProperties: [String: String] {
        var properties = commonProperties
        properties["enable.idempotence"] = "true"
        properties["acks"] = "all"
        properties["message.timeout.ms"] = String(messageTimeoutMs)
        properties["linger.ms"] = String(lingerMs)
        // librdkafka refuses a message over 1,000,000 bytes by default, and a refused event would stay in its outbox
        // (and hold back later events of its key) for good: a knowledge article may carry megabytes of text.
        properties["message.max.bytes"] = String(Self.maximumMessageBytes)
        // A broker that lost our producer id (Tansu after a restart) makes librdkafka bump the epoch
        // and retry until message.timeout.ms, without any error event; only its "eos" debug log
        // ("UNKPID") says so. The producer watches for it and replaces its instance.
        properties["debug"] = "eos"
        var merged = properties.merging(extra) { _, override in override }
        if let debug = extra["debug"], !debug.split(separator: ",").contains("eos") {
            merged["debug"] = debug.isEmpty ? "eos" : "eos,\(debug)"
        }
        return merged
    }

    func consumerProperties(groupID: String) -> [String: String] {
        var properties = commonProperties
        properties["group.id"] = groupID
        // Offsets are stored only after the handler's effect committed (markProcessed);
        // auto-commit then commits what was stored, never what was merely fetched.
        properties["enable.auto.offset.store"] = "false"
        properties["enable.auto.commit"] = "true"
        properties["auto.offset.reset"] = "earliest"
        properties["session.timeout.ms"] = String(sessionTimeoutMs)
        properties["heartbeat.interval.ms"] = String(heartbeatIntervalMs)
        // How long a fetch may wait for data: librdkafka's 500 ms default shows up whole in the time from an
        // event's commit to its effect elsewhere (a ticket searchable within a second); 100 ms costs a few more
        // idle fetches.
        properties["fetch.wait.max.ms"] = String(fetchWaitMs)
        // A consumer that subscribed before its topic existed (another service creates it at its own
        // start-up, or Tansu restarted empty) only notices it at the next periodic metadata refresh:
        // measured 299 s with the default of 300000.
        properties["topic.metadata.refresh.interval.ms"] = "10000"
        // partition.assignment.strategy stays librdkafka's eager default: measured on Tansu with
        // librdkafka 2.16, a cooperative-sticky consumer_close sends no LeaveGroup, so the group
        // waits a full session timeout (and a second consumer took 11 s instead of 3 s to start).
        return properties.merging(extra) { _, override in override }
    }

    var adminProperties: [String: String] {
        commonProperties.merging(extra) { _, override in override }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

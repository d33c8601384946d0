import CRdKafka
import Logging
import Synchronization

/// librdkafka's built-in mock cluster (`test.mock.num.brokers`), for tests that need a broker but
/// not Tansu. It lives inside one librdkafka instance; other clients reach it through `brokers`.
///
/// Use it instead of putting `test.mock.num.brokers` into each client's configuration: that would
/// give every client its own private cluster, and a consumer would never see what a producer sent.
public final class KafkaMockCluster: Sendable {
    /// `host:port` list of the mock brokers, for `KafkaConfiguration.brokers`.
    public let brokers: String
    private let handle: Mutex<RdKafkaHandle?>
    private let logger: Logger

    /// Blocks briefly (it asks the new cluster for its broker list): create it in test set-up.
    public init(brokerCount: Int = 1, logger: Logger = Logger(label: "KafkaMockCluster")) throws {
        try LibRdKafka.requireSupportedVersion()
        let handle = try RdKafkaHandle.make(
            RD_KAFKA_PRODUCER,
            properties: ["test.mock.num.brokers": String(brokerCount), "log.queue": "true"],
            events: 0
        )
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle.kafka, 0, nil, &metadata, 5000)
        defer { if let metadata { rd_kafka_metadata_destroy(metadata) } }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata, metadata.pointee.broker_cnt > 0 else {
            handle.destroy(logger: logger)
            throw KafkaError(code, "the mock cluster did not answer a metadata request")
        }
        let brokers = UnsafeBufferPointer(start: metadata.pointee.brokers, count: Int(metadata.pointee.broker_cnt))
        self.brokers = brokers.map { "\(String(cString: $0.host)):\($0.port)" }.joined(separator: ",")
        self.handle = Mutex(handle)
        self.logger = logger
    }

    /// Stops the mock brokers. Close the clients that use them first.
    public func shutdown() async {
        let taken = handle.withLock { handle -> RdKafkaHandle? in
            defer { handle = nil }
            return handle
        }
        guard let taken else { return }
        let logger = logger
        _ = await runBlocking { taken.destroy(logger: logger) }
    }
}

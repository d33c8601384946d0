import CRdKafka

/// The librdkafka that is loaded at run time, which is not the one the code was compiled against:
/// we compile against Debian's 2.0.2 headers and load 2.16 from the confluent-kafka wheel.
public enum LibRdKafka {
    /// The oldest runtime we accept: `rd_kafka_produceva` double-freed headers when the partition
    /// does not exist until 2.12.0, and 2.0.2 cannot talk to Tansu at all.
    static let minimumVersion: Int32 = 0x020c_0000

    public static var versionString: String { String(cString: rd_kafka_version_str()) }

    static var version: Int32 { rd_kafka_version() }

    public static func requireSupportedVersion() throws {
        try requireSupported(version: version, versionString: versionString)
    }

    static func requireSupported(version: Int32, versionString: String) throws {
        guard version >= minimumVersion else {
            throw KafkaError(
                RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED,
                "librdkafka \(versionString) is loaded but Concierge needs 2.12.0 or newer "
                    + "(older versions double-free in rd_kafka_produceva, and Debian's 2.0.2 cannot talk to Tansu). "
                    + "Put librdkafka 2.16's librdkafka.so.1 (confluent-kafka wheel, confluent_kafka.libs/) "
                    + "first on LD_LIBRARY_PATH or the RUNPATH."
            )
        }
    }
}

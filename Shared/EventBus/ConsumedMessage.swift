import CRdKafka

/// A message read by a `KafkaConsumer`, copied out of librdkafka's buffers.
public struct ConsumedMessage: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    /// nil for a message produced without a key.
    public let key: String?
    public let value: [UInt8]

    public init(topic: String, partition: Int32, offset: Int64, key: String?, value: [UInt8]) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
    }
}

extension ConsumedMessage {
    /// Copies everything, so the librdkafka message can be destroyed right after.
    init(copying message: UnsafePointer<rd_kafka_message_t>) {
        let raw = message.pointee
        let topic = raw.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let key = raw.key.map { pointer in
            String(decoding: UnsafeRawBufferPointer(start: pointer, count: raw.key_len), as: UTF8.self)
        }
        let value =
            raw.payload.map { pointer in
                Array(UnsafeRawBufferPointer(start: pointer, count: raw.len))
            } ?? []
        self.init(topic: topic, partition: raw.partition, offset: raw.offset, key: key, value: value)
    }
}

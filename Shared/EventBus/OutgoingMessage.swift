/// A message to publish. The key decides the partition, so one aggregate's events stay in order;
/// an empty key is sent as a null key.
public struct OutgoingMessage: Sendable {
    public var topic: String
    public var key: String
    public var value: [UInt8]

    public init(topic: String, key: String, value: [UInt8]) {
        self.topic = topic
        self.key = key
        self.value = value
    }
}

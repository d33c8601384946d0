import Contracts

extension CloudEvent where Payload: JSONWritable {
    /// The event as ``CloudEventCoding/encode(_:)`` writes it (keys sorted, times to the millisecond in UTC, `/` as
    /// it is), written directly: Foundation's encoder was the largest single cost of creating a ticket.
    public var jsonBytes: [UInt8] {
        var json = JSONWriter(capacity: 1536, style: .event)
        json.beginObject()
        json.member("brandid", brandid)
        json.key("data")
        data.write(to: &json)
        json.member("datacontenttype", datacontenttype)
        json.member("id", id)
        json.member("source", source)
        json.member("specversion", specversion)
        json.member("subject", subject)
        json.member("time", time)
        json.member("type", type)
        json.endObject()
        return json.bytes
    }
}

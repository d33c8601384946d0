/// A value that writes itself with a ``JSONWriter`` (instead of `Encodable` through Foundation's encoder), in the
/// shape its `Codable` conformance gives, members in key order.
public protocol JSONWritable: Sendable {
    func write(to json: inout JSONWriter)
}

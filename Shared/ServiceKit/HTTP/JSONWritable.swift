import Hummingbird

/// A value that writes itself with a ``JSONWriter`` (instead of `Encodable` through Foundation's encoder), in the
/// shape its `Codable` conformance gives, members in key order.
public protocol JSONWritable: Sendable {
    func write(to json: inout JSONWriter)
}

/// A value answered as `200 application/json` by writing itself (a list page, search results, a ticket).
public protocol JSONResponse: JSONWritable, ResponseGenerator {
    /// Bytes to reserve before writing.
    var expectedJSONSize: Int { get }
}

extension JSONResponse {
    public var expectedJSONSize: Int { 1024 }

    /// The value as it is answered.
    public var json: JSONWriter {
        var json = JSONWriter(capacity: expectedJSONSize)
        write(to: &json)
        return json
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        json.response
    }
}

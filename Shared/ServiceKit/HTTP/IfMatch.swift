import Foundation
import HTTPTypes
import Hummingbird

/// Optimistic concurrency: resources carry `ETag: "<version>"`, and a change sent with `If-Match` applies only to
/// that version (412 otherwise).
public enum IfMatch {
    /// The version the client expects, nil when it sent no If-Match or `*` (any current version: the resource exists,
    /// or the route answers 404). A weak ETag never matches (If-Match compares strongly, RFC 9110 13.1.1): 412. A list
    /// of ETags, or one this API never issued (`"+1"` and `"01"` too: the API writes `"1"`), is a 400.
    public static func version(_ request: Request) throws -> Int? {
        guard let header = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces), header != "*" else { return nil }
        return try version(fromETag: header)
    }

    public static func version(fromETag etag: String) throws -> Int {
        if etag.hasPrefix("W/") { throw Problem.preconditionFailed("If-Match compares strong ETags; a weak one never matches.") }
        let digits = etag.utf8.dropFirst().dropLast()
        guard etag.utf8.count > 2, etag.hasPrefix("\""), etag.hasSuffix("\""), digits.allSatisfy({ (0x30...0x39).contains($0) }),
            digits.count == 1 || digits.first != 0x30, let version = Int(etag.dropFirst().dropLast())
        else {
            throw Problem.badRequest("If-Match must be one ETag this API issued, such as \"3\", or *.")
        }
        return version
    }

    public static func etag(_ version: Int) -> String { "\"\(version)\"" }
}

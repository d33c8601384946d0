import Foundation
import HTTPTypes
import Hummingbird

/// Optimistic concurrency: resources carry `ETag: "<version>"`, and a change sent with `If-Match` applies only to
/// that version (412 otherwise).
public enum IfMatch {
    /// The version the client expects, nil when it sent no If-Match; 400 for an ETag this API never issued.
    public static func version(_ request: Request) throws -> Int? {
        try request.headers[.ifMatch].map(version(fromETag:))
    }

    public static func version(fromETag etag: String) throws -> Int {
        let digits = etag.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard let version = Int(digits) else { throw Problem.badRequest("If-Match must be an ETag this API issued.") }
        return version
    }

    public static func etag(_ version: Int) -> String { "\"\(version)\"" }
}

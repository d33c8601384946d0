import Foundation
import HTTPTypes

/// `Expect: 100-continue` (RFC 9110 §10.1.1): the client waits for an interim 100 (Continue) before sending its body,
/// or for the final answer instead. The gateway reads bodies whole before forwarding them, so it answers the
/// expectation itself, and the service never sees it.
enum ContinueExpectation {
    static let field = HTTPField.Name("Expect")!

    /// Whether the request asks for a 100 (Continue) before its body.
    static func asked(_ head: HTTPRequest) -> Bool {
        head.headerFields[values: field].contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "100-continue" }
    }

    /// The body's length as the head announces it, when it does.
    static func announcedLength(_ head: HTTPRequest) -> Int? {
        head.headerFields[.contentLength].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}

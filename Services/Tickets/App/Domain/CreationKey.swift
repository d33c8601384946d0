import Crypto
import Foundation
import ServiceKit

/// A client's `Idempotency-Key` on `POST /api/v1/tickets`, so that a submission whose answer was lost (a dropped
/// connection, a service restarted mid-request) can be sent again without making a second ticket: the retry
/// answers the ticket the first one created.
///
/// The key is kept per caller (a signed-in user, or anonymous submissions to one brand), so two callers' keys never
/// meet, with a fingerprint of what was asked, so that the same key on a different request is refused instead of
/// answered with a ticket that request did not make.
public struct CreationKey: Sendable, Equatable {
    /// The caller's scope and the client's key, as stored.
    public var scoped: String
    /// SHA-256 (hex) of the request's fields.
    public var fingerprint: String

    public static let maximumLength = 255

    public init(scoped: String, fingerprint: String) {
        self.scoped = scoped
        self.fingerprint = fingerprint
    }

    /// The key of a request from `caller` (a user id; nil when anonymous) to `brandID`, or nil without the header.
    /// A key is 1 to 255 visible ASCII characters; anything else is a 400.
    public static func of(_ request: CreateTicketRequest, header value: String?, caller: String?, brandID: String?) throws -> CreationKey? {
        guard let value else { return nil }
        guard (1...maximumLength).contains(value.utf8.count), value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem.badRequest("Idempotency-Key is 1 to \(maximumLength) visible ASCII characters.")
        }
        let scope = caller.map { "user:\($0.lowercased())" } ?? "anonymous:\(brandID?.lowercased() ?? "")"
        return CreationKey(scoped: "\(scope) \(value)", fingerprint: fingerprint(of: request))
    }

    /// What a keyed request does, given what its key already made (the ticket and that request's fingerprint).
    public func outcome(given earlier: (ticketID: UUID, fingerprint: String)?) -> Outcome {
        guard let earlier else { return .create }
        return earlier.fingerprint == fingerprint ? .replay(earlier.ticketID) : .refuse
    }

    public enum Outcome: Equatable, Sendable {
        /// The key is new: create the ticket and keep the key with it.
        case create
        /// The same request again: answer this ticket.
        case replay(UUID)
        /// The key was used for a different request.
        case refuse
    }

    /// SHA-256 of the request's fields, each named and length-prefixed, custom fields in key order: the same for the
    /// same request whatever its JSON's spacing or member order.
    static func fingerprint(of request: CreateTicketRequest) -> String {
        var fields: [(String, String?)] = [
            ("departmentID", request.departmentID.lowercased()), ("groupID", request.groupID?.lowercased()), ("subject", request.subject),
            ("body", request.body), ("bodyHTML", request.bodyHTML), ("email", request.email?.lowercased()),
            ("customerEmail", request.customerEmail?.lowercased()), ("priority", request.priority?.rawValue),
            ("incoming", request.incoming.map(String.init)), ("status", request.status?.rawValue),
        ]
        for (id, value) in (request.customFields ?? [:]).sorted(by: { $0.key < $1.key }) { fields.append(("customField." + id, value)) }
        var text = ""
        for (name, value) in fields {
            guard let value else { continue }
            text += "\(name)=\(value.utf8.count):\(value)\n"
        }
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

import Crypto
import Foundation
import ServiceKit

/// A client's `Idempotency-Key` on a new ticket (`POST /api/v1/tickets`), a customer's message
/// (`POST …/{id}/messages`), an agent's reply (`POST …/{id}/replies`) or a file (`POST …/{id}/attachments`), so that a submission whose answer was lost (a dropped connection, a service restarted
/// mid-request) can be sent again without writing it twice: the retry answers the ticket the first one wrote.
///
/// The key is kept per caller (a signed-in user, or anonymous submissions to one brand), so two callers' keys never
/// meet, with a fingerprint of what was asked (the operation and its fields), so that the same key on a different
/// request is refused instead of answered with a ticket that request did not make.
public struct RequestKey: Sendable, Equatable {
    /// The caller's scope and the client's key, as stored.
    public var scoped: String
    /// SHA-256 (hex) of the operation and the request's fields.
    public var fingerprint: String

    public static let maximumLength = 255

    public init(scoped: String, fingerprint: String) {
        self.scoped = scoped
        self.fingerprint = fingerprint
    }

    /// The key of a new ticket from `caller` (a user id; nil when anonymous) to `brandID`, or nil without the header.
    public static func creation(_ request: CreateTicketRequest, header: String?, caller: String?, brandID: String?) throws -> RequestKey? {
        var fields: [(String, String?)] = [
            ("operation", "create"), ("departmentID", request.departmentID.lowercased()), ("groupID", request.groupID?.lowercased()),
            ("subject", request.subject), ("body", request.body), ("bodyHTML", request.bodyHTML), ("email", request.email?.lowercased()),
            ("customerEmail", request.customerEmail?.lowercased()), ("priority", request.priority?.rawValue),
            ("incoming", request.incoming.map(String.init)), ("status", request.status?.rawValue),
            ("pin", request.pin.map(String.init)), ("followUp", canonical(request.followUp)),
            ("attachmentIDs", request.attachmentIDs.map { $0.map { $0.lowercased() }.joined(separator: ",") }),
            ("formID", request.formID?.lowercased()), ("agentID", request.agentID?.lowercased()), ("to", addresses(request.to)),
            ("cc", addresses(request.cc)), ("bcc", addresses(request.bcc)), ("comment", canonical(request.comment)),
        ]
        for (id, value) in (request.customFields ?? [:]).sorted(by: { $0.key < $1.key }) { fields.append(("customField." + id, value)) }
        return try make(header: header, caller: caller, brandID: brandID, fields: fields)
    }

    /// The key of a customer's message to `ticketID`.
    public static func message(_ request: CustomerMessageRequest, ticketID: String, header: String?, caller: String) throws -> RequestKey? {
        try make(
            header: header, caller: caller, brandID: nil,
            fields: [
                ("operation", "message"), ("ticketID", ticketID.lowercased()), ("body", request.body), ("bodyHTML", request.bodyHTML),
                ("attachmentIDs", request.attachmentIDs.map { $0.map { $0.lowercased() }.joined(separator: ",") }),
            ])
    }

    /// The key of an agent's reply to `ticketID`.
    public static func reply(_ request: ReplyRequest, ticketID: String, header: String?, caller: String) throws -> RequestKey? {
        try make(
            header: header, caller: caller, brandID: nil,
            fields: [
                ("operation", "reply"), ("ticketID", ticketID.lowercased()), ("body", request.body), ("bodyHTML", request.bodyHTML),
                ("sendVariant", request.sendVariant?.rawValue), ("to", addresses(request.to)), ("cc", addresses(request.cc)),
                ("bcc", addresses(request.bcc)), ("subject", request.subject), ("followUp", canonical(request.followUp)),
                ("transfer", canonical(request.transfer)), ("attachmentIDs", request.attachmentIDs.map { $0.map { $0.lowercased() }.joined(separator: ",") }),
                ("formID", request.formID?.lowercased()),
            ])
    }

    /// The key of a file uploaded to `ticketID` (`POST …/{id}/attachments`), its bytes as their SHA-256.
    public static func attachment(
        ticketID: String, filename: String, contentType: String, bytes: some Sequence<UInt8>, isInternal: Bool, header: String?, caller: String
    ) throws -> RequestKey? {
        guard header != nil else { return nil }
        return try make(
            header: header, caller: caller, brandID: nil,
            fields: [
                ("operation", "attachment"), ("ticketID", ticketID.lowercased()), ("filename", filename), ("contentType", contentType),
                ("internal", String(isInternal)), ("bytes", sha256(Data(bytes))),
            ])
    }

    /// A list of addresses as one field, lower-cased in their order.
    private static func addresses(_ list: [String]?) -> String? {
        list.map { $0.map { $0.lowercased() }.joined(separator: ",") }
    }

    /// A part of a request as JSON with sorted keys: the same part always reads the same.
    private static func canonical<Part: Encodable>(_ part: Part?) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        return part.flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// A key is 1 to 255 visible ASCII characters; anything else is a 400.
    static func make(header value: String?, caller: String?, brandID: String?, fields: [(String, String?)]) throws -> RequestKey? {
        guard let value else { return nil }
        guard (1...maximumLength).contains(value.utf8.count), value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem.badRequest("Idempotency-Key is 1 to \(maximumLength) visible ASCII characters.")
        }
        let scope = caller.map { "user:\($0.lowercased())" } ?? "anonymous:\(brandID?.lowercased() ?? "")"
        return RequestKey(scoped: "\(scope) \(value)", fingerprint: fingerprint(fields))
    }

    /// What a keyed request does, given what its key already wrote (the ticket and that request's fingerprint).
    public func outcome(given earlier: (ticketID: UUID, fingerprint: String)?) -> Outcome {
        guard let earlier else { return .write }
        return earlier.fingerprint == fingerprint ? .replay(earlier.ticketID) : .refuse
    }

    public enum Outcome: Equatable, Sendable {
        /// The key is new: write the request and keep the key with its ticket.
        case write
        /// The same request again: answer this ticket, write nothing.
        case replay(UUID)
        /// The key was used for a different request.
        case refuse
    }

    /// The key sent with a different request: a 422 that writes nothing.
    public static var usedForAnotherRequest: Problem {
        Problem.unprocessable(
            "This Idempotency-Key was sent with a different request.", errors: [.init(field: "Idempotency-Key", message: "used for another request")])
    }

    /// SHA-256 of the fields present, each named and length-prefixed: the same for the same request whatever its
    /// JSON's spacing or member order.
    static func fingerprint(_ fields: [(String, String?)]) -> String {
        var text = ""
        for (name, value) in fields {
            guard let value else { continue }
            text += "\(name)=\(value.utf8.count):\(value)\n"
        }
        return sha256(Data(text.utf8))
    }

    private static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

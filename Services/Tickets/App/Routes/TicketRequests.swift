import Auth
import Contracts
import Foundation
import ServiceKit

/// `POST /api/v1/tickets`: a portal user names a department; an agent also names the customer's email, may
/// pick a group and mark the ticket incoming.
public struct CreateTicketRequest: Decodable, Sendable {
    public var departmentID: String
    public var groupID: String?
    public var subject: String
    public var body: String?
    public var bodyHTML: String?
    public var email: String?
    public var customerEmail: String?
    public var priority: TicketPriority?
    public var incoming: Bool?
    public var status: TicketStatus?
    /// Values of the department template's fields, by field id.
    public var customFields: [String: String]?
    /// An agent's ticket: its agent (absent: the creating agent; "auto": the group's round robin) and the first
    /// message's recipients (To defaults to the customer's address).
    public var agentID: String?
    public var to: [String]?
    public var cc: [String]?
    public var bcc: [String]?
    /// An agent's ticket: Pin (kept by its agent) and Send and Schedule Follow-up, written with the ticket.
    public var pin: Bool?
    public var followUp: FollowUpRequest?
    /// Attach Files: ids of the submitter's uploads (`POST …/uploads`) the first message carries.
    public var attachmentIDs: [String]?
    /// A portal visitor who is not signed in: the `claim` each of their uploads answered.
    public var uploadClaims: [String]?
    /// An agent's outbound ticket: Insert Form, the form whose link replaces `#FormLink#` in the first message.
    public var formID: String?
    /// An agent's ticket: Add Comment or Add Resolution in the new-ticket window, written with it (before the close
    /// guards of a ticket created Closed, which may require a resolution).
    public var comment: CommentRequest?
    /// An agent's ticket: Add Time Log in the new-ticket window (their time, as `POST …/{id}/time-logs` takes it).
    public var timeLog: TimeLogRequest?
    /// An agent's ticket: Add Related Item in the new-ticket window, each as `POST …/{id}/related` takes it.
    public var relatedItems: [RelatedItemRequest]?
    /// The solved built-in CAPTCHA, which unverified users send while it is on (`GET /api/v1/identity/captcha`).
    public var captcha: ProofOfWorkCaptcha.Answer?
    /// The token Google reCAPTCHA's widget gave, which they send instead while Options → Captcha is set to it.
    public var captchaResponse: String?
    /// The portal's privacy policy consent, required when the brand has one enabled (``BrandPortalSettings``).
    public var privacyPolicyConsent: Bool?

    /// The fields given that only an agent's ticket for a customer (`customerEmail`) takes, by name.
    public var agentTicketFields: [String] {
        let given: [(String, Bool)] = [
            ("groupID", groupID != nil), ("agentID", agentID != nil), ("priority", priority != nil), ("incoming", incoming != nil),
            ("status", status != nil), ("to", to != nil), ("cc", cc != nil), ("bcc", bcc != nil), ("pin", pin != nil),
            ("followUp", followUp != nil), ("formID", formID != nil), ("comment", comment != nil), ("timeLog", timeLog != nil),
            ("relatedItems", relatedItems != nil),
        ]
        return given.filter(\.1).map(\.0)
    }
}

/// `POST …/{id}/replies`; `followUp` goes with the `follow_up` send variant and `transfer` with `transfer`.
public struct ReplyRequest: Decodable, Sendable {
    public var body: String?
    public var bodyHTML: String?
    public var sendVariant: SendVariant?
    public var to: [String]?
    public var cc: [String]?
    public var bcc: [String]?
    /// This reply's subject when it differs from the ticket's (the ticket keeps its own; Change Subject changes that).
    public var subject: String?
    public var followUp: FollowUpRequest?
    public var transfer: TransferRequest?
    /// Attach Files: ids of the ticket's attachments (uploaded first, not internal) the reply carries.
    public var attachmentIDs: [String]?
    /// Send Form: the form whose link replaces `#FormLink#` in the body (the form's Email Introduction, as edited).
    public var formID: String?
}

/// `POST …/{id}/time-logs` and `POST …/tasks/{taskID}/time-logs`.
public struct TimeLogRequest: Decodable, Sendable {
    public var minutes: Int
    public var categoryID: String?
    public var description: String?
    public var subject: String?
    public var billable: Bool?
}

/// `POST …/{id}/related`, and each of a new ticket's `relatedItems`.
public struct RelatedItemRequest: Decodable, Sendable {
    public var kind: String
    public var itemID: String
}

/// `POST …/{id}/messages` (the customer).
public struct CustomerMessageRequest: Decodable, Sendable {
    public var body: String?
    public var bodyHTML: String?
    /// The customer's uploads (`POST …/uploads`) the message carries: they become the ticket's attachments with it.
    public var attachmentIDs: [String]?
}

/// `POST …/{id}/transfer` (and a reply's `transfer`): no `groupID` keeps the ticket's group, no `agentID` is the
/// group's round robin.
public struct TransferRequest: Codable, Sendable {
    public var groupID: String?
    public var agentID: String?
    public var comment: String?
    public var priority: TicketPriority?
    public var status: TicketStatus?
    public var pin: Bool?
}

/// `PUT …/{id}/follow-up` (and a reply's `followUp`): no `agentID` is the agent who schedules it, `"auto"` the
/// round robin of its group when it fires.
public struct FollowUpRequest: Codable, Sendable {
    public var at: Date
    public var note: String?
    public var groupID: String?
    public var agentID: String?
    public var priority: TicketPriority?
    public var pin: Bool?
}

/// `POST …/{id}/comments`.
public struct CommentRequest: Codable, Sendable {
    public var type: CommentType?
    public var body: String
}

/// The checks every request body goes through before anything is written.
enum TicketInput {
    /// A comment's type and trimmed body, once the caller may add that type (Add Comment, or Add Resolution).
    static func comment(_ body: CommentRequest, by principal: Principal) throws -> (type: CommentType, body: String) {
        let type = body.type ?? .general
        try Authorization.require(principal, .tickets, type == .resolution ? "Add Resolution" : "Add Comment")
        let text = body.body.trimmedText
        guard (1...maximumBody).contains(text.count) else {
            throw Problem.unprocessable("A comment has 1 to \(maximumBody) characters.", errors: [.init(field: "body", message: "1...\(maximumBody) characters")])
        }
        return (type, text)
    }

    static let maximumSubject = 250
    static let maximumBody = 100_000

    static func subject(_ raw: String) throws -> String {
        let subject = raw.trimmedText
        // Counted in Unicode scalars: a character can carry any number of combining marks, and the subject is an
        // index key (an entry holds at most 2,704 bytes).
        // Invisible characters alone (a byte order mark, zero-width joiners) make no subject either.
        let visible = subject.unicodeScalars.contains { $0.properties.generalCategory != .format && $0 != "\u{200B}" }
        guard (1...maximumSubject).contains(subject.unicodeScalars.count), visible, !subject.contains(where: \.isNewline) else {
            throw Problem.unprocessable("A subject has 1 to \(maximumSubject) characters on one line.",
                                        errors: [.init(field: "subject", message: "1...\(maximumSubject) characters, one line")])
        }
        return subject
    }

    /// The safe HTML and text of a body given as `body` (text) or `bodyHTML`.
    static func body(text: String?, html: String?) throws -> (html: String, text: String) {
        let given = (html ?? "") + (text ?? "")
        guard given.nonEmptyText != nil else {
            throw Problem.unprocessable("A message needs a body.", errors: [.init(field: "body", message: "is required")])
        }
        guard given.count <= maximumBody else {
            throw Problem.unprocessable("A message holds at most \(maximumBody) characters.", errors: [.init(field: "body", message: "too long")])
        }
        let body = SafeHTML.body(html: html, text: text)
        // Markup with no text (`<p></p><br>`) is no message (a message's HTML keeps no pictures).
        guard !body.text.isEmpty else {
            throw Problem.unprocessable("A message needs a body.", errors: [.init(field: "body", message: "is empty once made safe")])
        }
        return body
    }

    static func email(_ raw: String?, field: String) throws -> String {
        guard let email = EmailAddress.validated(raw ?? "") else {
            throw Problem.unprocessable("\(field) must be an email address.", errors: [.init(field: field, message: "is not an email address")])
        }
        return email
    }

    static func followUp(_ body: FollowUpRequest, scheduledBy agent: String) throws -> FollowUp {
        let assignee: String? = switch body.agentID {
        case nil: agent
        case "auto": nil
        case let id: try uuid(id, field: "agentID").lowercased
        }
        return FollowUp(
            at: body.at, note: try note(body.note, field: "note"), groupID: try body.groupID.map { try uuid($0, field: "groupID").lowercased }, agentID: assignee,
            priority: body.priority, pin: body.pin ?? false)
    }

    static func transfer(_ body: TransferRequest) throws -> TicketTransfer {
        TicketTransfer(
            groupID: try body.groupID.map { try uuid($0, field: "groupID") }, agentID: try body.agentID.map { try uuid($0, field: "agentID") },
            comment: try note(body.comment, field: "comment"), priority: body.priority, status: body.status, pin: body.pin ?? false)
    }

    /// A follow-up's note or a transfer's comment: at most as long as a comment's body.
    static func note(_ raw: String?, field: String) throws -> String? {
        guard let raw, raw.count > maximumBody else { return raw }
        throw Problem.unprocessable("The \(field) holds at most \(maximumBody) characters.", errors: [.init(field: field, message: "1...\(maximumBody) characters")])
    }

    /// A reply's follow-up and transfer belong to their send variants, and each of those variants needs its part.
    static func checkVariant(_ body: ReplyRequest) throws {
        let variant = body.sendVariant ?? .waiting
        for (field, given, needed) in [("followUp", body.followUp != nil, SendVariant.followUp), ("transfer", body.transfer != nil, .transfer)]
        where given != (variant == needed) {
            throw Problem.unprocessable(
                given ? "\(field) goes with the \(needed.rawValue) send variant." : "The \(needed.rawValue) send variant needs \(field).",
                errors: [.init(field: field, message: given ? "only with sendVariant \(needed.rawValue)" : "is required")])
        }
    }

    /// The addresses one recipient line (To, Cc or Bcc) may hold: a reply is a message to a conversation, not a mailing.
    static let maximumRecipients = 50

    static func emails(_ raw: [String]?, field: String) throws -> [String] {
        let raw = raw ?? []
        guard raw.count <= maximumRecipients else {
            throw Problem.unprocessable(
                "\(field) holds at most \(maximumRecipients) addresses.", errors: [.init(field: field, message: "at most \(maximumRecipients) addresses")])
        }
        return try raw.map { try email($0, field: field) }
    }

    static func uuid(_ raw: String?, field: String) throws -> UUID {
        guard let raw, let id = UUID(parsing: raw) else {
            throw Problem.unprocessable("\(field) must be an id.", errors: [.init(field: field, message: "is not an id")])
        }
        return id
    }
}

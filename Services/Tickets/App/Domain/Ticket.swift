import Foundation

/// A ticket as the API shows it and as `tickets.events` carry it.
public struct Ticket: Codable, Sendable, Equatable {
    public var id: String
    public var number: String
    public var brandID: String
    public var departmentID: String
    public var groupID: String
    public var agentID: String?
    public var customerUserID: String?
    public var customerEmail: String
    public var subject: String
    public var status: TicketStatus
    public var priority: TicketPriority
    public var pinned: Bool
    public var messagesIn: Int
    public var messagesOut: Int
    public var createdAt: Date
    public var idleSince: Date
    public var closedAt: Date?
    public var followUp: FollowUp?
    public var version: Int
    /// The language tag of the ticket's department when the ticket was opened or transferred there.
    public var language: String
    /// The Timing alerts raised (Settings → Tickets → Timing): idle while Active, duration while Active or Waiting.
    public var idleAlert: TimingAlertLevel
    public var durationAlert: TimingAlertLevel
    /// When and by whom the ticket was deleted: set only on a deleted ticket, which opens read-only until it is purged
    /// (by nobody when a department's Auto-Delete did it).
    public var deletedAt: Date? = nil
    public var deletedBy: String? = nil

    public var etag: String { "\"\(version)\"" }

    public init(
        id: String, number: String, brandID: String, departmentID: String, groupID: String, agentID: String?, customerUserID: String?,
        customerEmail: String, subject: String, status: TicketStatus, priority: TicketPriority, pinned: Bool, messagesIn: Int, messagesOut: Int,
        createdAt: Date, idleSince: Date, closedAt: Date?, followUp: FollowUp?, version: Int, language: String = "en",
        idleAlert: TimingAlertLevel = .none, durationAlert: TimingAlertLevel = .none
    ) {
        self.id = id
        self.number = number
        self.brandID = brandID
        self.departmentID = departmentID
        self.groupID = groupID
        self.agentID = agentID
        self.customerUserID = customerUserID
        self.customerEmail = customerEmail
        self.subject = subject
        self.status = status
        self.priority = priority
        self.pinned = pinned
        self.messagesIn = messagesIn
        self.messagesOut = messagesOut
        self.createdAt = createdAt
        self.idleSince = idleSince
        self.closedAt = closedAt
        self.followUp = followUp
        self.version = version
        self.language = language
        self.idleAlert = idleAlert
        self.durationAlert = durationAlert
    }
}

/// A follow-up: at its time the ticket becomes Active for its agent (whatever their status), with the new group,
/// priority and pin it names, and the follow-up stays marked `due` until the agent deals with the ticket
/// (``FollowUpRules``). A customer's message suspends a scheduled one (the values stay for the next one).
public struct FollowUp: Codable, Sendable, Equatable {
    public var at: Date
    public var note: String?
    public var groupID: String?
    public var agentID: String?
    public var priority: TicketPriority?
    public var pin: Bool
    /// Its time has come and the agent has not yet dealt with the ticket: the red follow-up marker.
    public var due: Bool

    public init(at: Date, note: String?, groupID: String?, agentID: String?, priority: TicketPriority?, pin: Bool, due: Bool = false) {
        self.at = at
        self.note = note
        self.groupID = groupID
        self.agentID = agentID
        self.priority = priority
        self.pin = pin
        self.due = due
    }

    private enum CodingKeys: String, CodingKey {
        case at, note, groupID, agentID, priority, pin, due
    }

    /// Events written before the due marker existed carry no `due`: those follow-ups were scheduled.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        at = try container.decode(Date.self, forKey: .at)
        note = try container.decodeIfPresent(String.self, forKey: .note)
        groupID = try container.decodeIfPresent(String.self, forKey: .groupID)
        agentID = try container.decodeIfPresent(String.self, forKey: .agentID)
        priority = try container.decodeIfPresent(TicketPriority.self, forKey: .priority)
        pin = try container.decode(Bool.self, forKey: .pin)
        due = try container.decodeIfPresent(Bool.self, forKey: .due) ?? false
    }
}

/// A message in or out, with its safe HTML and plain-text alternative.
public struct TicketMessage: Codable, Sendable, Equatable {
    public enum Direction: String, Codable, Sendable {
        case incoming = "in"
        case outgoing = "out"
    }

    public var id: String
    public var ticketID: String
    public var direction: Direction
    public var authorID: String?
    public var from: String
    public var to: [String]
    public var cc: [String]
    public var bcc: [String]
    public var bodyHTML: String
    public var bodyText: String
    public var createdAt: Date
    /// The subject a reply was sent with when the agent changed it for that reply only (the ticket keeps its own).
    public var subject: String? = nil
    /// The previous messages a reply quotes below its text when it is sent (Settings → Tickets: Max Messages in
    /// Replies), kept apart from the text the agent wrote; nil when none.
    public var quotedHTML: String? = nil
    public var quotedText: String? = nil
}

/// A comment agents keep on a ticket (never shown to the customer).
public struct TicketComment: Codable, Sendable, Equatable {
    public var id: String
    public var ticketID: String
    public var type: CommentType
    public var authorID: String?
    public var body: String
    public var createdAt: Date

    /// What `ticket.comment_added` tells of it.
    var eventDetails: [String: String] { ["commentID": id, "type": type.rawValue] }
}

/// One entry of the Communication timeline: a message, a comment or an attachment, in the order they came.
public struct TimelineItem: Codable, Sendable, Equatable {
    public var kind: String
    public var message: TicketMessage?
    public var comment: TicketComment?
    public var attachment: TicketAttachment?
    public var at: Date
    public var id: String

    public init(kind: String, message: TicketMessage? = nil, comment: TicketComment? = nil, attachment: TicketAttachment? = nil, at: Date, id: String) {
        self.kind = kind
        self.message = message
        self.comment = comment
        self.attachment = attachment
        self.at = at
        self.id = id
    }
}

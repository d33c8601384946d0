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

    public var etag: String { "\"\(version)\"" }

    public init(
        id: String, number: String, brandID: String, departmentID: String, groupID: String, agentID: String?, customerUserID: String?,
        customerEmail: String, subject: String, status: TicketStatus, priority: TicketPriority, pinned: Bool, messagesIn: Int, messagesOut: Int,
        createdAt: Date, idleSince: Date, closedAt: Date?, followUp: FollowUp?, version: Int
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
    }
}

/// A scheduled follow-up: at its time the ticket becomes Active for its agent (whatever their status), with the
/// new group, priority and pin it names. A customer's message suspends it (the values stay for the next one).
public struct FollowUp: Codable, Sendable, Equatable {
    public var at: Date
    public var note: String?
    public var groupID: String?
    public var agentID: String?
    public var priority: TicketPriority?
    public var pin: Bool

    public init(at: Date, note: String?, groupID: String?, agentID: String?, priority: TicketPriority?, pin: Bool) {
        self.at = at
        self.note = note
        self.groupID = groupID
        self.agentID = agentID
        self.priority = priority
        self.pin = pin
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
}

/// A comment agents keep on a ticket (never shown to the customer).
public struct TicketComment: Codable, Sendable, Equatable {
    public var id: String
    public var ticketID: String
    public var type: CommentType
    public var authorID: String?
    public var body: String
    public var createdAt: Date
}

/// One entry of the timeline: a message or a comment.
public struct TimelineItem: Codable, Sendable, Equatable {
    public var kind: String
    public var message: TicketMessage?
    public var comment: TicketComment?
    public var at: Date
    public var id: String
}

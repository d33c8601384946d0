/// `ticket.create` on `tickets.commands`: another service opens a ticket (e.g. an offline live-chat message).
/// The command's CloudEvent id makes it idempotent: a redelivered command opens no second ticket.
public struct OpenTicketCommand: Codable, Sendable, Equatable {
    public static let type = "ticket.create"

    public var departmentID: String
    public var groupID: String?
    public var customerEmail: String
    public var customerUserID: String?
    public var subject: String
    public var bodyText: String?
    public var bodyHTML: String?
    /// Where it came from, e.g. "livechat".
    public var source: String
    /// The whole email with its headers, when it came by email: the ticket keeps it for Raw Content.
    public var rawContent: String?
    /// Whom else the customer's email was addressed to and copied (not the help desk's own addresses, which the sender
    /// leaves out): Reply All copies them.
    public var to: [String]?
    public var cc: [String]?
    /// The files the email carried.
    public var attachments: [MailAttachment]?

    public init(
        departmentID: String, groupID: String? = nil, customerEmail: String, customerUserID: String? = nil, subject: String,
        bodyText: String? = nil, bodyHTML: String? = nil, source: String, rawContent: String? = nil, to: [String]? = nil, cc: [String]? = nil,
        attachments: [MailAttachment]? = nil
    ) {
        self.departmentID = departmentID
        self.groupID = groupID
        self.customerEmail = customerEmail
        self.customerUserID = customerUserID
        self.subject = subject
        self.bodyText = bodyText
        self.bodyHTML = bodyHTML
        self.source = source
        self.rawContent = rawContent
        self.to = to
        self.cc = cc
        self.attachments = attachments
    }
}

/// A file an email carried, as a ticket command hands it over.
public struct MailAttachment: Codable, Sendable, Equatable {
    public var filename: String
    public var contentType: String?
    /// The file's bytes, base64-encoded.
    public var data: String

    public init(filename: String, contentType: String? = nil, data: String) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

/// `ticket.reply_bounced` on `tickets.commands`: whoever sends tickets' mail received a non-delivery report for an
/// outgoing message, and the ticket returns to Active (even from Closed and Locked) so an agent sees the customer
/// did not get the answer.
public struct ReplyBouncedCommand: Codable, Sendable, Equatable {
    public static let type = "ticket.reply_bounced"

    public var messageID: String
    /// The non-delivery report's reason, e.g. "550 5.1.1 mailbox unavailable".
    public var reason: String?

    public init(messageID: String, reason: String? = nil) {
        self.messageID = messageID
        self.reason = reason
    }
}

/// `ticket.add_message` on `tickets.commands`: a customer's message for the ticket whose number it names (an email
/// reply whose subject carries the number, say). A merged ticket's number leads to the ticket it was merged into. A
/// ticket that is Closed and Locked ("locked tickets cannot be replied to by the customer"), deleted or unknown gets
/// a new ticket instead, in the old ticket's department or else `departmentID`, so nothing the customer sent is lost.
public struct AddTicketMessageCommand: Codable, Sendable, Equatable {
    public static let type = "ticket.add_message"

    public var ticketNumber: String
    public var fromAddress: String
    public var customerUserID: String?
    /// The new ticket's subject, when there is one.
    public var subject: String
    public var bodyText: String?
    public var bodyHTML: String?
    /// Where a new ticket goes when the number names no ticket at all.
    public var departmentID: String?
    /// Where it came from, e.g. "email".
    public var source: String
    /// The whole email with its headers: the message keeps it for Raw Content.
    public var rawContent: String?
    /// Whom else the email was addressed to and copied (not the help desk's own addresses): Reply All copies them.
    public var to: [String]?
    public var cc: [String]?
    /// The files the email carried.
    public var attachments: [MailAttachment]?

    public init(
        ticketNumber: String, fromAddress: String, customerUserID: String? = nil, subject: String, bodyText: String? = nil,
        bodyHTML: String? = nil, departmentID: String? = nil, source: String, rawContent: String? = nil, to: [String]? = nil, cc: [String]? = nil,
        attachments: [MailAttachment]? = nil
    ) {
        self.ticketNumber = ticketNumber
        self.fromAddress = fromAddress
        self.customerUserID = customerUserID
        self.subject = subject
        self.bodyText = bodyText
        self.bodyHTML = bodyHTML
        self.departmentID = departmentID
        self.source = source
        self.rawContent = rawContent
        self.to = to
        self.cc = cc
        self.attachments = attachments
    }
}

/// `ticket.apply_actions` on `tickets.commands`: the ticket actions an automation rule (the seed's ticket events)
/// takes, applied together in one change of the ticket, in this order: Transfer Ticket to a Group and Agent, Send Reply
/// to Ticket (or a Canned Reply the rule rendered), Set Ticket Status, Set Ticket Priority, then Pin or Unpin Ticket to
/// Agent. Values are the tickets API's (`active`,
/// `waiting`, `closed`, `closed_locked`; `low` … `urgent`). A status that fails the department's close guards, an
/// unknown group or a pin without an agent changes nothing; the command is dropped and logged.
public struct TicketActionsCommand: Codable, Sendable, Equatable {
    public static let type = "ticket.apply_actions"

    public var ticketID: String
    /// Who asks, e.g. "automation", and the rule (it shows as the actor of the ticket's history).
    public var source: String
    public var ruleID: String?
    public var transferGroupID: String?
    /// With `transferGroupID`: that member of the group; without, the group's round robin.
    public var transferAgentID: String?
    /// Send Reply to Ticket: the reply, as HTML (reduced to the safe subset) or plain text, to the ticket's customer.
    public var replyHTML: String?
    public var replyText: String?
    public var status: String?
    public var priority: String?
    public var pinned: Bool?

    public init(
        ticketID: String, source: String, ruleID: String? = nil, transferGroupID: String? = nil, transferAgentID: String? = nil,
        replyHTML: String? = nil, replyText: String? = nil, status: String? = nil, priority: String? = nil, pinned: Bool? = nil
    ) {
        self.ticketID = ticketID
        self.source = source
        self.ruleID = ruleID
        self.transferGroupID = transferGroupID
        self.transferAgentID = transferAgentID
        self.replyHTML = replyHTML
        self.replyText = replyText
        self.status = status
        self.priority = priority
        self.pinned = pinned
    }
}

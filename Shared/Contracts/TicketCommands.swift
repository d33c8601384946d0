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

    public init(
        departmentID: String, groupID: String? = nil, customerEmail: String, customerUserID: String? = nil, subject: String,
        bodyText: String? = nil, bodyHTML: String? = nil, source: String
    ) {
        self.departmentID = departmentID
        self.groupID = groupID
        self.customerEmail = customerEmail
        self.customerUserID = customerUserID
        self.subject = subject
        self.bodyText = bodyText
        self.bodyHTML = bodyHTML
        self.source = source
    }
}

import Foundation

/// The one draft a ticket keeps: a new one replaces it.
public struct TicketDraft: Codable, Sendable, Equatable {
    public var ticketID: String
    public var agentID: String
    public var bodyHTML: String
    public var to: [String]
    public var cc: [String]
    public var bcc: [String]
    public var updatedAt: Date
}

/// Time an agent spent on a ticket, optionally in a category; billable by the department's default unless said.
public struct TimeLog: Codable, Sendable, Equatable {
    public var id: String
    public var ticketID: String
    public var agentID: String
    public var categoryID: String?
    public var minutes: Int
    public var description: String
    public var billable: Bool
    public var createdAt: Date
}

/// A Time Log Category (one field: its name).
public struct TimeLogCategory: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
}

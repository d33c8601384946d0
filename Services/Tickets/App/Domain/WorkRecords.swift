import Contracts
import Foundation
import ServiceKit

/// The one draft a ticket keeps: a new one replaces it.
public struct TicketDraft: Codable, Sendable, Equatable {
    public var ticketID: String
    public var agentID: String
    public var bodyHTML: String
    public var to: [String]
    public var cc: [String]
    public var bcc: [String]
    public var updatedAt: Date
    /// The reply's own subject, when the agent changed it.
    public var subject: String? = nil
    /// The ticket's attachments chosen to go with the reply.
    public var attachmentIDs: [String] = []
    /// Counts the draft's saves; its `ETag`, which a save or discard sent with `If-Match` must match (412).
    public var version: Int = 1
}

/// Time an agent spent on a ticket, optionally in a category; billable by the department's default unless said.
public struct TimeLog: Codable, Sendable, Equatable {
    public var id: String
    /// The ticket or the task the time was logged on.
    public var ticketID: String?
    public var taskID: String? = nil
    public var agentID: String
    public var categoryID: String?
    public var minutes: Int
    public var description: String
    public var billable: Bool
    public var createdAt: Date
    /// The time log's title (Subject).
    public var subject: String = ""

    /// What its `ticket.timelog_*` events carry, as the log is (after an edit, before a deletion): enough for the
    /// billable-time and category reports without reading the log.
    var eventDetails: [String: String] {
        [
            "timeLogID": id, "agentID": agentID, "minutes": String(minutes), "billable": String(billable), "categoryID": categoryID ?? "",
            "subject": subject,
        ]
    }
}

/// A `PATCH …/{id}/time-logs/{logID}`: the fields given change; `categoryID: null` takes the category away.
public struct TimeLogEdit: Decodable, Sendable {
    public var minutes: Int?
    public var categoryID: FieldChange<String> = .unchanged
    public var description: String?
    public var subject: String?
    public var billable: Bool?

    enum CodingKeys: String, CodingKey { case minutes, categoryID, description, subject, billable }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        minutes = try container.decodeIfPresent(Int.self, forKey: .minutes)
        categoryID = try container.change(String.self, forKey: .categoryID)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        subject = try container.decodeIfPresent(String.self, forKey: .subject)
        billable = try container.decodeIfPresent(Bool.self, forKey: .billable)
    }
}

/// Add Time Log in the new-ticket window [S001:2954]: a time log written with the ticket, checked as ``TimeLogRules`` says.
public struct NewTimeLog: Sendable, Equatable {
    public var minutes: Int
    public var categoryID: UUID?
    public var description: String
    public var subject: String
    /// Nil: the department's default.
    public var billable: Bool?

    public init(minutes: Int, categoryID: UUID?, description: String, subject: String, billable: Bool?) {
        self.minutes = minutes
        self.categoryID = categoryID
        self.description = description
        self.subject = subject
        self.billable = billable
    }
}

public enum TimeLogRules {
    public static let minutes = 1...(24 * 60)
    public static let maximumSubject = 200
    public static let maximumDescription = 2_000

    /// A time log's minutes, subject and description as they are kept: 1 to 1440 minutes (422 otherwise), the
    /// subject trimmed and at most 200 characters, the description at most 2,000.
    public static func checked(minutes: Int, subject: String, description: String) throws -> (minutes: Int, subject: String, description: String) {
        guard Self.minutes.contains(minutes) else {
            throw Problem.unprocessable("A time log has 1 to 1440 minutes.", errors: [.init(field: "minutes", message: "1...1440")])
        }
        let subject = subject.trimmingCharacters(in: .whitespacesAndNewlines)
        guard subject.count <= maximumSubject else {
            throw Problem.unprocessable("A time log's subject has at most \(maximumSubject) characters.", errors: [.init(field: "subject", message: "too long")])
        }
        return (minutes, subject, String(description.prefix(maximumDescription)))
    }

    /// The log after `edit`, checked like a new one; the category is the id `categoryID` resolves to.
    public static func applying(_ edit: TimeLogEdit, to log: TimeLog, categoryID: String?) throws -> TimeLog {
        var next = log
        let checked = try checked(minutes: edit.minutes ?? log.minutes, subject: edit.subject ?? log.subject, description: edit.description ?? log.description)
        next.minutes = checked.minutes
        next.subject = checked.subject
        next.description = checked.description
        next.billable = edit.billable ?? log.billable
        next.categoryID = categoryID
        return next
    }

    /// The fields an edit changed, for `ticket.timelog_modified`.
    public static func changedFields(from before: TimeLog, to after: TimeLog) -> [String] {
        [
            ("minutes", before.minutes != after.minutes), ("categoryID", before.categoryID != after.categoryID),
            ("description", before.description != after.description), ("subject", before.subject != after.subject),
            ("billable", before.billable != after.billable),
        ].filter(\.1).map(\.0)
    }

    /// Who may edit or delete a time log: the agent who logged it, the managers of the ticket's department and
    /// administrators.
    public static func mayChange(_ log: TimeLog, of ticket: Ticket, caller: TicketCaller) -> Bool {
        log.agentID == caller.userID || caller.seesEverything || caller.ownManagedDepartments.contains(ticket.departmentID)
    }
}

/// A Time Log Category (one field: its name). A category deleted while time logs use it is `retired`: those logs
/// and the reports over them keep it, new time logs cannot take it, and another category may take its name.
public struct TimeLogCategory: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var retired: Bool

    public init(id: String, name: String, retired: Bool = false) {
        self.id = id
        self.name = name
        self.retired = retired
    }
}

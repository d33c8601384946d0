import Foundation
import Search

/// How a ticket is written into the search index: the subject weighs most, then messages, then comments and
/// resolutions; visibility and criteria are boolean terms, so they filter inside the query. Its text is stemmed in
/// the ticket's language (its department's), and searches match the text as stemmed in every language of the index.
public enum TicketSearchTerms {
    /// Bumped whenever the document shape changes: the index is then rebuilt from PostgreSQL.
    public static let schemaVersion = 6

    public static func group(_ id: String) -> String { "XG" + id }
    public static func department(_ id: String) -> String { "XD" + id }
    public static func brand(_ id: String) -> String { "XB" + id }
    public static func agent(_ id: String?) -> String { "XA" + (id ?? "queue") }
    public static func status(_ status: TicketStatus) -> String { "XS" + status.rawValue }
    public static func priority(_ priority: TicketPriority) -> String { "XP" + priority.rawValue }
    public static func email(_ email: String) -> String { "XE" + email.lowercased() }
    /// A custom field value: exact match, case-insensitive (long values are cut to keep the term short).
    public static func field(_ id: String, _ value: String) -> String { "XF" + id + ":" + String(value.lowercased().prefix(120)) }
    public static let deleted = "XDEL"
    /// The agent who deleted it ("Only deleted items" searched by who deleted them).
    public static func deletedBy(_ id: String) -> String { "XK" + id }
    public static let resolved = "XRES"
    /// The value slot of the creation time (``sortable(_:)`` seconds), for date ranges.
    public static let createdSlot: UInt32 = 0

    /// The texts a ticket is found by.
    public struct Texts: Sendable {
        public var messages: [String]
        public var comments: [String]
        public var resolutions: [String]
        public var fields: [String: String]
        /// The addresses of the customers who share it (of tickets merged into it), whom an Email Address search finds
        /// it by as by its own customer's.
        public var participants: [String]

        public init(messages: [String], comments: [String], resolutions: [String], fields: [String: String] = [:], participants: [String] = []) {
            self.messages = messages
            self.comments = comments
            self.resolutions = resolutions
            self.fields = fields
            self.participants = participants
        }
    }

    public static func document(_ ticket: Ticket, texts: Texts, deleted: Bool, deletedBy: String? = nil) -> SearchDocument {
        var filters = [
            group(ticket.groupID), department(ticket.departmentID), brand(ticket.brandID), agent(ticket.agentID), status(ticket.status),
            priority(ticket.priority), email(ticket.customerEmail),
        ] + texts.participants.map(email)
        if deleted { filters.append(Self.deleted) }
        if let deletedBy { filters.append(Self.deletedBy(deletedBy)) }
        filters += texts.fields.sorted { $0.key < $1.key }.map { field($0.key, $0.value) }
        if !texts.resolutions.isEmpty { filters.append(resolved) }
        return SearchDocument(
            id: ticket.id,
            fields: [
                SearchField(prefix: "S", text: ticket.subject, weight: 3),
                SearchField(prefix: "M", text: texts.messages.joined(separator: "\n"), weight: 1),
                SearchField(prefix: "C", text: texts.comments.joined(separator: "\n"), weight: 1),
                SearchField(prefix: "R", text: texts.resolutions.joined(separator: "\n"), weight: 2),
            ],
            filters: filters, values: [createdSlot: sortable(ticket.createdAt.timeIntervalSince1970)], data: ticket.number, language: ticket.language)
    }

    static func sortable(_ seconds: Double) -> String {
        let whole = String(Int64(max(0, seconds)))
        return String(repeating: "0", count: max(0, 12 - whole.count)) + whole
    }
}

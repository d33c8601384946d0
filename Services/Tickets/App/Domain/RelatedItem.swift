import Foundation

/// What a ticket's Related Items tab lists: "any tickets, live chats, call logs, time logs, tasks or files attached to
/// the ticket" [S001:3044]. Tickets, chats, call logs and tasks are linked here; time logs and files are the ticket's
/// own, attached through `…/time-logs` and `…/attachments`, and only shown.
public enum RelatedItemKind: String, Codable, Sendable, CaseIterable {
    case ticket, chat
    case callLog = "call_log"
    case task
    case timeLog = "time_log"
    case file

    /// Whether an agent links and unlinks it in the tab (`POST`/`DELETE …/related`).
    public var isLinked: Bool { self != .timeLog && self != .file }
}

/// A pointer from a ticket to another item. Adding or removing one changes neither item's status; between two
/// tickets it points both ways.
public struct RelatedItem: Codable, Sendable, Equatable {
    public var kind: RelatedItemKind
    public var itemID: String
    public var addedBy: String?
    public var addedAt: Date
    /// What the tab shows of a ticket or task the caller may read, a time log or a file; nil for another's ticket or
    /// task, and for chats and call logs, which other services keep.
    public var summary: Summary?

    /// A related ticket's number, subject and status, a task's subject and status, a time log's subject and minutes,
    /// a file's name and size in bytes.
    public struct Summary: Codable, Sendable, Equatable {
        public var number: String?
        public var subject: String
        public var status: String?
        public var minutes: Int?
        public var size: Int?
    }

    /// The tab: the linked items with the ticket's time logs and files, in the order they were added.
    public static func tab(linked: [RelatedItem], timeLogs: [TimeLog], files: [TicketAttachment]) -> [RelatedItem] {
        let logs = timeLogs.map {
            RelatedItem(
                kind: .timeLog, itemID: $0.id, addedBy: $0.agentID, addedAt: $0.createdAt,
                summary: .init(subject: $0.subject.isEmpty ? $0.description : $0.subject, minutes: $0.minutes))
        }
        let attached = files.map {
            RelatedItem(kind: .file, itemID: $0.id, addedBy: $0.uploadedBy, addedAt: $0.createdAt, summary: .init(subject: $0.filename, size: $0.size))
        }
        return (linked + logs + attached).enumerated()
            .sorted { ($0.element.addedAt, $0.offset) < ($1.element.addedAt, $1.offset) }
            .map(\.element)
    }
}

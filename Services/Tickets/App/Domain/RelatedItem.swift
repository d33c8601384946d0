import Foundation

/// What a ticket can point to in its Related Items tab: another ticket, a live chat, a call log or a task.
public enum RelatedItemKind: String, Codable, Sendable, CaseIterable {
    case ticket, chat
    case callLog = "call_log"
    case task
}

/// A pointer from a ticket to another item. Adding or removing one changes neither item's status; between two
/// tickets it points both ways.
public struct RelatedItem: Codable, Sendable, Equatable {
    public var kind: RelatedItemKind
    public var itemID: String
    public var addedBy: String?
    public var addedAt: Date
    /// What the tab shows of a ticket or task the caller may read; nil for another's, and for chats and call logs,
    /// which other services keep.
    public var summary: Summary?

    /// A related ticket's number, subject and status, or a task's subject and status.
    public struct Summary: Codable, Sendable, Equatable {
        public var number: String?
        public var subject: String
        public var status: String
    }
}

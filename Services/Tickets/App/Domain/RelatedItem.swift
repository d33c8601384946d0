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
}

import Foundation

/// A predefined answer agents insert into ticket replies and live chats. Who may use it follows its Assigned To:
/// one agent, the agents of one department, or everyone.
public struct CannedReply: Codable, Sendable, Equatable {
    public var id: String
    public var folderID: String?
    public var title: String
    public var bodyHTML: String
    public var bodyText: String
    public var assignedTo: CannedAssignee
    public var isDraft: Bool
    public var replyType: CannedReplyType
    public var language: String
    public var createdBy: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var deletedAt: Date?
    /// The stale date: the setting's days after creation or the last uncheck of the Stale box.
    public var staleAt: Date
    public var version: Int

    public var etag: String { "\"\(version)\"" }
}

/// Assigned To: `{"type":"everyone"}`, `{"type":"agent","id":…}` or `{"type":"department","id":…}`.
public struct CannedAssignee: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case everyone, agent, department }
    public var type: Kind
    public var id: String?

    public static let everyone = CannedAssignee(type: .everyone, id: nil)
}

/// Canned Reply Type: where the reply may be inserted.
public enum CannedReplyType: String, Codable, Sendable {
    case ticketsAndChats, tickets, chats

    public func allows(_ channel: CannedChannel) -> Bool {
        self == .ticketsAndChats || (self == .tickets && channel == .ticket) || (self == .chats && channel == .chat)
    }
}

public enum CannedChannel: String, Codable, Sendable { case ticket, chat }

/// What an agent sends to create or replace a canned reply.
public struct CannedReplyInput: Codable, Sendable {
    /// A PUT's input with its folder and draft state taken from `current` when it left them out (a field sent as null
    /// still clears it); assignee, type and language already keep theirs.
    public func keepingOmitted(of current: CannedReply, sent: Set<String>) -> CannedReplyInput {
        var input = self
        if !sent.contains("folderID") { input.folderID = current.folderID }
        if !sent.contains("isDraft") { input.isDraft = current.isDraft }
        return input
    }

    public var folderID: String?
    public var title: String
    public var bodyHTML: String
    public var assignedTo: CannedAssignee?
    public var isDraft: Bool?
    public var replyType: CannedReplyType?
    public var language: String?
    /// The Stale box: `true` marks the reply stale now, `false` (after a review) restarts its stale date.
    public var stale: Bool?
}

/// What the canned reply list is narrowed to.
public struct CannedReplyFilter: Sendable {
    public var folderID: UUID?
    /// Words in the title or body, title matches first.
    public var text: String?
    public var channel: CannedChannel?
    /// Only replies assigned to the caller.
    public var mine = false
    public var includeDrafts = false
    /// Only replies past their stale date.
    public var staleOnly = false

    public init(folderID: UUID? = nil, text: String? = nil, channel: CannedChannel? = nil, mine: Bool = false, includeDrafts: Bool = false, staleOnly: Bool = false) {
        self.folderID = folderID
        self.text = text
        self.channel = channel
        self.mine = mine
        self.includeDrafts = includeDrafts
        self.staleOnly = staleOnly
    }
}

/// A canned reply folder: hierarchical; deleting one deletes what it holds.
public struct CannedFolder: Codable, Sendable, Equatable {
    public var id: String
    public var parentID: String?
    public var name: String
}

/// The agent asking, for whose replies they may use: their own, their departments', everyone's.
public struct CannedCaller: Sendable {
    public var userID: String
    public var departmentIDs: Set<String>
    /// Administrators see every reply (to manage them), as the manual's Canned Replies views do.
    public var seesAll: Bool

    public init(userID: String, departmentIDs: Set<String>, seesAll: Bool) {
        self.userID = userID
        self.departmentIDs = departmentIDs
        self.seesAll = seesAll
    }

    public func mayUse(_ reply: CannedReply) -> Bool {
        if seesAll { return true }
        switch reply.assignedTo.type {
        case .everyone: return true
        case .agent: return reply.assignedTo.id == userID
        case .department: return reply.assignedTo.id.map(departmentIDs.contains) ?? false
        }
    }
}

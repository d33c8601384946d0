import Foundation

/// A department as the API shows it: it always has its front-line group.
public struct Department: Codable, Sendable, Equatable {
    public var id: String
    public var brandID: String
    public var name: String
    public var frontLineGroupID: String
    public var language: String
    public var emailAddress: String?
    public var hiddenFromPortal: Bool
    public var liveChatEnabled: Bool
    public var settings: DepartmentSettings
    /// People custom field values by field id ("organizational custom fields … on users, groups or departments" [S001:6864]).
    public var customFields: [String: String] = [:]
    public var version: Int
}

public struct Group: Codable, Sendable, Equatable {
    public var id: String
    public var departmentID: String
    public var name: String
    public var timeEstimates: TimeEstimates
    /// People custom field values by field id, as a department's.
    public var customFields: [String: String] = [:]
    public var version: Int
}

/// How an agent takes work in a group: from the queue, or by round robin as a primary or secondary group.
public enum WorkHandling: String, Codable, Sendable {
    case pull, primary, secondary
}

public enum Channel: String, Codable, Sendable, CaseIterable {
    case tickets, chats
}

/// The agent–group relationship with its documented settings and the agent's Active flags in that group.
public struct Membership: Codable, Sendable, Equatable {
    public var groupID: String
    public var departmentID: String
    public var userID: String
    public var ticketHandling: WorkHandling
    public var chatHandling: WorkHandling
    public var maxTickets: Int?
    public var excludedChannels: [Channel]
    public var ticketsActive: Bool
    public var chatsActive: Bool
    /// Auto-Inactive: after this many idle minutes the agent is marked Inactive in the group (nil: never).
    public var autoInactiveMinutes: Int?
    public var handOffOnAutoInactive: Bool
    /// "Automatically go active upon login" in this group's ticket and chat channels.
    public var goActiveOnLogin: Bool
}

public struct CreateDepartmentRequest: Decodable, Sendable {
    public var brandID: String
    public var name: String
    public var frontLineGroupName: String?
    public var language: String?
    public var emailAddress: String?
    public var hiddenFromPortal: Bool?
    public var liveChatEnabled: Bool?
}

public struct CreateGroupRequest: Decodable, Sendable {
    public var name: String
    public var timeEstimates: TimeEstimates?
}

/// `POST /api/v1/identity/departments/{id}/clone`.
public struct CloneDepartmentRequest: Decodable, Sendable {
    public var name: String
    public var brandID: String?
}

/// The data of `department.deleted`: what the services holding the department's work must do with it.
public struct DepartmentDeleted: Codable, Sendable, Equatable {
    public var departmentID: String
    public var groupIDs: [String]
    /// The department that receives the tickets, live chats and call logs; nil when they are deleted.
    public var moveItemsTo: String?
}

/// The data of `group.deleted`.
public struct GroupDeleted: Codable, Sendable, Equatable {
    public var groupID: String
    public var departmentID: String
}

public struct MembershipRequest: Decodable, Sendable {
    public var ticketHandling: WorkHandling?
    public var chatHandling: WorkHandling?
    public var maxTickets: Int?
    public var excludedChannels: [Channel]?
    public var autoInactiveMinutes: Int?
    public var handOffOnAutoInactive: Bool?
    public var goActiveOnLogin: Bool?
}

/// The data of `agent.signed_in` and `agent.signed_out`: rebalance rules and hand-offs start from these.
public struct AgentSession: Codable, Sendable, Equatable {
    public var userID: String
    public var groupIDs: [String]
    /// On `agent.signed_out`: the agent chose to hand off their unpinned tickets.
    public var handOff: Bool?
    /// On `agent.signed_out`: another session of the agent is still open, so they are still signed in.
    public var stillSignedIn: Bool?
}

/// `PUT /api/v1/identity/agents/{id}/status`: Active or Inactive in one group for one channel.
public struct StatusChange: Codable, Sendable {
    public var groupID: String
    public var channel: Channel
    public var active: Bool
}

/// The data of `agent.status_changed`.
public struct AgentStatusChanged: Codable, Sendable, Equatable {
    public var userID: String
    public var groupID: String
    public var departmentID: String
    public var channel: Channel
    public var active: Bool
    public var changedBy: String
    /// On an auto-inactivation of a group with "Hand-off on Auto-Inactive": the agent's active tickets go on.
    public var handOff: Bool?
}

/// The data of `agent.availability_changed` (global Available/Unavailable, live chat only).
public struct AgentAvailabilityChanged: Codable, Sendable, Equatable {
    public var userID: String
    public var available: Bool
    public var changedBy: String
}

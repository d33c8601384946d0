/// What each permission level of each feature allows, transcribed from the Roles chapter's feature permission
/// lists (seed 001, lines 6334–6790). Every level but None also allows `View` (reading the feature's items);
/// Custom allows the options chosen from `customOptions` and the level actions they stand for (`optionActions`).
public struct FeatureDefinition: Sendable {
    public let feature: Feature
    public let levels: [PermissionLevel: Set<String>]
    public let customOptions: [String]
    /// Custom options that can only be granted together with another one ("Requires … before it can be activated").
    public let requirements: [String: String]
    /// The level actions a Custom-tab option stands for where the manual names them differently
    /// ("Delete a User's Profile" is the "Delete User/Organization" action).
    public let optionActions: [String: Set<String>]

    public var availableLevels: Set<PermissionLevel> { Set(levels.keys).union([.none, .custom]) }

    /// Everything a Custom grant may hold: the custom options of the chapter's Custom tab, and any action of the
    /// standard levels, so documented defaults such as "Full Control but not Delete" can be expressed.
    public var customChoices: Set<String> {
        levels.values.reduce(Set(customOptions)) { $0.union($1) }
    }
}

public enum FeatureCatalog {
    public static let view = "View"

    public static func definition(_ feature: Feature) -> FeatureDefinition {
        switch feature {
        case .kbArticles:
            // "By default, agents cannot delete knowledge base articles" (seed 001, 4375): see PredefinedRoles.
            define(feature, full: kbFull, modify: kbFull.subtracting(["Review", "Event"]), readOnly: ["Scan Broken Links"],
                   custom: ["Create", "Modify", "Delete", "Review", "View"],
                   optionActions: ["Modify": ["Edit", "Move", "Copy", "Clone", "Mark", "Transfer"]])
        case .kbFeedback:
            define(feature, full: ["Create", "Reply", "Edit", "Delete", "Report/Moderate"], modify: ["Create", "Reply", "Report/Moderate"],
                   readOnly: ["Report"], none: ["Report"],
                   custom: ["Create", "Reply", "Edit Personal", "Edit All Feedback", "Delete Personal", "Delete All Feedback", "Moderate"])
        case .cannedReplies:
            define(feature,
                   full: ["View/Insert", "Create", "Edit", "Delete", "Mark Draft", "Change Canned Reply Type", "Change Canned Reply Language"],
                   modify: ["View/Insert", "Create", "Edit", "Mark Draft", "Change Canned Reply Type", "Change Canned Reply Language"],
                   readOnly: ["View/Insert"], custom: ["Create", "Edit", "Delete"])
        case .community:
            define(feature,
                   full: ["Create Thread", "Edit Thread", "Delete Thread", "Create Post", "Edit Post", "Delete Post", "Move Post", "Report"],
                   readOnly: ["Create Thread", "Create Post", "Report"],
                   custom: ["Moderate", "Edit All Posts", "Delete Any Post", "Change Status"])
        case .news:
            define(feature, full: newsModify.union(["Delete"]), modify: newsModify, readOnly: ["Scan Broken Links"],
                   custom: ["Create", "Modify", "Delete", "Review", "View"],
                   optionActions: ["Modify": ["Edit", "Move", "Copy", "Clone", "Mark", "Transfer"]])
        case .tickets:
            define(feature, full: ticketsModify.union(["Take", "Delete", "Transfer", "Advanced Search", "Access the Queue"]),
                   modify: ticketsModify, readOnly: [], custom: ["Mark as Deleted", "View Queue"])
        case .tasks:
            define(feature,
                   full: tasksModify.union(["Delete", "Transfer", "Event"]), modify: tasksModify,
                   readOnly: ["Advanced Search"], custom: ["Create", "Modify", "Delete", "Change Start and Due Dates"],
                   optionActions: ["Modify": ["Edit", "Change Status", "Change Priority"]])
        case .callLogs:
            define(feature, full: callLogsModify.union(["Delete", "Transfer", "Events"]), modify: callLogsModify,
                   readOnly: ["Assistance", "Advanced Search"], custom: ["Create", "Modify", "Delete"])
        case .liveChats:
            // The chapter heads the third list "None" but gives it items; an empty None and a Read Only with those
            // items is the reading that keeps None meaning "removes the feature" as the chapter defines it.
            define(feature, full: liveChatsModify.union(["Transfer", "Manual Event", "Assistance"]), modify: liveChatsModify,
                   readOnly: ["Add Comment", "Add Related Item", "Add Task", "Add Time Log", "Add Ticket", "Advanced Search"],
                   custom: ["View Queue"])
        case .whosOn:
            define(feature, full: ["Live Chat", "View Who's On Visitors"], custom: ["View Who's On Visitors"])
        case .reports:
            define(feature, full: ["Create Custom", "Delete Custom", "Edit Custom", "Schedule Email", "Email", "Print", "View Reports"],
                   custom: ["View Reports"])
        case .distribution:
            define(feature, full: ["Transfer Work Items", "Transfer Work Items to Specific Agents", "Manage Agent Status"],
                   custom: ["Transfer Work Items", "Transfer Work Items to Specific Agents", "Manage Agent Status"],
                   requirements: ["Transfer Work Items to Specific Agents": "Transfer Work Items"])
        case .events:
            define(feature, full: ["Create", "Edit", "Delete", "Create and Edit My Events", "Trigger System-Level Manual Events"],
                   custom: ["Create and Edit My Events", "Trigger System-Level Manual Events"])
        case .survey:
            define(feature, full: ["View Summary", "View Details"], custom: ["View Summary", "View Details"],
                   requirements: ["View Details": "View Summary"])
        case .usersOrganizations:
            define(feature, full: usersModify.union(["Delete User/Organization"]), modify: usersModify,
                   readOnly: ["Add User Ticket", "Add User Call Log", "Can View Organizations"],
                   custom: ["Edit a User's Profile", "Create and Edit Organizations", "Add and Edit Organization Users",
                            "Create a User's Profile", "Delete a User's Profile"],
                   optionActions: [
                       "Edit a User's Profile": ["Edit User/Organization", "Add User Comment"],
                       "Create and Edit Organizations": ["Create User/Organization", "Edit User/Organization", "Add Organization Comment"],
                       "Add and Edit Organization Users": ["Create Organization Member", "Edit Organization Member", "Delete Organization Member"],
                       "Create a User's Profile": ["Create User/Organization", "Clone User"],
                       "Delete a User's Profile": ["Delete User/Organization"],
                   ])
        }
    }

    private static func define(
        _ feature: Feature, full: Set<String>, modify: Set<String>? = nil, readOnly: Set<String>? = nil, none: Set<String> = [],
        custom: [String], requirements: [String: String] = [:], optionActions: [String: Set<String>] = [:]
    ) -> FeatureDefinition {
        var levels: [PermissionLevel: Set<String>] = [.fullControl: full.union([view]), .none: none]
        if let modify { levels[.modify] = modify.union([view]) }
        if let readOnly { levels[.readOnly] = readOnly.union([view]) }
        return FeatureDefinition(feature: feature, levels: levels, customOptions: custom, requirements: requirements, optionActions: optionActions)
    }

    private static let kbFull: Set<String> = [
        "Create", "Delete", "Edit", "Move", "Copy", "Transfer", "Clone", "Mark", "Add Feedback", "Clear Helpfulness", "Review", "Event",
        "Scan Broken Links",
    ]
    private static let newsModify: Set<String> = [
        "Create", "Edit", "Mark Public", "Mark Private", "Mark Draft", "Mark Reviewed", "Mark for Review", "Scan Broken Links", "Clone",
    ]
    private static let ticketsModify: Set<String> = [
        "Create", "Reply", "Merge", "Change Status", "Change Priority", "Change Email Address", "Change Subject", "Pin", "Follow-up",
        "Assistance", "Add Comment", "Add Resolution", "Add Attachment", "Add Related Item", "Add Task", "Add Time Log", "Add Call Log",
    ]
    /// Changing a task's start and due dates is a Custom option of its own; Full Control and Modify include it.
    private static let tasksModify: Set<String> = [
        "Create", "Edit", "Change Start and Due Dates", "Change Status", "Change Priority", "Advanced Search", "Task Scheduler",
    ]
    private static let callLogsModify: Set<String> = [
        "Create", "Edit", "Add Attachment", "Add Related Item", "Add Task", "Add Time Log", "Add Ticket", "Assistance", "Advanced Search",
    ]
    private static let liveChatsModify: Set<String> = [
        "Take", "Add Comment", "Add Related Item", "Add Task", "Add Time Log", "Add Ticket", "View the Queue", "Advanced Search",
    ]
    private static let usersModify: Set<String> = [
        "Create User/Organization", "Edit User/Organization", "Delete Organization", "Clone User", "Add User Comment", "Add User Ticket",
        "Add User Call Log", "Add Organization Comment", "Add Organization Call Log", "Create Organization Member",
        "Edit Organization Member", "Delete Organization Member",
    ]
}

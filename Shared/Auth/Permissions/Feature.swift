/// The features a role grants permissions on, as the Roles chapter lists them: four shared by user and
/// employee roles, eleven for employee roles only.
public enum Feature: String, CaseIterable, Sendable, Codable, CodingKeyRepresentable {
    case kbArticles = "kb-articles"
    case kbFeedback = "kb-feedback"
    case cannedReplies = "canned-replies"
    case community
    case news
    case tickets
    case tasks
    case callLogs = "call-logs"
    case liveChats = "live-chats"
    case whosOn = "whos-on"
    case reports
    case distribution
    case events
    case survey
    case usersOrganizations = "users-organizations"

    public var displayName: String {
        switch self {
        case .kbArticles: "KB Articles"
        case .kbFeedback: "KB Feedback"
        case .cannedReplies: "Canned Replies"
        case .community: "Community"
        case .news: "News"
        case .tickets: "Tickets"
        case .tasks: "Tasks"
        case .callLogs: "Call Logs"
        case .liveChats: "Live Chats"
        case .whosOn: "Who's On"
        case .reports: "Reports"
        case .distribution: "Distribution"
        case .events: "Events"
        case .survey: "Survey"
        case .usersOrganizations: "Users/Organizations"
        }
    }

    /// Features marked with an asterisk in the Roles chapter: a user (customer) role cannot hold them.
    public var isEmployeeOnly: Bool {
        ![.kbArticles, .kbFeedback, .cannedReplies, .community].contains(self)
    }
}

/// The standard settings of a feature, plus Custom, which grants a chosen list of the feature's custom options.
public enum PermissionLevel: String, Sendable, Codable, CaseIterable {
    case fullControl = "full-control"
    case modify
    case readOnly = "read-only"
    case none
    case custom
}

/// Whom a role is for.
public enum RoleType: String, Sendable, Codable {
    case employee
    case user
}

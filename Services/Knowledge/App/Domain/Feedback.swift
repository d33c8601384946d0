import Foundation

/// A portal visitor's comment on an article. With moderation on (the documented default) it starts pending and
/// only its author sees it until a moderator approves it; blocked feedback is seen by nobody in the portal and
/// its author may leave no more.
public struct Feedback: Codable, Sendable, Equatable {
    public var id: String
    public var articleID: String
    public var authorID: String?
    public var bodyHTML: String
    public var bodyText: String
    public var state: FeedbackState
    /// How many visitors flagged it as abusive (each no longer sees it).
    public var abuseReports: Int
    public var createdAt: Date
    public var moderatedAt: Date?
    public var moderatedBy: String?
}

public enum FeedbackState: String, Codable, Sendable, CaseIterable {
    case pending, approved, blocked, closed
}

/// A moderator's decision on a feedback item.
public enum FeedbackDecision: String, Sendable {
    case approve, block, close

    var state: FeedbackState {
        switch self {
        case .approve: .approved
        case .block: .blocked
        case .close: .closed
        }
    }
}

/// Who is reading feedback, for what they may see: moderators everything; a visitor approved feedback and their
/// own pending feedback, minus what they flagged.
public struct FeedbackViewer: Sendable {
    public var authorKey: String?
    public var moderator: Bool

    public func sees(_ feedback: Feedback, flaggedByViewer: Bool) -> Bool {
        if moderator { return true }
        if flaggedByViewer { return false }
        switch feedback.state {
        case .approved: return true
        case .pending: return authorKey != nil && feedback.authorID == authorKey
        case .blocked, .closed: return false
        }
    }

    /// The item as this viewer reads it: who wrote it and which agent moderated it are for moderators (and the
    /// author sees that it is theirs).
    public func shown(_ feedback: Feedback) -> Feedback {
        guard !moderator else { return feedback }
        var shown = feedback
        shown.moderatedBy = nil
        if authorKey == nil || feedback.authorID != authorKey { shown.authorID = nil }
        return shown
    }
}

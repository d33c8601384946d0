import Contracts
import Foundation
import ServiceKit

/// The content pane's actions on selected articles (seed 001, 4252-4269): Mark, Move, Copy, Transfer, Delete; and
/// the preview's Clone. Plain functions: what an action does to an article and which permission it needs.
public enum ArticleAction: Sendable, Equatable {
    case mark(ArticleMark)
    case move(folderID: String?)
    case copy(folderID: String?)
    case transfer(agentID: String?)
    case delete

    /// At most this many articles per request.
    public static let maximumSelection = 100

    /// The "KB Articles" permission action it needs ("Modify" grants Move, Copy, Mark and Transfer; clearing the
    /// Review flag needs "Review", seed 001, 6377).
    public var permission: String {
        switch self {
        case .mark(.reviewed): "Review"
        case .mark: "Mark"
        case .move: "Move"
        case .copy: "Copy"
        case .transfer: "Transfer"
        case .delete: "Delete"
        }
    }
}

/// The navigation pane's views of articles besides All Items and Folders (seed 001, 4222-4232).
public enum ArticleListView: String, Sendable {
    case drafts, review, stale
}

/// Mark → Public, Private, Draft, Review, Reviewed (seed 001, 4258-4264), and the Stale box: `stale` now, or
/// `fresh` (unchecking it resets the stale date).
public enum ArticleMark: String, Codable, Sendable, CaseIterable {
    case `public`, `private`, draft, review, reviewed, stale, fresh
}

public enum ArticleActions {
    /// The request body of `POST …/articles/actions`, checked: every problem at once (422).
    public static func action(
        named name: String, mark: String?, folderID: String?, agentID: String?, ids: [String]
    ) throws -> (ArticleAction, [UUID]) {
        var errors: [Problem.FieldError] = []
        let selected = ids.compactMap(UUID.init(parsing:))
        if ids.isEmpty || ids.count > ArticleAction.maximumSelection || selected.count != ids.count {
            errors.append(.init(field: "ids", message: "1 to \(ArticleAction.maximumSelection) article ids"))
        }
        for (field, value) in [("folderID", folderID), ("agentID", agentID)] {
            if let value, UUID(parsing: value) == nil { errors.append(.init(field: field, message: "must be an id")) }
        }
        var action: ArticleAction?
        switch name {
        case "mark":
            if let flag = mark.flatMap(ArticleMark.init(rawValue:)) {
                action = .mark(flag)
            } else {
                errors.append(.init(field: "mark", message: "one of " + ArticleMark.allCases.map(\.rawValue).joined(separator: ", ")))
            }
        case "move": action = .move(folderID: folderID?.lowercased())
        case "copy": action = .copy(folderID: folderID?.lowercased())
        case "transfer": action = .transfer(agentID: agentID?.lowercased())
        case "delete": action = .delete
        default: errors.append(.init(field: "action", message: "one of mark, move, copy, transfer, delete"))
        }
        try Problem.throwIfInvalid(errors)
        guard let action else { throw Problem.unprocessable("Unknown action.") }
        return (action, Array(Set(selected)).sorted { $0.uuidString < $1.uuidString })
    }

    /// The article after a mark, move or transfer (`.copy` and `.delete` make or remove rows; see `copy`). The
    /// version moves on and the change time is now.
    public static func apply(_ action: ArticleAction, to article: Article, staleAfterDays: Int, now: Date) -> Article {
        var changed = article
        switch action {
        case .mark(let mark):
            switch mark {
            case .public:
                changed.isPrivate = false
                changed.isDraft = false
            case .private: changed.isPrivate = true
            case .draft: changed.isDraft = true
            case .review: changed.review = .review
            case .reviewed:
                changed.review = .reviewed
                changed.reviewedAt = now
                changed.staleAt = staleDate(from: now, staleAfterDays: staleAfterDays)
            case .stale: changed.staleAt = now
            case .fresh: changed.staleAt = staleDate(from: now, staleAfterDays: staleAfterDays)
            }
        case .move(let folder), .copy(let folder): changed.folderID = folder
        case .transfer(let agent): changed.assignedAgentID = agent
        case .delete: changed.deletedAt = now
        }
        changed.updatedAt = now
        changed.version += 1
        return changed
    }

    /// A copy of `article` under a new id (Copy to a folder, or Clone): content, brand and language kept, not its
    /// translation link, statistics or feedback; a clone starts as a draft so it never shows twice in the portal.
    public static func copy(of article: Article, id: String, folderID: String?, asDraft: Bool, staleAfterDays: Int, now: Date) -> Article {
        var copy = article
        copy.id = id
        copy.folderID = folderID
        copy.translationOf = nil
        copy.isDraft = asDraft || article.isDraft
        copy.review = .none
        copy.reviewedAt = nil
        copy.staleAt = staleDate(from: now, staleAfterDays: staleAfterDays)
        copy.publishedAt = article.kind == .news ? article.publishedAt : now
        copy.createdAt = now
        copy.updatedAt = now
        copy.deletedAt = nil
        copy.version = 1
        return copy
    }

    /// "Knowledge Base Articles and Canned Replies Stale After" days from `date` (seed 001, 7510).
    public static func staleDate(from date: Date, staleAfterDays: Int) -> Date {
        date.addingTimeInterval(TimeInterval(staleAfterDays) * 86_400)
    }

    /// Whether the article has reached its stale date (it stays available; the Stale view lists it).
    public static func isStale(_ article: Article, now: Date) -> Bool {
        article.deletedAt == nil && (article.staleAt.map { $0 <= now } ?? false)
    }
}

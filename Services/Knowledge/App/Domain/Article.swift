import Foundation

/// What a piece of content is: a knowledge base article or a news item. News reuses the article's model (flags,
/// brands, languages, translations, statistics, broken links) and adds a publish date that orders it.
public enum ContentKind: String, Codable, Sendable, CaseIterable {
    case article, news

    /// The API collection and the portal path: `/api/v1/knowledge/articles`, `/kb/<id>/<slug>`; `…/news`, `/news/<id>/<slug>`.
    public var collection: String { self == .article ? "articles" : "news" }
    public var portalPath: String { self == .article ? "kb" : "news" }
    public var noun: String { self == .article ? "article" : "news item" }
}

/// A knowledge base article or news item, in one language of one brand.
public struct Article: Codable, Sendable, Equatable {
    public var id: String
    public var kind: ContentKind
    public var brandID: String
    public var folderID: String?
    public var language: String
    /// The article this one translates (linked translations share it).
    public var translationOf: String?
    public var title: String
    public var slug: String
    /// At most 256 characters; the public page's meta description.
    public var summary: String
    public var bodyHTML: String
    public var bodyText: String
    public var assignedAgentID: String?
    /// Only employees see a private article.
    public var isPrivate: Bool
    /// Nobody outside the agent console sees a draft.
    public var isDraft: Bool
    public var review: ReviewState
    public var featured: Bool
    public var staleAt: Date?
    public var reviewedAt: Date?
    /// When it shows in the portal (news is ordered by it); an article's is its creation.
    public var publishedAt: Date
    public var createdAt: Date
    public var updatedAt: Date
    public var deletedAt: Date?
    public var version: Int
    /// The other brands it is shown in (the Brands tab: an article can be in several brands); `brandID` owns it,
    /// its folder and its translations.
    public var sharedBrandIDs: [String] = []

    /// Whether the portal of `brand` shows it (given its flags): the owning brand's or one it is shared with.
    public func isShown(inBrand brand: String) -> Bool {
        brandID == brand || sharedBrandIDs.contains(brand)
    }

    /// Its flags let portal visitors see it: public, not a draft, not deleted.
    public var isPublic: Bool { !isPrivate && !isDraft && deletedAt == nil }

    /// Portal visitors see it now: public and its publish date reached.
    public func isVisible(at now: Date = Date()) -> Bool { isPublic && publishedAt <= now }

    public var etag: String { "\"\(version)\"" }
}

/// Where an article stands in review: not asked for, waiting for a reviewer, or reviewed.
public enum ReviewState: String, Codable, Sendable {
    case none, review, reviewed
}

/// What an agent sends to create or replace an article; flags left out keep their defaults (public, published).
public struct ArticleInput: Codable, Sendable {
    /// A PUT's input with what it left out taken from `current`: its folder, translation link, assigned agent,
    /// privacy, draft state, featuring and summary, so that a PUT of a title and a body never makes a private draft
    /// public or moves it out of a restricted folder. A field sent as null still clears it.
    public func keepingOmitted(of current: Article, sent: Set<String>) -> ArticleInput {
        var input = self
        if !sent.contains("folderID") { input.folderID = current.folderID }
        if !sent.contains("translationOf") { input.translationOf = current.translationOf }
        if !sent.contains("assignedAgentID") { input.assignedAgentID = current.assignedAgentID }
        if !sent.contains("isPrivate") { input.isPrivate = current.isPrivate }
        if !sent.contains("isDraft") { input.isDraft = current.isDraft }
        if !sent.contains("featured") { input.featured = current.featured }
        if !sent.contains("summary") { input.summary = current.summary }
        return input
    }

    public var brandID: String?
    public var folderID: String?
    public var language: String?
    public var translationOf: String?
    public var title: String
    public var summary: String?
    public var bodyHTML: String
    public var assignedAgentID: String?
    public var isPrivate: Bool?
    public var isDraft: Bool?
    public var review: ReviewState?
    public var featured: Bool?
    public var staleAt: Date?
    /// News: the publish date (default now); visitors see the item from then on. Articles are published when created.
    public var publishedAt: Date?
    /// The other brands to show it in (absent: those it had).
    public var sharedBrandIDs: [String]?

    public init(
        brandID: String? = nil, folderID: String? = nil, language: String? = nil, translationOf: String? = nil, title: String, summary: String? = nil,
        bodyHTML: String, assignedAgentID: String? = nil, isPrivate: Bool? = nil, isDraft: Bool? = nil, review: ReviewState? = nil,
        featured: Bool? = nil, staleAt: Date? = nil, publishedAt: Date? = nil, sharedBrandIDs: [String]? = nil
    ) {
        self.brandID = brandID
        self.folderID = folderID
        self.language = language
        self.translationOf = translationOf
        self.title = title
        self.summary = summary
        self.bodyHTML = bodyHTML
        self.assignedAgentID = assignedAgentID
        self.isPrivate = isPrivate
        self.isDraft = isDraft
        self.review = review
        self.featured = featured
        self.staleAt = staleAt
        self.publishedAt = publishedAt
        self.sharedBrandIDs = sharedBrandIDs
    }
}

import Auth
import Foundation
import Search

/// How an article is written into the search index: title above summary above body, stemmed in the article's
/// language; brand, language, visibility, folder and folder access are boolean terms, so visibility filters inside
/// the query.
public enum ArticleSearchTerms {
    /// Bumped whenever the document shape changes: the index is then rebuilt from PostgreSQL.
    public static let schemaVersion = 6

    public static func brand(_ id: String) -> String { "XB" + id }
    public static func kind(_ kind: ContentKind) -> String { "XK" + kind.rawValue }
    public static func language(_ code: String) -> String { "XL" + code.lowercased() }
    public static func folder(_ id: String) -> String { "XF" + id }
    /// Public, published, not deleted: what portal visitors may find.
    public static let visible = "XPUB"
    /// What a portal visitor of this brand reading this language may find of this kind, as one term: one posting
    /// list to intersect instead of four (kind, brand, language, public), which matters for common words.
    public static func visitorView(_ kind: ContentKind, brand: String, language: String) -> String {
        "XV" + kind.rawValue + ":" + brand + ":" + language.lowercased()
    }
    /// The same for a public article in a folder that only visitors meeting `requirement` may read.
    public static func restrictedView(_ requirement: String, _ kind: ContentKind, brand: String, language: String) -> String {
        "XW" + requirement + ":" + kind.rawValue + ":" + brand + ":" + language.lowercased()
    }
    /// The folder access of the article: "XREveryone", or the role its folder requires.
    public static func access(_ requirement: String) -> String { "XR" + requirement }
    /// In a folder whose articles are offered as automatic suggestions before a ticket or chat is submitted.
    public static let automatic = "XAUTO"
    public static let deleted = "XDEL"
    public static let draft = "XDRAFT"
    public static let privateArticle = "XPRIV"
    public static let featured = "XFEAT"
    /// Its review state: "XREVIEWreview" (flagged for review) or "XREVIEWreviewed".
    public static func review(_ state: ReviewState) -> String { "XREVIEW" + state.rawValue }
    /// Value slots holding dates, sortable, for date ranges: last change, publish date, creation, last review.
    public static let updatedSlot: UInt32 = 0
    public static let publishedSlot: UInt32 = 1
    public static let createdSlot: UInt32 = 2
    public static let reviewedSlot: UInt32 = 3

    public static func document(_ article: Article, folder: FolderFacts = .open) -> SearchDocument {
        let brands = [article.brandID] + article.sharedBrandIDs
        var filters = [kind(article.kind), language(article.language), access(folder.access)] + brands.map(brand)
        if article.isPublic {
            filters.append(visible)
            for shownIn in brands {
                filters.append(folder.access == PortalAccess.everyone
                    ? visitorView(article.kind, brand: shownIn, language: article.language)
                    : restrictedView(folder.access, article.kind, brand: shownIn, language: article.language))
            }
        }
        if folder.automatic { filters.append(automatic) }
        if article.deletedAt != nil { filters.append(deleted) }
        if article.isDraft { filters.append(draft) }
        if article.isPrivate { filters.append(privateArticle) }
        if article.featured { filters.append(featured) }
        if article.review != .none { filters.append(review(article.review)) }
        if let folder = article.folderID { filters.append(Self.folder(folder)) }
        return SearchDocument(
            id: article.id,
            fields: [
                SearchField(prefix: "T", text: article.title, weight: 4),
                SearchField(prefix: "S", text: article.summary, weight: 2),
                SearchField(prefix: "B", text: article.bodyText, weight: 1),
            ],
            filters: filters, values: values(article), data: article.slug + "\t" + article.title,
            language: article.language)
    }

    static func values(_ article: Article) -> [UInt32: String] {
        var values = [updatedSlot: sortable(article.updatedAt), publishedSlot: sortable(article.publishedAt), createdSlot: sortable(article.createdAt)]
        if let reviewed = article.reviewedAt { values[reviewedSlot] = sortable(reviewed) }
        return values
    }

    /// Seconds since 1970, zero-padded to 12 digits, so byte order is time order.
    public static func sortable(_ date: Date) -> String {
        let whole = String(Int64(max(0, date.timeIntervalSince1970)))
        return String(repeating: "0", count: max(0, 12 - whole.count)) + whole
    }
}

/// What an article's folder adds to its index document: who may read it on the portal, and whether it is offered
/// in automatic suggestions.
public struct FolderFacts: Sendable, Equatable {
    public var access: String
    public var automatic: Bool

    /// No folder, or an open one included in automatic searches.
    public static let open = FolderFacts(access: PortalAccess.everyone, automatic: true)

    public init(access: String, automatic: Bool) {
        self.access = access
        self.automatic = automatic
    }
}

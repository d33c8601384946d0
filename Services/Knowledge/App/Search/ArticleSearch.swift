import Auth
import Foundation
import Search
import ServiceKit

/// Who searches: a portal visitor sees the public articles of the host's brand in their language; an employee
/// also private ones and drafts (never deleted ones unless asked).
public struct ArticleReader: Sendable, Equatable {
    public var brandID: String
    public var employee: Bool
    /// The folder requirements a visitor meets (`PortalAccess.satisfied(by:)`): Everyone and their roles.
    public var satisfies: [String]

    public init(brandID: String, employee: Bool, satisfies: [String] = [PortalAccess.everyone]) {
        self.brandID = brandID
        self.employee = employee
        self.satisfies = satisfies
    }
}

public struct ArticleSearchHit: Codable, Sendable {
    public var id: String
    public var slug: String
    public var title: String
    public var snippet: String
    public var percent: Int
}

public struct ArticleSearchResults: Codable, Sendable {
    public var items: [ArticleSearchHit]
    public var estimatedTotal: Int
    /// "Did you mean …?" and, when the query found nothing, the results of the corrected query instead.
    public var suggestion: String?
    public var correctedResults: Bool
    /// A portal visitor's search is logged under this id; reading a result with `?search=<id>` counts it as found.
    public var searchID: String? = nil
}

/// Ranked article search with the reader's visibility as filters inside the query.
public struct ArticleSearch: Sendable {
    let index: any TextSearching

    public init(index: any TextSearching) {
        self.index = index
    }

    /// The query for `text` as `reader` may see it, in `language` (its stemmer and its articles); visitors find
    /// only news published by `now` (an article is published when it is created).
    /// `folderIDs`: any of these folders (a folder and its subfolders); `flags`: items with every one of these
    /// flags (employees' advanced search).
    public static func query(
        _ text: String, reader: ArticleReader, language: String?, kind: ContentKind = .article, folderIDs: [String] = [],
        flags: [ArticleFlag] = [], onlyDeleted: Bool = false, dates: [SearchValueRange] = [], automaticOnly: Bool = false, limit: Int = 20,
        now: Date = Date()
    ) -> SearchQuery {
        var filters: [[String]]
        // The visitor term holds only public articles, never deleted ones: no separate exclusion is needed (it
        // would cost a common word about a millisecond over 100,000 articles). Articles of restricted folders
        // have a term per requirement, ORed in for the visitors who meet it.
        let visitorTerm = !reader.employee && language != nil
        if !reader.employee, let language {
            filters = [reader.satisfies.map { requirement in
                requirement == PortalAccess.everyone
                    ? ArticleSearchTerms.visitorView(kind, brand: reader.brandID, language: language)
                    : ArticleSearchTerms.restrictedView(requirement, kind, brand: reader.brandID, language: language)
            }]
        } else {
            filters = [[ArticleSearchTerms.kind(kind)], [ArticleSearchTerms.brand(reader.brandID)]]
            if let language { filters.append([ArticleSearchTerms.language(language)]) }
            if !reader.employee {
                filters.append([ArticleSearchTerms.visible])
                filters.append(reader.satisfies.map(ArticleSearchTerms.access))
            }
        }
        if !folderIDs.isEmpty { filters.append(folderIDs.map(ArticleSearchTerms.folder)) }
        if reader.employee { filters += flags.map { [$0.term] } }
        if automaticOnly { filters.append([ArticleSearchTerms.automatic]) }
        if onlyDeleted { filters.append([ArticleSearchTerms.deleted]) }
        var ranges = dates
        if !reader.employee && kind == .news {
            ranges.append(SearchValueRange(slot: ArticleSearchTerms.publishedSlot, upper: ArticleSearchTerms.sortable(now)))
        }
        return SearchQuery(
            text: text, filterGroups: filters, excluded: onlyDeleted || visitorTerm ? [] : [ArticleSearchTerms.deleted], valueRanges: ranges, limit: limit,
            language: language)
    }

    /// Searches; a query that finds nothing but has a spelling suggestion answers the suggestion's results.
    public func search(_ query: SearchQuery) async throws -> ArticleSearchResults {
        let results = try await index.search(query)
        if results.hits.isEmpty, let suggestion = results.suggestion {
            var corrected = query
            corrected.text = suggestion
            let second = try await index.search(corrected)
            return ArticleSearchResults(items: second.hits.map(Self.hit), estimatedTotal: second.estimatedTotal, suggestion: suggestion, correctedResults: true)
        }
        return ArticleSearchResults(
            items: results.hits.map(Self.hit), estimatedTotal: results.estimatedTotal, suggestion: results.suggestion, correctedResults: false)
    }

    /// A hit as shown: the document's data is "slug<TAB>title".
    static func hit(_ hit: SearchHit) -> ArticleSearchHit {
        let parts = hit.data.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
        return ArticleSearchHit(
            id: hit.id, slug: String(parts.first ?? ""), title: parts.count > 1 ? String(parts[1]) : "", snippet: hit.snippet, percent: hit.percent)
    }
}

/// The Flags of the advanced search: items that are drafts, private, featured, flagged for review or reviewed.
public enum ArticleFlag: String, Sendable, CaseIterable {
    case draft, `private`, featured, review, reviewed

    var term: String {
        switch self {
        case .draft: ArticleSearchTerms.draft
        case .private: ArticleSearchTerms.privateArticle
        case .featured: ArticleSearchTerms.featured
        case .review: ArticleSearchTerms.review(.review)
        case .reviewed: ArticleSearchTerms.review(.reviewed)
        }
    }
}

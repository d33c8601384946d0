import Contracts
import Foundation
import ServiceKit

/// The article rules as plain functions: limits, the language code, the slug of a title, the safe body.
public enum ArticleRules {
    public static let maximumSummary = 256
    public static let maximumTitle = 255
    public static let maximumBody = 1_000_000
    public static let maximumSharedBrands = 100

    /// Checks an input (every problem at once, 422) and answers the article it makes, `existing` supplying what
    /// only the server sets.
    public static func article(
        from input: ArticleInput, kind: ContentKind = .article, id: String, brandID: String, existing: Article?, now: Date,
        staleAfterDays: Int = ManagementSettings.defaultStaleAfterDays
    ) throws -> Article {
        var errors: [Problem.FieldError] = []
        let title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty || title.count > maximumTitle { errors.append(.init(field: "title", message: "1 to \(maximumTitle) characters")) }
        let summary = (input.summary ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if summary.count > maximumSummary { errors.append(.init(field: "summary", message: "at most \(maximumSummary) characters")) }
        if input.bodyHTML.count > maximumBody { errors.append(.init(field: "bodyHTML", message: "at most \(maximumBody) characters")) }
        let language = (input.language ?? existing?.language ?? "en").lowercased()
        if !isLanguageCode(language) { errors.append(.init(field: "language", message: "a language code such as en or pt-br")) }
        for (field, value) in [("folderID", input.folderID), ("translationOf", input.translationOf), ("assignedAgentID", input.assignedAgentID)] {
            if let value, UUID(parsing: value) == nil { errors.append(.init(field: field, message: "must be an id")) }
        }
        let shared = input.sharedBrandIDs ?? existing?.sharedBrandIDs ?? []
        if shared.count > maximumSharedBrands || shared.contains(where: { UUID(parsing: $0) == nil }) {
            errors.append(.init(field: "sharedBrandIDs", message: "at most \(maximumSharedBrands) brand ids"))
        }
        try Problem.throwIfInvalid(errors)
        let body = SafeHTML.sanitize(input.bodyHTML, media: .standard)
        var sharedBrandIDs: [String] = []
        for brand in shared.map({ $0.lowercased() }) where brand != brandID && !sharedBrandIDs.contains(brand) { sharedBrandIDs.append(brand) }
        return Article(
            id: id, kind: existing?.kind ?? kind, brandID: brandID, folderID: input.folderID?.lowercased(), language: language, translationOf: input.translationOf?.lowercased(),
            title: title, slug: slug(title), summary: summary, bodyHTML: body, bodyText: SafeHTML.plainText(body),
            assignedAgentID: input.assignedAgentID?.lowercased(), isPrivate: input.isPrivate ?? false, isDraft: input.isDraft ?? false,
            review: input.review ?? .none, featured: input.featured ?? false,
            staleAt: staleDate(input, existing: existing, now: now, staleAfterDays: staleAfterDays),
            reviewedAt: input.review == .reviewed ? now : existing?.reviewedAt, publishedAt: (existing?.kind ?? kind) == .news ? input.publishedAt ?? existing?.publishedAt ?? now : existing?.publishedAt ?? now,
            createdAt: existing?.createdAt ?? now, updatedAt: now,
            deletedAt: existing?.deletedAt, version: (existing?.version ?? 0) + 1, sharedBrandIDs: sharedBrandIDs)
    }

    /// The stale date as sent; else a new article's (or one just marked reviewed) is the setting's days from now, and
    /// an edit keeps the one it had.
    static func staleDate(_ input: ArticleInput, existing: Article?, now: Date, staleAfterDays: Int) -> Date {
        if let sent = input.staleAt { return sent }
        let reviewedNow = input.review == .reviewed && existing?.review != .reviewed
        if let kept = existing?.staleAt, !reviewedNow { return kept }
        return ArticleActions.staleDate(from: now, staleAfterDays: staleAfterDays)
    }

    /// "en", "de", "pt-br", "zh-hant": two or three letters, optionally a region or script.
    public static func isLanguageCode(_ code: String) -> Bool {
        let parts = code.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLetter }), parts.count <= 2 else { return false }
        return parts.count == 1 || parts[1].count >= 2 && parts[1].count <= 8 && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// The URL words of a title: lower-case letters and digits joined by single hyphens, at most 80 characters.
    public static func slug(_ title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en"))
        var slug = ""
        var pendingHyphen = false
        for scalar in folded.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII {
                if pendingHyphen && !slug.isEmpty { slug += "-" }
                slug.unicodeScalars.append(scalar)
                pendingHyphen = false
            } else {
                pendingHyphen = true
            }
        }
        let cut = String(slug.prefix(80))
        return cut.isEmpty ? "article" : cut.trimmingCharacters(in: ["-"])
    }
}

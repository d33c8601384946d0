import ServiceKit

/// Linked translations (the article's Translations tab): one item in several languages of one brand, grouped under
/// the first of them, the root; every other member names the root in `translationOf`, one member per language.
public enum TranslationRules {
    /// `article` linked into the group of `target` (`group`: the live members of that group other than `article`):
    /// `translationOf` set to the group's root. 422 when the target is of another brand or kind, when `article`
    /// already heads a group of its own, or when the group has its language already.
    public static func link(_ article: Article, to target: Article, group: [Article], headsGroup: Bool) throws -> Article {
        var errors: [Problem.FieldError] = []
        let root = target.translationOf ?? target.id
        if target.kind != article.kind || target.brandID != article.brandID || target.deletedAt != nil {
            errors.append(.init(field: "translationOf", message: "must be a live \(article.kind.noun) of the same brand"))
        } else if root == article.id || headsGroup {
            errors.append(.init(field: "translationOf", message: "this \(article.kind.noun) has translations of its own"))
        } else if let taken = group.first(where: { $0.language == article.language && $0.id != article.id }) {
            errors.append(.init(field: "language", message: "the group already has the \(article.language) translation \(taken.id)"))
        }
        try Problem.throwIfInvalid(errors)
        var linked = article
        linked.translationOf = root
        return linked
    }

    /// A group's root may not take a language one of its translations (`members`) has: 422 naming that translation.
    public static func checkRootLanguage(_ root: Article, members: [Article]) throws {
        guard let taken = members.first(where: { $0.language == root.language && $0.id != root.id }) else { return }
        try Problem.throwIfInvalid([.init(field: "language", message: "the group already has the \(root.language) translation \(taken.id)")])
    }

    /// The `hreflang` alternates of a page: the other visible members of its group.
    public static func alternates(of article: Article, in group: [Article]) -> [Article] {
        group.filter { $0.id != article.id && $0.isVisible() }.sorted { $0.language < $1.language }
    }
}

import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Linked translations in PostgreSQL: a member names its group's root in `translation_of`; linking locks the root
/// so two translators cannot both add the same language.
extension ArticleStore {
    /// `article` with its `translationOf` checked and pointed at the group's root (unchanged when it names none; a
    /// root, locked by the caller, keeps a language none of its translations has).
    func linkTranslation(_ article: Article, on connection: PostgresConnection) async throws -> Article {
        guard let targetID = article.translationOf.flatMap(UUID.init(parsing:)) else {
            var binds = PostgresBindings()
            binds.append(UUID(parsing: article.id))
            binds.append(article.language)
            let sameLanguage = try await articles("WHERE translation_of = $1 AND deleted_at IS NULL AND language = $2 LIMIT 1", binds, on: connection)
            try TranslationRules.checkRootLanguage(article, members: sameLanguage)
            return article
        }
        var binds = PostgresBindings()
        binds.append(targetID)
        guard let target = try await articles("WHERE id = $1 FOR UPDATE", binds, on: connection).first else {
            throw Problem.unprocessable("There is no such \(article.kind.noun) to translate.", errors: [.init(field: "translationOf", message: "unknown \(article.kind.noun)")])
        }
        let root = target.translationOf ?? target.id
        var groupBinds = PostgresBindings()
        groupBinds.append(UUID(parsing: root))
        groupBinds.append(UUID(parsing: article.id))
        if root != target.id { _ = try await articles("WHERE id = $1 FOR UPDATE", groupBinds, on: connection) }
        let group = try await articles("WHERE \(Self.translationGroup) AND id <> $2", groupBinds, on: connection)
        var ownBinds = PostgresBindings()
        ownBinds.append(UUID(parsing: article.id))
        let members = try await articles("WHERE translation_of = $1 AND deleted_at IS NULL LIMIT 1", ownBinds, on: connection)
        return try TranslationRules.link(article, to: target, group: group, headsGroup: !members.isEmpty)
    }

    /// The live members of the article's translation group, itself included, by language.
    public func translations(of article: Article) async throws -> [Article] {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: article.translationOf ?? article.id))
        return try await database.client.withConnection { connection in
            try await articles("WHERE \(Self.translationGroup) ORDER BY language, id", binds, on: connection)
        }
    }

    /// The live members of the translation group headed by `$1` (its head and the articles translating it), each read
    /// from an index (migration 115; every portal article page reads them).
    static let translationGroup = "(id = $1 OR translation_of = $1) AND deleted_at IS NULL"
}

import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The broken-link scan's results per article, which articles are due for a scan, and the rescan requests.
public struct LinkCheckStore: Sendable {
    let database: Database
    let articles: ArticleStore

    public init(database: Database) {
        self.database = database
        self.articles = ArticleStore(database: database)
    }

    /// Claims up to `limit` articles whose links were never checked or not since `before`, marking them checked
    /// now so another instance does not scan them too.
    public func claimDue(checkedBefore before: Date, limit: Int) async throws -> [Article] {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(before)
            binds.append(limit)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    UPDATE \(database.table("articles")) SET links_checked_at = now() WHERE id = ANY(ARRAY(
                        SELECT id FROM \(database.table("articles"))
                        WHERE deleted_at IS NULL AND (links_checked_at IS NULL OR links_checked_at < $1)
                        ORDER BY links_checked_at NULLS FIRST, id LIMIT $2 FOR UPDATE SKIP LOCKED))
                    RETURNING id
                    """, binds: binds), logger: database.logger)
            var ids: [UUID] = []
            for try await id in rows.decode(UUID.self) { ids.append(id) }
            return ids.isEmpty ? [] : try await articles.articles(ids: ids, on: connection)
        }
    }

    /// Of these ids, the articles and news items that exist and are not deleted: links to them work.
    public func existing(_ ids: Set<UUID>) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(Array(ids))
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT id FROM \(database.table("articles")) WHERE id = ANY($1) AND deleted_at IS NULL", binds: binds),
            logger: database.logger)
        var found: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { found.insert(id) }
        return found
    }

    /// Replaces the article's results with `checks`; a scan that finds broken links publishes
    /// `knowledge.broken_links_found`.
    public func record(_ item: Article, checks: [LinkCheck], now: Date = Date()) async throws {
        guard let id = UUID(parsing: item.id) else { return }
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(checks.map(\.url))
            binds.append(checks.map(\.broken))
            binds.append(checks.map { $0.status ?? 0 })
            binds.append(checks.map { $0.reason ?? "" })
            binds.append(now)
            var article = PostgresBindings()
            article.append(id)
            article.append(now)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    WITH checked AS (UPDATE \(database.table("articles")) SET links_checked_at = $2 WHERE id = $1)
                    DELETE FROM \(database.table("link_checks")) WHERE article_id = $1
                    """, binds: article), logger: database.logger
            ).consume()
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("link_checks")) (article_id, url, broken, status, reason, checked_at)
                    SELECT $1, url, broken, NULLIF(status, 0), NULLIF(reason, ''), $6
                    FROM unnest($2::text[], $3::boolean[], $4::bigint[], $5::text[]) AS c(url, broken, status, reason)
                    ON CONFLICT DO NOTHING
                    """, binds: binds), logger: database.logger
            ).consume()
            let broken = checks.filter(\.broken)
            if !broken.isEmpty {
                try await articles.events.publish(
                    "knowledge.broken_links_found", subject: item.id, brandID: item.brandID,
                    data: BrokenLinksData(kind: item.kind, urls: broken.map(\.url)), on: connection)
            }
        }
    }

    /// The article's last scan results, broken links first.
    public func checks(of articleID: UUID) async throws -> [LinkCheck] {
        var binds = PostgresBindings()
        binds.append(articleID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT url, broken, status, reason, checked_at FROM \(database.table("link_checks")) WHERE article_id = $1 ORDER BY broken DESC, url
                """, binds: binds), logger: database.logger)
        var checks: [LinkCheck] = []
        for try await (url, broken, status, reason, checkedAt) in rows.decode((String, Bool, Int32?, String?, Date).self) {
            checks.append(LinkCheck(url: url, broken: broken, status: status.map(Int.init), reason: reason, checkedAt: checkedAt))
        }
        return checks
    }

    /// The Broken Links view: the brand's articles (or news) with at least one broken link.
    public func brokenContent(brandID: UUID, kind: ContentKind) async throws -> [BrokenLinkSummary] {
        var binds = PostgresBindings()
        binds.append(brandID)
        binds.append(kind.rawValue)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT a.id, a.title, count(*) FROM \(database.table("articles")) a
                JOIN \(database.table("link_checks")) c ON c.article_id = a.id AND c.broken
                WHERE a.brand_id = $1 AND a.kind = $2 AND a.deleted_at IS NULL
                GROUP BY a.id, a.title ORDER BY a.title LIMIT 1000
                """, binds: binds), logger: database.logger)
        var result: [BrokenLinkSummary] = []
        for try await (id, title, count) in rows.decode((UUID, String, Int).self) {
            result.append(BrokenLinkSummary(id: id.lowercased, title: title, brokenLinks: count))
        }
        return result
    }

    /// "Rescan All for Broken Links": every article (or news item) of the brand is due at once.
    public func requestRescan(brandID: UUID, kind: ContentKind) async throws {
        var binds = PostgresBindings()
        binds.append(brandID)
        binds.append(kind.rawValue)
        try await database.client.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("articles")) SET links_checked_at = NULL WHERE brand_id = $1 AND kind = $2 AND deleted_at IS NULL
                """, binds: binds), logger: database.logger
        ).consume()
    }
}

public struct BrokenLinkSummary: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var brokenLinks: Int
}

struct BrokenLinksData: Codable, Sendable {
    var kind: ContentKind
    var urls: [String]
}

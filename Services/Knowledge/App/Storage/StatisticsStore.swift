import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Views and helpfulness ratings of articles and news: counted per day and visitor, each with its event.
extension ArticleStore {
    /// Counts a view by `visitorKey` today (a hit, and a visit the first time today) and publishes
    /// `knowledge.<kind>_viewed`.
    /// `searchID`: the visitor came from that search's results (counted for "% Finding").
    public func recordView(of item: Article, visitorKey: String, spider: Bool, searchID: UUID? = nil, now: Date = Date()) async throws {
        try await database.transaction { connection in
            if let searchID { try await recordSearchView(searchID, articleID: item.id, now: now, on: connection) }
            var binds = PostgresBindings()
            binds.append(UUID(parsing: item.id))
            binds.append(now)
            binds.append(visitorKey)
            binds.append(spider)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("article_views")) (article_id, day, visitor_key, spider, hits)
                    VALUES ($1, ($2::timestamptz AT TIME ZONE 'UTC')::date, $3, $4, 1)
                    ON CONFLICT (article_id, day, visitor_key) DO UPDATE SET hits = \(database.table("article_views")).hits + 1
                    """, binds: binds), logger: database.logger
            ).consume()
            try await events.publish(
                "knowledge.\(item.kind.rawValue)_viewed", subject: item.id, brandID: item.brandID,
                data: ViewEventData(articleID: item.id, spider: spider, visitorKey: visitorKey, searchID: searchID?.lowercased), on: connection)
        }
    }

    /// Records (or changes) a person's helpfulness rating and publishes `knowledge.article_rated`.
    public func rate(_ item: Article, raterKey: String, helpful: Bool, now: Date = Date()) async throws {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(UUID(parsing: item.id))
            binds.append(raterKey)
            binds.append(helpful)
            binds.append(now)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("article_ratings")) (article_id, rater_key, helpful, rated_at) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (article_id, rater_key) DO UPDATE SET helpful = $3, rated_at = $4
                    """, binds: binds), logger: database.logger
            ).consume()
            try await events.publish(
                "knowledge.\(item.kind.rawValue)_rated", subject: item.id, brandID: item.brandID,
                data: RatingEventData(articleID: item.id, helpful: helpful), on: connection)
        }
    }

    /// Hits and visits between `from` and `to` (whole UTC days), and the ratings.
    public func statistics(of articleID: UUID, from: Date, to: Date) async throws -> ArticleStatistics {
        var binds = PostgresBindings()
        binds.append(articleID)
        binds.append(from)
        binds.append(to)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT coalesce(sum(v.hits), 0)::bigint, count(*) FILTER (WHERE NOT v.spider), count(*) FILTER (WHERE v.spider),
                    (SELECT count(*) FILTER (WHERE helpful) FROM \(database.table("article_ratings")) WHERE article_id = $1),
                    (SELECT count(*) FILTER (WHERE NOT helpful) FROM \(database.table("article_ratings")) WHERE article_id = $1)
                FROM \(database.table("article_views")) v
                WHERE v.article_id = $1
                  AND v.day BETWEEN ($2::timestamptz AT TIME ZONE 'UTC')::date AND ($3::timestamptz AT TIME ZONE 'UTC')::date
                """, binds: binds), logger: database.logger)
        var figures = ArticleStatistics(
            articleID: articleID.lowercased, from: from, to: to, hits: 0, userVisits: 0, spiderVisits: 0, totalVisits: 0, helpful: 0, notHelpful: 0)
        for try await (hits, users, spiders, helpful, notHelpful) in rows.decode((Int, Int, Int, Int, Int).self) {
            figures.hits = hits
            figures.userVisits = users
            figures.spiderVisits = spiders
            figures.totalVisits = users + spiders
            figures.helpful = helpful
            figures.notHelpful = notHelpful
        }
        return figures
    }
}

struct ViewEventData: Codable, Sendable {
    var articleID: String
    var spider: Bool
    var visitorKey: String
    var searchID: String?
}

struct RatingEventData: Codable, Sendable {
    var articleID: String
    var helpful: Bool
}

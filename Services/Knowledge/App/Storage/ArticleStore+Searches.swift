import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The portal search log behind the Knowledge Base search reports: every visitor search, and which results were
/// then read (`search_views`, written with the read itself, so a read may arrive before its search is written).
extension ArticleStore {
    /// One insert for a batch of searches. No event each: at hundreds of searches a second that would put the
    /// broker on every search's path; the reports read the log, and searches without results are events.
    func writeSearches(_ searches: [SearchRecord]) async throws {
        try await database.transaction { connection in
            let rows = searches.compactMap { search in
                UUID(parsing: search.searchID).flatMap { id in UUID(parsing: search.brandID).map { (id: id, brand: $0, search: search) } }
            }
            var binds = PostgresBindings()
            binds.append(rows.map(\.id))
            binds.append(rows.map(\.brand))
            let searches = rows.map(\.search)
            binds.append(searches.map(\.language))
            binds.append(searches.map(\.query))
            binds.append(searches.map { $0.visitorKey ?? "" })
            binds.append(searches.map(\.resultCount))
            binds.append(searches.map(\.searchedAt))
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("searches")) (id, brand_id, language, query, visitor_key, result_count, searched_at)
                    SELECT u.id, u.brand, u.language, u.query, NULLIF(u.visitor, ''), u.results, u.at
                    FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::timestamptz[])
                        AS u (id, brand, language, query, visitor, results, at)
                    ON CONFLICT (id) DO NOTHING
                    """, binds: binds),
                logger: database.logger
            ).consume()
        }
    }

    /// Notes that a result of search `searchID` was read (once per search and article).
    func recordSearchView(_ searchID: UUID, articleID: String, now: Date, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(searchID)
        binds.append(UUID(parsing: articleID))
        binds.append(now)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("search_views")) (search_id, article_id, viewed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING
                """, binds: binds),
            logger: database.logger
        ).consume()
    }

    /// The Searches report of a brand between `from` and `to`, with the 50 most frequent queries without results
    /// and without views.
    public func searchReport(brandID: UUID, from: Date, to: Date) async throws -> SearchReport {
        var binds = PostgresBindings()
        binds.append(brandID)
        binds.append(from)
        binds.append(to)
        let searches = "\(database.table("searches")) s"
        let inPeriod = "s.brand_id = $1 AND s.searched_at >= $2 AND s.searched_at <= $3"
        let views = database.table("search_views")
        return try await database.client.withConnection { connection in
            // Each search's views are counted once, in a lateral join: as a subquery in the target list of a subselect
            // they were counted once for each aggregate that read them (660 ms for an hour of 270,000 searches on the
            // bench database, against 320 ms).
            let totals = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    SELECT count(*), count(DISTINCT s.visitor_key), coalesce(avg(s.result_count), 0)::float8,
                        count(*) FILTER (WHERE v.viewed > 0), coalesce(avg(v.viewed), 0)::float8
                    FROM \(searches) CROSS JOIN LATERAL (SELECT count(*) AS viewed FROM \(views) v WHERE v.search_id = s.id) v
                    WHERE \(inPeriod)
                    """, binds: binds),
                logger: database.logger)
            var report = SearchReport(
                searches: 0, visitorsSearching: 0, averageResultCount: 0, searchesResultingInViews: 0, percentFinding: 0, averageArticlesViewed: 0,
                withoutResults: [], withoutViews: [])
            for try await (searches, visitors, results, found, read) in totals.decode((Int, Int, Double, Int, Double).self) {
                report.searches = searches
                report.visitorsSearching = visitors
                report.averageResultCount = results
                report.searchesResultingInViews = found
                report.averageArticlesViewed = read
                report.percentFinding = SearchReport.percent(found, of: searches)
            }
            report.withoutResults = try await queryCounts("\(searches) WHERE \(inPeriod) AND s.result_count = 0", binds, on: connection)
            report.withoutViews = try await queryCounts(
                "\(searches) WHERE \(inPeriod) AND s.result_count > 0 AND NOT EXISTS (SELECT FROM \(views) v WHERE v.search_id = s.id)", binds,
                on: connection)
            return report
        }
    }

    private func queryCounts(_ searches: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [SearchReport.QueryCount] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT lower(s.query), count(*) FROM \(searches) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50", binds: binds),
            logger: database.logger)
        var counts: [SearchReport.QueryCount] = []
        for try await (query, searches) in rows.decode((String, Int).self) { counts.append(.init(query: query, searches: searches)) }
        return counts
    }
}

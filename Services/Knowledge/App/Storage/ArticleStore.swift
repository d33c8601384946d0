import Auth
import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Articles in PostgreSQL, the source of truth the search index is rebuilt from; every change publishes its
/// event in the same transaction.
public struct ArticleStore: Sendable {
    let database: Database
    let events: KnowledgeEvents
    /// "Knowledge Base Articles and Canned Replies Stale After" (days): a new or reviewed article's stale date.
    let settings: KnowledgeSettingsStore

    public init(database: Database) {
        self.database = database
        self.events = KnowledgeEvents(outbox: OutboxStore(database: database))
        self.settings = KnowledgeSettingsStore(database: database)
    }

    static let columns = """
        id, brand_id, folder_id, language, translation_of, title, slug, summary, body_html, body_text, assigned_agent_id, is_private,
        is_draft, review, featured, stale_at, reviewed_at, created_at, updated_at, deleted_at, version, kind, published_at, shared_brand_ids
        """

    /// Creates the article (`expectedVersion` nil and no row) or replaces it (412 when its version moved on).
    public func save(
        _ input: ArticleInput, kind: ContentKind = .article, id: UUID, brandID: UUID, expectedVersion: Int?, actor: String?, now: Date = Date()
    ) async throws -> Article {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            let existing = try await articles("WHERE id = $1 FOR UPDATE", binds, on: connection).first
            if let expectedVersion, existing?.version != expectedVersion {
                throw Problem.preconditionFailed("The article changed since you read it (version \(existing?.version ?? 0)).")
            }
            if existing?.deletedAt != nil || existing.map({ $0.kind != kind }) == true { throw Problem.notFound("No such \(kind.noun).") }
            let article = try await linkTranslation(try ArticleRules.article(
                from: input, kind: kind, id: id.lowercased, brandID: existing?.brandID ?? brandID.lowercased, existing: existing, now: now,
                staleAfterDays: try await settings.staleAfterDays(on: connection)), on: connection)
            try await checkFolder(article, on: connection)
            try await write(article, on: connection)
            try await events.publish(
                "knowledge.\(kind.rawValue)_\(existing == nil ? "created" : "updated")", subject: article.id, brandID: article.brandID,
                data: ArticleEventData(article: article, actorID: actor), on: connection)
            return article
        }
    }

    /// Marks the article deleted (found only by "only deleted" searches, purged after 90 days); 404 when it is
    /// not there. `forwardTo` (the delete dialog's "forward traffic") sends the deleted page's visitors on to
    /// another live item of the same kind and brand, for good: the forward outlives the purge.
    public func delete(_ id: UUID, actor: String?, forwardTo: UUID? = nil, now: Date = Date()) async throws {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            guard var article = try await articles("WHERE id = $1 AND deleted_at IS NULL FOR UPDATE", binds, on: connection).first else {
                throw Problem.notFound("No such article.")
            }
            if let forwardTo { try await forward(article, to: forwardTo, on: connection) }
            article.deletedAt = now
            article.version += 1
            try await write(article, on: connection)
            try await events.publish(
                "knowledge.\(article.kind.rawValue)_deleted", subject: article.id, brandID: article.brandID, data: ArticleEventData(article: article, actorID: actor),
                on: connection)
        }
    }

    public func find(_ id: UUID, includingDeleted: Bool = false) async throws -> Article? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await database.client.withConnection { connection in
            try await articles("WHERE id = $1\(includingDeleted ? "" : " AND deleted_at IS NULL")", binds, on: connection).first
        }
    }

    /// A brand's articles (newest change first) or news (newest publish date first), a keyset page at a time;
    /// `publicOnly` for portal visitors (what is public and published by now), of folders whose access they meet
    /// (`satisfies`, default: anonymous).
    public func list(
        kind: ContentKind = .article, brandID: UUID, language: String?, folderID: UUID?, publicOnly: Bool, page: PageRequest,
        view: ArticleListView? = nil, assignedAgentID: UUID? = nil, satisfies: [String] = [PortalAccess.everyone]
    ) async throws -> Page<Article> {
        let order = kind == .news ? "published_at" : "updated_at"
        var query = QueryConditions()
        let brand = query.bind(brandID)
        let kindBind = query.bind(kind.rawValue)
        query.require("kind = \(kindBind)")
        query.require("deleted_at IS NULL")
        query.require(language) { "language = \($0)" }
        query.require(folderID) { "folder_id = \($0)" }
        if publicOnly {
            let access = query.bind(satisfies)
            query.require("""
                NOT is_private AND NOT is_draft AND published_at <= now() AND (folder_id IS NULL OR folder_id IN (
                    SELECT id FROM \(database.table("folders")) WHERE effective_view_requires = ANY(\(access))))
                """)
        }
        try query.after(page.cursor, as: [.timestamp, .uuid]) { "(\(order), id) < (\($0[0])::timestamptz, \($0[1])::uuid)" }
        switch view {
        case .drafts: query.require("is_draft")
        case .review: query.require("review = 'review'")
        case .stale: query.require("stale_at <= now()")
        case nil: break
        }
        query.require(assignedAgentID) { "assigned_agent_id = \($0)" }
        let limit = query.bind(page.limit + 1)
        // The brand's own items in the order of their index, and those shared with it (few) beside them.
        let conditions = "\(query.conjunction) ORDER BY \(order) DESC, id DESC LIMIT \(limit)"
        let found = try await database.client.withConnection { connection in
            try await articles("""
                WHERE id IN (
                    (SELECT id FROM \(database.table("articles")) WHERE brand_id = \(brand) AND \(conditions))
                    UNION ALL
                    (SELECT id FROM \(database.table("articles")) WHERE shared_brand_ids @> ARRAY[\(brand)::uuid] AND \(conditions)))
                ORDER BY \(order) DESC, id DESC LIMIT \(limit)
                """, query.binds, on: connection)
        }
        return Page.from(fetched: found, limit: page.limit) { article in
            [KeysetTimestamp(kind == .news ? article.publishedAt : article.updatedAt).cursorKey, article.id]
        }
    }

    /// The articles with these ids (deleted ones too), for the search index.
    func articles(ids: [UUID], on connection: PostgresConnection) async throws -> [Article] {
        var binds = PostgresBindings()
        binds.append(ids)
        return try await articles("WHERE id = ANY($1)", binds, on: connection)
    }

    /// The next thousand articles by id after `after`, for rebuilding the index.
    func articles(after: UUID?, on connection: PostgresConnection) async throws -> [Article] {
        var binds = PostgresBindings()
        binds.append(after)
        return try await articles("WHERE id > \(KeysetCursor.uuidAfter("$1")) ORDER BY id LIMIT 1000", binds, on: connection)
    }

    /// Records a search that found nothing, with its event, for the "unsuccessful searches" report.
    public func recordUnsuccessfulSearch(_ query: String, brandID: UUID?, language: String, employee: Bool) async throws {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(UUIDv7.generate())
            binds.append(brandID)
            binds.append(language)
            binds.append(String(query.prefix(500)))
            binds.append(employee)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("unsuccessful_searches")) (id, brand_id, language, query, employee, searched_at)
                    VALUES ($1, $2, $3, $4, $5, now())
                    """, binds: binds), logger: database.logger
            ).consume()
            try await events.publish(
                "knowledge.search_unsuccessful", subject: brandID?.lowercased ?? "all", brandID: brandID?.lowercased,
                data: UnsuccessfulSearchData(query: String(query.prefix(500)), language: language, employee: employee), on: connection)
        }
    }

    func checkFolder(_ article: Article, on connection: PostgresConnection) async throws {
        guard let folder = article.folderID.flatMap(UUID.init(parsing:)) else { return }
        var binds = PostgresBindings()
        binds.append(folder)
        binds.append(UUID(parsing: article.brandID))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT 1 FROM \(database.table("folders")) WHERE id = $1 AND brand_id = $2", binds: binds), logger: database.logger)
        for try await _ in rows { return }
        throw Problem.unprocessable("There is no folder \(folder.lowercased) in this brand.", errors: [.init(field: "folderID", message: "unknown folder")])
    }

    func write(_ article: Article, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: article.id))
        binds.append(UUID(parsing: article.brandID))
        binds.append(article.folderID.flatMap(UUID.init(parsing:)))
        binds.append(article.language)
        binds.append(article.translationOf.flatMap(UUID.init(parsing:)))
        binds.append(article.title)
        binds.append(article.slug)
        binds.append(article.summary)
        binds.append(article.bodyHTML)
        binds.append(article.bodyText)
        binds.append(article.assignedAgentID.flatMap(UUID.init(parsing:)))
        binds.append(article.isPrivate)
        binds.append(article.isDraft)
        binds.append(article.review.rawValue)
        binds.append(article.featured)
        binds.append(article.staleAt)
        binds.append(article.reviewedAt)
        binds.append(article.createdAt)
        binds.append(article.updatedAt)
        binds.append(article.deletedAt)
        binds.append(article.version)
        binds.append(article.kind.rawValue)
        binds.append(article.publishedAt)
        binds.append(article.sharedBrandIDs.compactMap(UUID.init(parsing:)))
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("articles")) AS stored (\(Self.columns))
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
                ON CONFLICT (id) DO UPDATE SET folder_id = $3, language = $4, translation_of = $5, title = $6, slug = $7, summary = $8,
                    body_html = $9, body_text = $10, assigned_agent_id = $11, is_private = $12, is_draft = $13, review = $14, featured = $15,
                    stale_at = $16, reviewed_at = $17, updated_at = $19, deleted_at = $20, version = $21, published_at = $23, shared_brand_ids = $24,
                    stale_signalled_at = CASE WHEN stored.stale_at IS DISTINCT FROM $16 THEN NULL ELSE stored.stale_signalled_at END
                """, binds: binds), logger: database.logger
        ).consume()
    }

    func articles(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [Article] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM \(database.table("articles")) \(tail)", binds: binds), logger: database.logger)
        var result: [Article] = []
        for try await row in rows {
            let columns = row.makeRandomAccess()
            result.append(Article(
                id: try columns[0].decode(UUID.self).lowercased, kind: ContentKind(rawValue: try columns[21].decode(String.self)) ?? .article,
                brandID: try columns[1].decode(UUID.self).lowercased,
                folderID: try columns[2].decode(UUID?.self)?.lowercased, language: try columns[3].decode(String.self),
                translationOf: try columns[4].decode(UUID?.self)?.lowercased, title: try columns[5].decode(String.self),
                slug: try columns[6].decode(String.self), summary: try columns[7].decode(String.self), bodyHTML: try columns[8].decode(String.self),
                bodyText: try columns[9].decode(String.self), assignedAgentID: try columns[10].decode(UUID?.self)?.lowercased,
                isPrivate: try columns[11].decode(Bool.self), isDraft: try columns[12].decode(Bool.self),
                review: ReviewState(rawValue: try columns[13].decode(String.self)) ?? .none, featured: try columns[14].decode(Bool.self),
                staleAt: try columns[15].decode(Date?.self), reviewedAt: try columns[16].decode(Date?.self),
                publishedAt: try columns[22].decode(Date.self), createdAt: try columns[17].decode(Date.self),
                updatedAt: try columns[18].decode(Date.self), deletedAt: try columns[19].decode(Date?.self), version: try columns[20].decode(Int.self),
                sharedBrandIDs: try columns[23].decode([UUID].self).map(\.lowercased)))
        }
        return result
    }
}

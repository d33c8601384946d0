import Contracts
import Database
import Foundation
import PostgresNIO

/// Each brand's portal settings the knowledge base follows, kept from `brand.settings_changed` on
/// `identity.events`; a brand nobody changed has the documented defaults.
public struct BrandPortalStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func gates(of brandID: UUID) async throws -> BrandPortal {
        var binds = PostgresBindings()
        binds.append(brandID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT view_articles, view_news, voting_enabled, feedback_moderated FROM \(database.table("brand_gates")) WHERE brand_id = $1
                """, binds: binds),
            logger: database.logger)
        for try await (articles, news, voting, moderated) in rows.decode((String, String, Bool, Bool).self) {
            return BrandPortal(articles: articles, news: news, votingEnabled: voting, feedbackModerated: moderated)
        }
        return BrandPortal()
    }

    /// The gates of the brand with this id text (the defaults for one that is no id).
    public func gates(ofBrand brandID: String) async throws -> BrandPortal {
        guard let id = UUID(parsing: brandID) else { return BrandPortal() }
        return try await gates(of: id)
    }

    /// The part of `brand.settings_changed` this service reads.
    struct BrandSettingsChanged: Decodable {
        struct Settings: Decodable { var permissions: Permissions?; var portal: Portal? }
        struct Permissions: Decodable { var viewKBArticlesRequires: String?; var viewNewsRequires: String?; var newFeedbackStartsModerated: Bool? }
        struct Portal: Decodable { var enableKBVoting: Bool? }
        var brandID: String
        var settings: Settings
        var version: Int
    }

    /// Keeps the settings of a version newer than the stored one.
    func apply(_ changed: BrandSettingsChanged, on connection: PostgresConnection) async throws {
        guard let brand = UUID(parsing: changed.brandID) else { return }
        let defaults = BrandPortal()
        var binds = PostgresBindings()
        binds.append(brand)
        binds.append(changed.settings.permissions?.viewKBArticlesRequires ?? defaults.articles)
        binds.append(changed.settings.permissions?.viewNewsRequires ?? defaults.news)
        binds.append(changed.version)
        binds.append(changed.settings.portal?.enableKBVoting ?? defaults.votingEnabled)
        binds.append(changed.settings.permissions?.newFeedbackStartsModerated ?? defaults.feedbackModerated)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("brand_gates")) AS stored (brand_id, view_articles, view_news, version, voting_enabled, feedback_moderated)
                VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (brand_id) DO UPDATE SET view_articles = $2, view_news = $3, version = $4, voting_enabled = $5, feedback_moderated = $6
                WHERE stored.version < $4
                """, binds: binds),
            logger: database.logger
        ).consume()
    }
}

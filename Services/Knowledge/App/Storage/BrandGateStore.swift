import Database
import Foundation
import PostgresNIO

/// Each brand's portal gates, kept from `brand.settings_changed` on `identity.events`; a brand nobody changed is
/// open to everyone (the documented default).
public struct BrandGateStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func gates(of brandID: UUID) async throws -> PortalGates {
        var binds = PostgresBindings()
        binds.append(brandID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT view_articles, view_news FROM \(database.table("brand_gates")) WHERE brand_id = $1", binds: binds),
            logger: database.logger)
        for try await (articles, news) in rows.decode((String, String).self) { return PortalGates(articles: articles, news: news) }
        return PortalGates()
    }

    /// The gates of the brand with this id text (the defaults for one that is no id).
    public func gates(ofBrand brandID: String) async throws -> PortalGates {
        guard let id = UUID(uuidString: brandID) else { return PortalGates() }
        return try await gates(of: id)
    }

    /// The part of `brand.settings_changed` this service reads.
    struct BrandSettingsChanged: Decodable {
        struct Settings: Decodable { var permissions: Permissions? }
        struct Permissions: Decodable { var viewKBArticlesRequires: String?; var viewNewsRequires: String? }
        var brandID: String
        var settings: Settings
        var version: Int
    }

    /// Keeps the gates of a settings version newer than the stored one.
    func apply(_ changed: BrandSettingsChanged, on connection: PostgresConnection) async throws {
        guard let brand = UUID(uuidString: changed.brandID) else { return }
        let defaults = PortalGates()
        var binds = PostgresBindings()
        binds.append(brand)
        binds.append(changed.settings.permissions?.viewKBArticlesRequires ?? defaults.articles)
        binds.append(changed.settings.permissions?.viewNewsRequires ?? defaults.news)
        binds.append(changed.version)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("brand_gates")) AS stored (brand_id, view_articles, view_news, version) VALUES ($1, $2, $3, $4)
                ON CONFLICT (brand_id) DO UPDATE SET view_articles = $2, view_news = $3, version = $4 WHERE stored.version < $4
                """, binds: binds),
            logger: database.logger
        ).consume()
    }
}

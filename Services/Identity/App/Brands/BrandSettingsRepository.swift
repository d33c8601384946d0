import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// A brand's settings document with its own version (the ETag of `/brands/{id}/settings`).
public struct VersionedBrandSettings: Codable, Sendable, Equatable {
    public var brandID: String
    public var settings: BrandSettings
    public var version: Int
}

/// Reads and replaces brand settings; each change publishes `brand.settings_changed` with the whole document,
/// which live chat (holidays, business hours) and automation ("Outside Business Hours") keep.
public struct BrandSettingsRepository: Sendable {
    let database: Database
    let events: IdentityEvents

    public init(database: Database) {
        self.database = database
        self.events = IdentityEvents(database: database)
    }

    public func find(_ brandID: UUID) async throws -> VersionedBrandSettings? {
        try await database.client.withConnection { try await find(brandID, on: $0, lock: false) }
    }

    /// Applies `change` to the current settings when the version still matches (412 otherwise).
    public func update(
        _ brandID: UUID, expectedVersion: Int?, change: (BrandSettings) throws -> BrandSettings
    ) async throws -> VersionedBrandSettings {
        try await database.transaction { connection in
            guard let current = try await find(brandID, on: connection, lock: true) else { throw Problem.notFound("No such brand.") }
            guard let next = try SettingsRevision.next(current.settings, version: current.version, expectedVersion: expectedVersion, change: change) else {
                return current
            }
            var binds = PostgresBindings()
            binds.append(try JSONColumn.encode(next))
            binds.append(brandID)
            try await connection.query(
                PostgresQuery(unsafeSQL: "UPDATE \(database.table("brands")) SET settings = $1::jsonb, settings_version = settings_version + 1, updated_at = now() WHERE id = $2", binds: binds),
                logger: database.logger
            ).consume()
            let updated = VersionedBrandSettings(brandID: current.brandID, settings: next, version: current.version + 1)
            try await events.publish("brand.settings_changed", subject: updated.brandID, brandID: updated.brandID, data: updated, on: connection)
            return updated
        }
    }

    private func find(_ brandID: UUID, on connection: PostgresConnection, lock: Bool) async throws -> VersionedBrandSettings? {
        var binds = PostgresBindings()
        binds.append(brandID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT settings::text, settings_version FROM \(database.table("brands")) WHERE id = $1\(lock ? " FOR UPDATE" : "")", binds: binds),
            logger: database.logger)
        for try await (document, version) in rows.decode((String, Int).self) {
            return VersionedBrandSettings(
                brandID: brandID.uuidString.lowercased(), settings: try MergePatch.decode(document, over: BrandSettings()), version: version)
        }
        return nil
    }
}

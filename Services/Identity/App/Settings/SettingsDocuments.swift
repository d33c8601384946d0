import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The installation's settings documents, one row a section (`management`, …), read over their defaults so a
/// field added later has its documented value. A change is a whole new document under a row lock, publishing
/// `<section>_settings.changed` with it in the same transaction.
public struct SettingsDocuments: Sendable {
    let database: Database
    let events: IdentityEvents

    public init(database: Database) {
        self.database = database
        self.events = IdentityEvents(database: database)
    }

    /// The section's document, or its defaults at version 1 before anyone changed it.
    public func find<Settings: Codable & Sendable & Equatable>(_ section: String, defaults: Settings) async throws -> VersionedSettings<Settings> {
        try await database.client.withConnection { try await find(section, defaults: defaults, on: $0, lock: false) }
    }

    /// Applies `change` when the version still matches `expectedVersion` (412 otherwise); no event when nothing changed.
    public func update<Settings: Codable & Sendable & Equatable>(
        _ section: String, defaults: Settings, expectedVersion: Int?, change: (Settings) throws -> Settings
    ) async throws -> VersionedSettings<Settings> {
        try await database.transaction { connection in
            var sectionBind = PostgresBindings()
            sectionBind.append(section)
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("settings_documents")) (section) VALUES ($1) ON CONFLICT DO NOTHING", binds: sectionBind),
                logger: database.logger
            ).consume()
            let current = try await find(section, defaults: defaults, on: connection, lock: true)
            guard let next = try SettingsRevision.next(current.settings, version: current.version, expectedVersion: expectedVersion, change: change) else {
                return current
            }
            var binds = PostgresBindings()
            binds.append(try JSONColumn.encode(next))
            binds.append(section)
            try await connection.query(
                PostgresQuery(unsafeSQL: "UPDATE \(database.table("settings_documents")) SET document = $1::jsonb, version = version + 1, updated_at = now() WHERE section = $2", binds: binds),
                logger: database.logger
            ).consume()
            let updated = VersionedSettings(settings: next, version: current.version + 1)
            try await events.publish("\(section)_settings.changed", subject: section, data: updated, on: connection)
            return updated
        }
    }

    private func find<Settings: Codable & Sendable & Equatable>(
        _ section: String, defaults: Settings, on connection: PostgresConnection, lock: Bool
    ) async throws -> VersionedSettings<Settings> {
        var binds = PostgresBindings()
        binds.append(section)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT document::text, version FROM \(database.table("settings_documents")) WHERE section = $1\(lock ? " FOR UPDATE" : "")", binds: binds),
            logger: database.logger)
        for try await (document, version) in rows.decode((String, Int).self) {
            return VersionedSettings(settings: try MergePatch.decode(document, over: defaults), version: version)
        }
        return VersionedSettings(settings: defaults, version: 1)
    }
}

import Contracts
import Foundation
import PostgresNIO
import ServiceKit

/// A service's settings documents (its `settings_documents` table), one row a section (identity's `management`,
/// tickets' `tickets`, …), read over their defaults so a field added later has its documented value. A change is a
/// whole new document under a row lock, publishing `<section>_settings.changed` on the service's events topic in the
/// same transaction.
public struct SettingsDocuments: Sendable {
    let database: Database
    let service: ServiceName
    let outbox: OutboxStore

    public init(database: Database, service: ServiceName) {
        self.database = database
        self.service = service
        self.outbox = OutboxStore(database: database)
    }

    /// The table every service that keeps settings documents creates in its schema (a migration's statement).
    public static let tableSQL = """
        CREATE TABLE {schema}.settings_documents (
            section text PRIMARY KEY,
            document jsonb NOT NULL DEFAULT '{}',
            version integer NOT NULL DEFAULT 1,
            updated_at timestamptz NOT NULL DEFAULT now())
        """

    /// A JSON merge patch of the section's document (`PATCH …/settings/…`), checked by `validate` before it is stored;
    /// `announced` as in ``update(_:defaults:expectedVersion:announced:change:)``.
    public func patch<Settings: Codable & Sendable & Equatable>(
        _ section: String, defaults: Settings, with patch: Data, expectedVersion: Int?, validate: (Settings) throws -> Void,
        announced: (Settings) throws -> Settings = { $0 }
    ) async throws -> VersionedSettings<Settings> {
        try await update(section, defaults: defaults, expectedVersion: expectedVersion, announced: announced) { current in
            let next = try MergePatch.apply(patch, to: current)
            try validate(next)
            return next
        }
    }

    /// The section's document, or its defaults at version 1 before anyone changed it.
    public func find<Settings: Codable & Sendable & Equatable>(_ section: String, defaults: Settings) async throws -> VersionedSettings<Settings> {
        try await database.client.withConnection { try await find(section, defaults: defaults, on: $0, lock: false) }
    }

    /// Applies `change` when the version still matches `expectedVersion` (412 otherwise); no event when nothing changed.
    /// The event carries the document as `announced` gives it (say, with a secret sealed), the answer as it is stored.
    public func update<Settings: Codable & Sendable & Equatable>(
        _ section: String, defaults: Settings, expectedVersion: Int?, announced: (Settings) throws -> Settings = { $0 },
        change: (Settings) throws -> Settings
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
            let announcement = VersionedSettings(settings: try announced(next), version: updated.version)
            try await outbox.append(
                CloudEvent(source: service.rawValue, type: "\(section)_settings.changed", subject: section, brandid: nil, data: announcement),
                topic: service.eventsTopic, on: connection)
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

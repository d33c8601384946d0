import Contracts
import Database
import Foundation
import PostgresNIO

/// The knowledge service's copy of the Management Interface setting it acts on, "Knowledge Base Articles and
/// Canned Replies Stale After", kept from `management_settings.changed` on `identity.events`.
public struct KnowledgeSettingsStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The days after which a new or reviewed article or canned reply goes stale.
    public func staleAfterDays(on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT stale_after_days FROM \(database.table("settings")) WHERE id = 1"), logger: database.logger)
        for try await days in rows.decode(Int.self) { return days }
        return ManagementSettings.defaultStaleAfterDays
    }

    /// Keeps settings newer than the stored ones (a replayed or reordered older event changes nothing). A new
    /// period moves every stale date not yet reached by the difference, so each item goes stale the new number of
    /// days after its creation or last review; items already stale stay stale.
    public func apply(_ changed: VersionedSettings<ManagementSettings>, on connection: PostgresConnection) async throws {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT stale_after_days, version FROM \(database.table("settings")) WHERE id = 1 FOR UPDATE"),
            logger: database.logger)
        var stored: (days: Int, version: Int)?
        for try await (days, version) in rows.decode((Int, Int).self) { stored = (days, version) }
        guard let stored, stored.version < changed.version else { return }
        var binds = PostgresBindings()
        binds.append(changed.settings.staleAfterDays)
        binds.append(changed.version)
        try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table("settings")) SET stale_after_days = $1, version = $2 WHERE id = 1", binds: binds),
            logger: database.logger
        ).consume()
        let shift = changed.settings.staleAfterDays - stored.days
        guard shift != 0 else { return }
        var shiftBinds = PostgresBindings()
        shiftBinds.append(shift)
        for table in ["articles", "canned_replies"] {
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    UPDATE \(database.table(table)) SET stale_at = stale_at + $1::integer * interval '24 hours'
                    WHERE deleted_at IS NULL AND stale_at > now()
                    """, binds: shiftBinds),
                logger: database.logger
            ).consume()
        }
    }
}

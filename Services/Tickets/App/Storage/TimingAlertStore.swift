import Contracts
import Database
import Foundation
import PostgresNIO

/// Raises the Timing alerts that fell due: each ticket's level is kept on the ticket (`idle_alert`,
/// `duration_alert`), claimed with SKIP LOCKED and raised with its event in one transaction, so with several
/// instances every alert is published once. A ticket's idle level starts again at 0 when its idle time restarts.
/// When the Timing thresholds change, levels raised under the old ones are brought down to what the new ones give
/// (``TicketStore/settleTimingAlerts(to:now:)``), so a cleared or raised threshold stops flagging tickets.
extension TicketStore {
    /// Raises due alerts, at most `batch` tickets per alert and level per call; answers how many were raised. First,
    /// when `watch` has not seen this version of the settings (a new process, or the settings changed), the levels
    /// already raised are settled to its thresholds.
    public func raiseTimingAlerts(now: Date = Date(), batch: Int = 200, watch: TimingSettingsWatch = TimingSettingsWatch()) async throws -> Int {
        let versioned = try await settingsDocuments.find(TicketSettingsController.section, defaults: TicketSettings())
        let settings = versioned.settings
        if await watch.isNew(versioned.version) {
            try await settleTimingAlerts(to: settings, now: now)
            await watch.settled(versioned.version)
        }
        var raised = 0
        for alert in TimingAlert.allCases {
            for threshold in TimingRules.thresholds(alert, settings: settings).reversed() {
                raised += try await database.transaction { connection in
                    try await raise(alert, to: threshold, now: now, batch: batch, on: connection)
                }
            }
        }
        return raised
    }

    /// Brings every stored level down to the one `settings`' thresholds give the ticket now (0 when they are cleared).
    /// Levels only go down here: raising is the alert's own, with its event.
    public func settleTimingAlerts(to settings: TicketSettings, now: Date = Date()) async throws {
        for alert in TimingAlert.allCases {
            var binds = PostgresBindings()
            let passed = TimingRules.thresholds(alert, settings: settings).reversed().map { threshold in
                binds.append(now.addingTimeInterval(-TimeInterval(threshold.minutes) * 60))
                return "WHEN \(alert.startColumn) <= $\(binds.count) THEN \(threshold.level)"
            }
            let reached = passed.isEmpty ? "0" : "CASE \(passed.joined(separator: " ")) ELSE 0 END"
            let sql = "UPDATE \(database.table("tickets")) SET \(alert.levelColumn) = \(reached) WHERE \(alert.levelColumn) > \(reached)"
            try await database.client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger).consume()
        }
    }

    /// Raises the level of up to `$2` tickets whose alert started by `$1`, oldest first. The claimed ids are read into
    /// an array first: with `id IN (SELECT … LIMIT $2)`, the generic plan (``DatabaseURL``) expected a tenth of the
    /// tickets and joined them by scanning the whole table, 1.4 s per statement over a million tickets.
    func raiseSQL(_ alert: TimingAlert, to threshold: TimingThreshold) -> String {
        let statuses = alert.statuses.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return """
            UPDATE \(database.table("tickets")) SET \(alert.levelColumn) = \(threshold.level) WHERE id = ANY(ARRAY(
                SELECT id FROM \(database.table("tickets"))
                WHERE status IN (\(statuses)) AND deleted_at IS NULL AND \(alert.levelColumn) < \(threshold.level) AND \(alert.startColumn) <= $1
                ORDER BY \(alert.startColumn) LIMIT $2 FOR UPDATE SKIP LOCKED))
            RETURNING id
            """
    }

    private func raise(_ alert: TimingAlert, to threshold: TimingThreshold, now: Date, batch: Int, on connection: PostgresConnection) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(now.addingTimeInterval(-TimeInterval(threshold.minutes) * 60))
        binds.append(batch)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: raiseSQL(alert, to: threshold), binds: binds), logger: database.logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        guard !ids.isEmpty else { return 0 }
        let tickets = try await self.tickets(ids: ids, on: connection)
        let type = alert.eventType(level: threshold.level)
        try await events.publish(
            tickets.map { ticket in
                (ticket, [TicketEvents.Item(type, actor: .system, details: ["minutes": String(threshold.minutes), "agentID": ticket.agentID ?? ""])])
            }, on: connection, recordHistory: false)
        return ids.count
    }
}

/// The version of the Timing settings a worker last settled the stored levels to: each process settles once when it
/// starts and again after each change it sees.
public actor TimingSettingsWatch {
    private var version: Int?

    public init() {}

    func isNew(_ version: Int) -> Bool { self.version != version }

    func settled(_ version: Int) { self.version = version }
}

import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The agent console's open ticket windows (opened, closed), from which automatic time logs are made, and the
/// copy of identity's Management Interface switch that turns them on.
extension TicketStore {
    public struct OpenTicketView: Codable, Sendable, Equatable {
        public var viewID: String
        public var ticketID: String
        public var openedAt: Date
    }

    public func openView(of ticketID: UUID, by agent: UUID, now: Date = Date()) async throws -> OpenTicketView {
        let view = OpenTicketView(viewID: UUIDv7.generate().lowercased, ticketID: ticketID.lowercased, openedAt: now)
        var binds = PostgresBindings()
        binds.append(UUID(parsing: view.viewID))
        binds.append(ticketID)
        binds.append(agent)
        binds.append(now)
        try await database.client.query(
            PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("ticket_views")) (id, ticket_id, agent_id, opened_at) VALUES ($1, $2, $3, $4)", binds: binds),
            logger: database.logger
        ).consume()
        return view
    }

    /// Closes the agent's open view; answers the automatic time log it made, if one was due. One transaction: a log that
    /// fails leaves the view open, so that closing it again logs the time.
    public func closeView(_ viewID: UUID, of ticketID: UUID, by agent: UUID, now: Date = Date()) async throws -> TimeLog? {
        let enabled = try await automaticTimeLogs()
        return try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(viewID)
            binds.append(ticketID)
            binds.append(agent)
            binds.append(now)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    UPDATE \(database.table("ticket_views")) SET closed_at = $4
                    WHERE id = $1 AND ticket_id = $2 AND agent_id = $3 AND closed_at IS NULL RETURNING opened_at
                    """, binds: binds),
                logger: database.logger)
            var opened: Date?
            for try await date in rows.decode(Date.self) { opened = date }
            guard let opened else { throw Problem.notFound("No such open view.") }
            // The ticket is read (and locked) only when its owner closes the window and a log may be due: the lock
            // orders the closing of two of the owner's windows, so the second sees what the first logged.
            var owned = PostgresBindings()
            owned.append(ticketID)
            owned.append(agent)
            guard enabled, try await !tickets("WHERE id = $1 AND agent_id = $2 FOR UPDATE", owned, on: connection).isEmpty,
                let minutes = AutomaticTimeLog.minutes(
                    opened: opened, closed: now, enabled: enabled, byOwner: true,
                    logged: try await loggedViews(of: ticketID, by: agent, besides: viewID, on: connection))
            else { return nil }
            try await markLogged(viewID, on: connection)
            return try await logTime(
                ticketID, minutes: minutes, categoryID: nil, description: "Automatic time log", billable: nil, by: agent.lowercased, automatic: true,
                on: connection
            ).log
        }
    }

    /// The spans of the agent's other closed views of the ticket that made a time log.
    private func loggedViews(of ticketID: UUID, by agent: UUID, besides viewID: UUID, on connection: PostgresConnection) async throws -> [DateInterval] {
        var binds = PostgresBindings()
        binds.append(ticketID)
        binds.append(agent)
        binds.append(viewID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT opened_at, closed_at FROM \(database.table("ticket_views"))
                WHERE ticket_id = $1 AND agent_id = $2 AND id <> $3 AND logged AND closed_at >= opened_at
                """, binds: binds),
            logger: database.logger)
        var spans: [DateInterval] = []
        for try await (opened, closed) in rows.decode((Date, Date).self) { spans.append(DateInterval(start: opened, end: closed)) }
        return spans
    }

    private func markLogged(_ viewID: UUID, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(viewID)
        try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table("ticket_views")) SET logged = true WHERE id = $1", binds: binds), logger: database.logger
        ).consume()
    }

    /// Whether identity's "Enable automatic time log creation" is on.
    public func automaticTimeLogs() async throws -> Bool {
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT automatic_time_logs FROM \(database.table("identity_settings")) WHERE id = 1"), logger: database.logger)
        for try await enabled in rows.decode(Bool.self) { return enabled }
        return false
    }

    /// `base` with the upload lists and the size limit of identity's settings, where an administrator changed them.
    public func attachmentPolicy(_ base: AttachmentPolicy) async throws -> AttachmentPolicy {
        let rows = try await database.client.query(
            PostgresQuery(
                unsafeSQL: "SELECT agent_upload_extensions, user_upload_extensions, max_attachment_mb FROM \(database.table("identity_settings")) WHERE id = 1"),
            logger: database.logger)
        for try await (agents, users, megabytes) in rows.decode(([String]?, [String]?, Int?).self) {
            return base.with(agentExtensions: agents, userExtensions: users, maximumMB: megabytes)
        }
        return base
    }

    /// Keeps the automatic time log switch, the upload lists and size limit and the CAPTCHA setting from `management_settings.changed`, its
    /// secret key sealed as announced (a replayed older version changes nothing).
    func applyManagementSettings(_ changed: VersionedSettings<ManagementSettings>, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(changed.settings.automaticTimeLogs)
        binds.append(changed.version)
        binds.append(changed.settings.agentUploadExtensions)
        binds.append(changed.settings.userUploadExtensions)
        binds.append(changed.settings.captcha.rawValue)
        binds.append(changed.settings.captchaSecretKey)
        binds.append(changed.settings.captchaVerifyURL)
        binds.append(changed.settings.maxAttachmentMB)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("identity_settings")) SET automatic_time_logs = $1, version = $2, agent_upload_extensions = $3,
                    user_upload_extensions = $4, captcha = $5, captcha_secret_key = $6, captcha_verify_url = $7, max_attachment_mb = $8
                WHERE id = 1 AND version < $2
                """, binds: binds),
            logger: database.logger
        ).consume()
    }
}

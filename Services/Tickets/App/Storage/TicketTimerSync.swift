import Contracts
import Database
import Foundation
import PostgresNIO

/// Keeps each ticket's timer rows as ``TimerRules`` says from its state and its department's ``TimerPolicy``: after
/// every change of the ticket, when a timer fires (it acts only if still due), and for all the department's tickets,
/// batch by batch, when the department's timer settings change.
extension TicketStore {
    /// Rewrites the ticket's timers: `due` when the caller has just read them (``dueTimers(_:on:)``), else read now.
    func syncTimers(_ id: UUID, due known: [TimerKind: Date]? = nil, on connection: PostgresConnection) async throws {
        let due: [TimerKind: Date]
        if let known { due = known } else { due = try await dueTimers(id, on: connection) }
        var binds = PostgresBindings()
        binds.append(id)
        try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("timers")) WHERE ticket_id = $1", binds: binds), logger: database.logger
        ).consume()
        for (kind, at) in due {
            var timer = PostgresBindings()
            timer.append(id)
            timer.append(kind.rawValue)
            timer.append(at)
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("timers")) (ticket_id, kind, due_at) VALUES ($1, $2, $3)", binds: timer),
                logger: database.logger
            ).consume()
        }
    }

    /// Sets the ticket's timer of `kind` to `at` (a timer that could not act, tried again later).
    func postpone(_ kind: TimerKind, of id: UUID, until at: Date, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(kind.rawValue)
        binds.append(at)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("timers")) (ticket_id, kind, due_at) VALUES ($1, $2, $3)
                ON CONFLICT (ticket_id, kind) DO UPDATE SET due_at = excluded.due_at
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// The ticket's timers as they should be now (none for a ticket that is gone).
    func dueTimers(_ id: UUID, on connection: PostgresConnection) async throws -> [TimerKind: Date] {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT t.status, t.closed_at, coalesce(t.status_since, CASE WHEN t.status = 'waiting' THEN t.last_action_at ELSE t.closed_at END),
                    t.follow_up_at, t.follow_up_due, t.deleted_at,
                    d.auto_close_hours, d.auto_lock_hours, d.auto_delete_days, coalesce(d.auto_delete_resolved, false),
                    CASE WHEN t.status IN ('closed', 'closed_locked') AND d.auto_delete_days IS NOT NULL AND NOT d.auto_delete_resolved
                        THEN EXISTS (SELECT 1 FROM \(database.table("comments")) c WHERE c.ticket_id = t.id AND c.type = 'resolution')
                        ELSE false END,
                    CASE WHEN t.deleted_at IS NOT NULL THEN \(purgeDaysSQL) END
                FROM \(database.table("tickets")) t LEFT JOIN \(database.table("departments")) d ON d.id = t.department_id WHERE t.id = $1
                """, binds: binds), logger: database.logger)
        var due: [TimerKind: Date] = [:]
        for try await (status, closed, statusSince, followUp, followUpDue, deleted, close, lock, delete, deleteResolved, resolved, purgeDays)
            in rows.decode((String, Date?, Date?, Date?, Bool, Date?, Int?, Int?, Int?, Bool, Bool, Int?).self)
        {
            due = TimerRules.due(
                status: TicketStatus(rawValue: status) ?? .active, closedAt: closed, statusSince: statusSince,
                followUpAt: FollowUpRules.timerAt(followUp, due: followUpDue), deletedAt: deleted, hasResolution: resolved,
                policy: TimerPolicy(
                    autoCloseHours: close, autoLockHours: lock, autoDeleteDays: delete, autoDeleteResolved: deleteResolved,
                    purgeDays: purgeDays ?? TimerPolicy.defaultPurgeDays))
        }
        return due
    }

    /// Settings → Tickets' `purgeDeletedAfterDays` as SQL, for the statements that time purges (the document is read
    /// over its defaults, so a document without the field means 90).
    private var purgeDaysSQL: String {
        """
        coalesce((SELECT (s.document->>'purgeDeletedAfterDays')::int FROM \(database.table("settings_documents")) s
            WHERE s.section = '\(TicketSettingsController.section)'), \(TimerPolicy.defaultPurgeDays))
        """
    }

    /// Moves every deleted ticket's purge to `days` after its deletion (Settings → Tickets changed, or an instance
    /// starting, which cannot know what the timers were set under). Answers how many timers moved. A day is 24 hours,
    /// as ``TimerRules`` counts it, whatever the session's time zone does to calendar days.
    @discardableResult
    public func retimePurges(days: Int) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(days)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("timers")) m SET due_at = t.deleted_at + make_interval(hours => 24 * $1::int)
                FROM \(database.table("tickets")) t
                WHERE m.kind = '\(TimerKind.purge.rawValue)' AND t.id = m.ticket_id AND t.deleted_at IS NOT NULL
                  AND m.due_at <> t.deleted_at + make_interval(hours => 24 * $1::int)
                RETURNING 1
                """, binds: binds), logger: database.logger)
        return try await rows.collect().count
    }

    /// The department's timer settings, or nil when tickets does not know the department yet.
    func timerPolicy(ofDepartment id: String, on connection: PostgresConnection) async throws -> TimerPolicy? {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: id))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT auto_close_hours, auto_lock_hours, auto_delete_days, auto_delete_resolved FROM \(database.table("departments")) WHERE id = $1
                """, binds: binds), logger: database.logger)
        for try await (close, lock, delete, resolved) in rows.decode((Int?, Int?, Int?, Bool).self) {
            return TimerPolicy(autoCloseHours: close, autoLockHours: lock, autoDeleteDays: delete, autoDeleteResolved: resolved)
        }
        return nil
    }

    /// Asks the timer workers to re-time every ticket of the department (from the start, if a sweep was under way).
    func scheduleTimerResync(ofDepartment id: String, on connection: PostgresConnection) async throws {
        try await scheduleSweep("timer_resyncs", ofDepartment: id, on: connection)
    }

    /// Re-times the next batch of a department waiting for it, in one transaction; false when none waits.
    @discardableResult
    public func resyncDepartmentTimers(batchSize: Int = 500) async throws -> Bool {
        try await sweepDepartmentBatch(
            queue: "timer_resyncs", tickets: "status IN ('waiting', 'closed', 'closed_locked') AND deleted_at IS NULL", batchSize: batchSize
        ) { ids, _, connection in
            // Each ticket is locked before its timers are rewritten, as every change of a ticket does: a change made
            // meanwhile waits, then rewrites them from the state it leaves, and the two never interleave.
            var binds = PostgresBindings()
            binds.append(ids)
            try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT id FROM \(database.table("tickets")) WHERE id = ANY($1) ORDER BY id FOR UPDATE", binds: binds),
                logger: database.logger
            ).consume()
            for id in ids { try await syncTimers(id, on: connection) }
        }
    }
}

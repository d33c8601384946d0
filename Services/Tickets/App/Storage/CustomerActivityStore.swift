import Database
import Foundation
import PostgresNIO
import ServiceKit

/// A user's tickets, time logs and forms as their User Details tabs show them to an agent: by the address the tickets
/// were submitted from, among the tickets the agent sees (their groups; managers also their departments).
extension TicketStore {
    public func customerActivity(email: String, visibleTo caller: TicketCaller, now: Date = Date()) async throws -> CustomerActivity {
        var binds = Self.customerBinds(email: email, caller: caller)
        for start in ActivityPeriods.starts(endingAt: now) { binds.append(start) }
        let tickets = database.table("tickets")
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                WITH mine AS (
                    SELECT id, created_at FROM \(tickets)
                    WHERE lower(customer_email) = $1 AND deleted_at IS NULL \(Self.visibleTo(caller))
                ), t AS (
                    SELECT count(*) FILTER (WHERE created_at >= $4)::int d7, count(*) FILTER (WHERE created_at >= $5)::int d30,
                           count(*) FILTER (WHERE created_at >= $6)::int d90, count(*)::int total, max(created_at) latest
                    FROM mine
                ), l AS (
                    SELECT count(*) FILTER (WHERE l.created_at >= $4)::int d7, count(*) FILTER (WHERE l.created_at >= $5)::int d30,
                           count(*) FILTER (WHERE l.created_at >= $6)::int d90, count(*)::int total,
                           coalesce(sum(minutes) FILTER (WHERE l.created_at >= $4), 0)::int m7, coalesce(sum(minutes) FILTER (WHERE l.created_at >= $5), 0)::int m30,
                           coalesce(sum(minutes) FILTER (WHERE l.created_at >= $6), 0)::int m90, coalesce(sum(minutes), 0)::int minutes
                    FROM \(database.table("time_logs")) l JOIN mine ON mine.id = l.ticket_id
                )
                SELECT t.d7, t.d30, t.d90, t.total, l.d7, l.d30, l.d90, l.total, l.m7, l.m30, l.m90, l.minutes, t.latest FROM t, l
                """, binds: binds), logger: database.logger)
        var activity = CustomerActivity(
            email: email, tickets: ActivityCounts(last7Days: 0, last30Days: 0, last90Days: 0, allTime: 0),
            timeLogs: ActivityCounts(last7Days: 0, last30Days: 0, last90Days: 0, allTime: 0),
            minutesLogged: ActivityCounts(last7Days: 0, last30Days: 0, last90Days: 0, allTime: 0), lastTicketAt: nil)
        for try await row in rows.decode((Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Date?).self) {
            activity.tickets = ActivityCounts(last7Days: row.0, last30Days: row.1, last90Days: row.2, allTime: row.3)
            activity.timeLogs = ActivityCounts(last7Days: row.4, last30Days: row.5, last90Days: row.6, allTime: row.7)
            activity.minutesLogged = ActivityCounts(last7Days: row.8, last30Days: row.9, last90Days: row.10, allTime: row.11)
            activity.lastTicketAt = row.12
        }
        return activity
    }

    /// The user's Forms tab: the forms sent on their tickets, newest first (at most 100).
    public func sentForms(toCustomer email: String, visibleTo caller: TicketCaller) async throws -> [SentForm] {
        let binds = Self.customerBinds(email: email, caller: caller)
        return try await database.client.withConnection { connection in
            try await sentForms("""
                WHERE ticket_id IN (SELECT id FROM \(database.table("tickets")) WHERE lower(customer_email) = $1 AND deleted_at IS NULL \(Self.visibleTo(caller)))
                ORDER BY sent_at DESC, id DESC LIMIT 100
                """, binds, on: connection)
        }
    }

    /// An organization's Forms tab: the forms sent on its members' tickets (``organizationTickets(of:visibleTo:page:)``'s
    /// matching), newest first (at most 100).
    public func sentForms(toOrganization organization: UUID, visibleTo caller: TicketCaller) async throws -> [SentForm] {
        var binds = PostgresBindings()
        binds.append(organization)
        CallerVisibility.append(caller, to: &binds)
        return try await database.client.withConnection { connection in
            try await sentForms("""
                WHERE ticket_id IN (
                    SELECT id FROM \(database.table("tickets"))
                    WHERE id = ANY(ARRAY(\(organizationTicketIDs(of: "SELECT $1::uuid")))) AND deleted_at IS NULL \(Self.visibleTo(caller)))
                ORDER BY sent_at DESC, id DESC LIMIT 100
                """, binds, on: connection)
        }
    }

    /// `$1` the address (lower case), `$2`/`$3` the caller's groups and departments (``visibleTo(_:)``).
    private static func customerBinds(email: String, caller: TicketCaller) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(email.lowercased())
        CallerVisibility.append(caller, to: &binds)
        return binds
    }

    private static func visibleTo(_ caller: TicketCaller) -> String { "AND " + CallerVisibility.clause(groups: 2, departments: 3, for: caller) }
}

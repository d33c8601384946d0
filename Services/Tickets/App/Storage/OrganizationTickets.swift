import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Tickets' copy of identity's organizations (their member filters, from `organization.created`, `.updated` and
/// `.deleted`) and the tickets of an organization as its Tickets tab lists them: members by username the tickets of
/// that account, members by email address the tickets whose header holds it (the ticket's address, or its messages'
/// To and Cc, kept in `ticket_addresses` by a trigger) or that its customer shares as the customer of a ticket merged
/// into it, members by domain the tickets with a header address at that domain (the addresses only, not the accounts'),
/// members by phone number the tickets of the accounts whose Contact Info holds it.
extension TicketStore {
    /// Keeps an organization's member filters (a replayed older version changes nothing).
    func rememberOrganization(_ organization: IdentityPayloads.Organization, deleted: Bool, on connection: PostgresConnection) async throws {
        guard let id = UUID(parsing: organization.id) else { return }
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(organization.version)
        let current = try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("organizations")) (id, version) VALUES ($1, $2)
                ON CONFLICT (id) DO UPDATE SET version = $2 WHERE \(database.table("organizations")).version <= $2 RETURNING id
                """, binds: binds), logger: database.logger
        ).collect()
        guard !current.isEmpty else { return }
        var members = PostgresBindings()
        members.append(id)
        try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("organization_members")) WHERE organization_id = $1", binds: members),
            logger: database.logger
        ).consume()
        let kept = deleted ? [] : organization.members
        guard !kept.isEmpty else { return }
        members.append(kept.map(\.kind))
        members.append(kept.map { $0.value.lowercased() })
        members.append(kept.map(\.viewOrganizationTickets))
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("organization_members")) (organization_id, kind, value, view_tickets)
                SELECT $1, kind, value, bool_or(view) FROM unnest($2::text[], $3::text[], $4::boolean[]) AS m(kind, value, view)
                GROUP BY kind, value
                """, binds: members), logger: database.logger
        ).consume()
    }

    /// The Organization tab: the tickets of every organization that grants the caller its tickets, newest first (of the
    /// portal's brand, ``TicketCaller/portalBrand``, when the request names one).
    /// `statuses`: the tab's (empty: every status), as the customer's own list.
    public func organizationTickets(caller: TicketCaller, statuses: [TicketStatus] = [], page: PageRequest) async throws -> Page<Ticket> {
        var binds = Self.grantBinds(caller)
        try KeysetCursor.append(page.cursor, as: [.uuid], to: &binds)
        binds.append(page.limit + 1)
        binds.append(caller.portalBrand)
        binds.append(statuses.map(\.rawValue))
        let found = try await database.client.withConnection { connection in
            try await tickets("""
                WHERE id = ANY(ARRAY(\(organizationTicketIDs(of: grantingOrganizations)))) AND deleted_at IS NULL AND ($3::uuid IS NULL OR id < $3)
                  AND ($5::uuid IS NULL OR brand_id = $5) AND (cardinality($6::text[]) = 0 OR status = ANY($6))
                ORDER BY id DESC LIMIT $4
                """, binds, on: connection)
        }
        return Page.from(fetched: found, limit: page.limit) { [$0.id] }
    }

    /// Whether the ticket is one of an organization that grants the caller its tickets (read only).
    public func isOrganizationTicket(_ ticket: Ticket, caller: TicketCaller) async throws -> Bool {
        var binds = Self.grantBinds(caller)
        binds.append(UUID(parsing: ticket.id))
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT $3 IN (\(organizationTicketIDs(of: grantingOrganizations)))", binds: binds), logger: database.logger)
        for try await found in rows.decode(Bool?.self) { return found ?? false }
        return false
    }

    /// `$1`, `$2`: the member filters (kinds, values) that would grant the caller an organization's tickets.
    private static func grantBinds(_ caller: TicketCaller) -> PostgresBindings {
        let members = OrganizationAccess.grantingMembers(email: caller.principal.email, verifiedEmail: caller.verifiedEmail)
        var binds = PostgresBindings()
        binds.append(members.map(\.kind))
        binds.append(members.map(\.value))
        return binds
    }

    /// An agent's Organization → Tickets tab: the organization's tickets (members by username: that account's; by
    /// email address: those whose address it is; by domain: those whose address is at it) among those the agent
    /// sees (their groups; managers also their departments), newest first.
    public func organizationTickets(
        of organization: UUID, visibleTo caller: TicketCaller, statuses: [TicketStatus] = [], page: PageRequest
    ) async throws -> Page<Ticket> {
        var binds = PostgresBindings()
        binds.append(organization)
        CallerVisibility.append(caller, to: &binds)
        try KeysetCursor.append(page.cursor, as: [.uuid], to: &binds)
        binds.append(page.limit + 1)
        binds.append(statuses.map(\.rawValue))
        let found = try await database.client.withConnection { connection in
            try await tickets("""
                WHERE id = ANY(ARRAY(\(organizationTicketIDs(of: "SELECT $1::uuid")))) AND deleted_at IS NULL
                  AND \(CallerVisibility.clause(groups: 2, departments: 3, for: caller)) AND ($4::uuid IS NULL OR id < $4)
                  AND (cardinality($6::text[]) = 0 OR status = ANY($6))
                ORDER BY id DESC LIMIT $5
                """, binds, on: connection)
        }
        return Page.from(fetched: found, limit: page.limit) { [$0.id] }
    }

    /// The organizations whose members with the permission match `$1`/`$2` (``grantBinds(_:)``).
    private var grantingOrganizations: String {
        """
        SELECT DISTINCT organization_id FROM \(database.table("organization_members"))
        WHERE view_tickets AND (kind, value) IN (SELECT * FROM unnest($1::text[], $2::text[]))
        """
    }

    /// The ids of the tickets of the organizations `granted` selects (one column, whatever its name); each kind of member
    /// read on its own index. A list reads them as `id = ANY(ARRAY(…))`: as `id IN (…)`, the generic plan walked every
    /// ticket newest first looking for them (a second a page on the bench database).
    func organizationTicketIDs(of granted: String) -> String {
        let members = database.table("organization_members")
        let tickets = database.table("tickets")
        let addresses = database.table("ticket_addresses")
        return """
            WITH granted(organization_id) AS (\(granted)), filters AS (
                SELECT kind, value FROM \(members) WHERE organization_id IN (SELECT organization_id FROM granted)
            )
            SELECT t.id FROM \(tickets) t JOIN \(database.table("users")) u ON u.id = t.customer_user_id
                JOIN filters f ON f.kind = 'username' AND lower(u.email) = f.value
            UNION SELECT t.id FROM \(tickets) t JOIN filters f ON f.kind = 'email' AND lower(t.customer_email) = f.value
            UNION SELECT p.ticket_id FROM \(database.table("ticket_participants")) p JOIN filters f ON f.kind = 'email' AND p.email = f.value
            UNION SELECT t.id FROM \(tickets) t JOIN filters f ON f.kind = 'domain' AND split_part(lower(t.customer_email), '@', 2) = f.value
            UNION SELECT a.ticket_id FROM \(addresses) a JOIN filters f ON f.kind = 'email' AND a.email = f.value
            UNION SELECT a.ticket_id FROM \(addresses) a JOIN filters f ON f.kind = 'domain' AND split_part(a.email, '@', 2) = f.value
            UNION SELECT t.id FROM \(tickets) t JOIN \(database.table("user_phones")) p ON p.user_id = t.customer_user_id
                JOIN filters f ON f.kind = 'phone' AND p.phone = f.value
            """
    }
}

import Contracts
import Database
import Foundation
import PostgresNIO

/// Tickets' copy of users' usernames (their sign-in addresses, and whether they confirmed them) and display names,
/// from `user.created`, `user.updated` and `user.email_verified`, so that advanced search can find a customer's
/// tickets by name or username, and a customer sees the tickets submitted under their confirmed address.
extension TicketStore {
    /// How many customers a name may stand for in one search.
    static let maximumCustomersPerName = 500
    /// How many of a matched customer's newest tickets lend their addresses to a search by name or username.
    static let ticketsPerCustomer = 100

    func rememberUser(id: String, email: String?, emailVerified: Bool, displayName: String?, on connection: PostgresConnection) async throws {
        guard let id = UUID(parsing: id), let email else { return }
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(email)
        binds.append(displayName ?? "")
        binds.append(emailVerified)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("users")) (id, email, display_name, email_verified) VALUES ($1, $2, $3, $4)
                ON CONFLICT (id) DO UPDATE SET email = $2, display_name = $3, email_verified = $4
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// The user's phone numbers (normalized by identity) from now on.
    func rememberPhones(_ phones: [String], of id: String, on connection: PostgresConnection) async throws {
        guard let id = UUID(parsing: id) else { return }
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(phones)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                WITH gone AS (DELETE FROM \(database.table("user_phones")) WHERE user_id = $1 AND NOT phone = ANY($2))
                INSERT INTO \(database.table("user_phones")) (user_id, phone) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// The user confirmed `email`; a confirmation of an address they no longer have changes nothing.
    func rememberVerifiedEmail(of id: String, email: String, on connection: PostgresConnection) async throws {
        guard let id = UUID(parsing: id) else { return }
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(email)
        try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table("users")) SET email_verified = true WHERE id = $1 AND lower(email) = lower($2)", binds: binds),
            logger: database.logger
        ).consume()
    }

    /// The user's confirmed address, lower case; nil while they have not confirmed the one they have.
    public func verifiedEmail(of id: UUID) async throws -> String? {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT lower(email) FROM \(database.table("users")) WHERE id = $1 AND email_verified", binds: binds),
            logger: database.logger)
        for try await email in rows.decode(String.self) { return email }
        return nil
    }

    /// The addresses (lower case) of users whose username is `nameOrUsername` or whose display name contains it, and the
    /// addresses their own tickets were submitted under or changed to (Change Email Address), so that a user's ticket
    /// is found by their name whatever address it now carries (at most the newest `ticketsPerCustomer` of each).
    /// The tickets whose customers include `email` by a merge (``TicketStore`` keeps them in `ticket_participants`), at
    /// most a thousand: an Email Address search finds them beside the address's own tickets.
    func sharedTickets(of email: String) async throws -> [UUID] {
        var binds = PostgresBindings()
        binds.append(email.trimmingCharacters(in: .whitespaces).lowercased())
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT ticket_id FROM \(database.table("ticket_participants")) WHERE email = $1 LIMIT 1000", binds: binds),
            logger: database.logger)
        var tickets: [UUID] = []
        for try await id in rows.decode(UUID.self) { tickets.append(id) }
        return tickets
    }

    public func customerEmails(matching nameOrUsername: String) async throws -> [String] {
        let wanted = nameOrUsername.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !wanted.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(wanted)
        binds.append(LikePattern.containing(wanted))
        binds.append(Self.maximumCustomersPerName)
        binds.append(Self.ticketsPerCustomer)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                WITH matched AS (
                    SELECT id, lower(email) AS email FROM \(database.table("users"))
                    WHERE lower(email) = $1 OR lower(display_name) LIKE $2 LIMIT $3)
                SELECT email FROM matched
                UNION
                SELECT lower(t.customer_email) FROM matched m CROSS JOIN LATERAL (
                    SELECT customer_email FROM \(database.table("tickets")) WHERE customer_user_id = m.id ORDER BY id DESC LIMIT $4) t
                """, binds: binds), logger: database.logger)
        var emails: [String] = []
        for try await email in rows.decode(String.self) { emails.append(email) }
        return emails
    }
}

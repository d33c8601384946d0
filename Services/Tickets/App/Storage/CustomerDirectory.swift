import Database
import Foundation
import PostgresNIO

/// Tickets' copy of users' usernames (their sign-in addresses) and display names, from `user.created` and
/// `user.updated`, so that advanced search can find a customer's tickets by name or username.
extension TicketStore {
    /// How many customers a name may stand for in one search.
    static let maximumCustomersPerName = 500

    func rememberUser(id: String, email: String?, displayName: String?, on connection: PostgresConnection) async throws {
        guard let id = UUID(uuidString: id), let email else { return }
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(email)
        binds.append(displayName ?? "")
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("users")) (id, email, display_name) VALUES ($1, $2, $3)
                ON CONFLICT (id) DO UPDATE SET email = $2, display_name = $3
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// The addresses (lower case) of users whose username is `nameOrUsername` or whose display name contains it.
    public func customerEmails(matching nameOrUsername: String) async throws -> [String] {
        let wanted = nameOrUsername.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !wanted.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(wanted)
        binds.append(LikePattern.containing(wanted))
        binds.append(Self.maximumCustomersPerName)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT DISTINCT lower(email) FROM \(database.table("users"))
                WHERE lower(email) = $1 OR lower(display_name) LIKE $2 LIMIT $3
                """, binds: binds), logger: database.logger)
        var emails: [String] = []
        for try await email in rows.decode(String.self) { emails.append(email) }
        return emails
    }
}

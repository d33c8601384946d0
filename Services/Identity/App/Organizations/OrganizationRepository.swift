import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Organizations and their member filters; every change is an event.
public struct OrganizationRepository: Sendable {
    let database: Database
    let events: IdentityEvents

    public init(database: Database) {
        self.database = database
        self.events = IdentityEvents(database: database)
    }

    static let columns = "id, name, website, phone, employees, address1, address2, city, state, postal_code, country, version"
    typealias Row = (UUID, String, String?, String?, String?, String?, String?, String?, String?, String?, String?, Int)

    public func save(_ organization: Organization, creating: Bool) async throws -> Organization {
        try await database.transaction { connection in try await write(organization, creating: creating, on: connection) }
    }

    /// Changes an organization with `change(current)` read under its row's lock, so two simultaneous edits of different
    /// fields both stay (a 412 when `expectedVersion`, the If-Match, is not the current version).
    public func update(_ id: UUID, expectedVersion: Int?, change: (Organization) throws -> Organization) async throws -> Organization {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            guard let current = try await organizations("WHERE id = $1 FOR UPDATE", binds, on: connection).first else {
                throw Problem.notFound("No such organization.")
            }
            if let expectedVersion, expectedVersion != current.version {
                throw Problem.preconditionFailed("The organization changed since version \(expectedVersion); it is at version \(current.version).")
            }
            let next = try change(current)
            return next == current ? current : try await write(next, creating: false, on: connection)
        }
    }

    private func write(_ organization: Organization, creating: Bool, on connection: PostgresConnection) async throws -> Organization {
        var stored = organization
        if !creating { stored.version += 1 }
        var binds = PostgresBindings()
        binds.append(UUID(parsing: stored.id))
        binds.append(stored.name)
        for value in [stored.website, stored.phone, stored.employees, stored.address1, stored.address2, stored.city, stored.state, stored.postalCode, stored.country] {
            binds.append(value)
        }
        binds.append(stored.version)
        let sql = creating
            ? "INSERT INTO \(database.table("organizations")) (\(Self.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
            : """
              UPDATE \(database.table("organizations")) SET name = $2, website = $3, phone = $4, employees = $5, address1 = $6,
                  address2 = $7, city = $8, state = $9, postal_code = $10, country = $11, version = $12 WHERE id = $1
              """
        try await translatingUniqueViolation(into: Problem.conflict("An organization named \(stored.name) exists.")) {
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger).consume()
        }
        try await publish(creating ? "organization.created" : "organization.updated", stored, on: connection)
        return stored
    }

    public func find(_ id: UUID) async throws -> Organization? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await organizations("WHERE id = $1", binds).first
    }

    /// A page of organizations by name; `query` keeps those whose name starts with it.
    public func list(_ page: PageRequest, query: String? = nil) async throws -> Page<Organization> {
        var conditions = QueryConditions()
        try conditions.after(page.cursor, as: [.text, .uuid]) { "(lower(name), id) > (lower(\($0[0])), \($0[1]))" }
        conditions.require(query.map { LikePattern.prefix($0.lowercased()) }) { "lower(name) LIKE \($0)" }
        let limit = conditions.bind(page.limit + 1)
        let found = try await organizations("\(conditions.whereClause) ORDER BY lower(name), id LIMIT \(limit)", conditions.binds)
        return Page.from(fetched: found, limit: page.limit) { [$0.name, $0.id] }
    }

    public func delete(_ organization: Organization) async throws {
        try await database.transaction { connection in
            let organization = try await locked(organization.id, on: connection)
            var binds = PostgresBindings()
            binds.append(UUID(parsing: organization.id))
            try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("organizations")) WHERE id = $1", binds: binds), logger: database.logger).consume()
            if let id = UUID(parsing: organization.id) {
                try await CommentRepository(database: database).deleteAll(of: .organization, id, on: connection)
            }
            try await publish("organization.deleted", organization, on: connection)
        }
    }

    public func addMember(to organization: Organization, kind: OrganizationMember.Kind, value: String, viewTickets: Bool) async throws -> Organization {
        try await database.transaction { connection in
            let organization = try await locked(organization.id, on: connection)
            var binds = PostgresBindings()
            binds.append(UUIDv7.generate())
            binds.append(UUID(parsing: organization.id))
            binds.append(kind.rawValue)
            binds.append(value)
            binds.append(viewTickets)
            try await translatingUniqueViolation(into: Problem.conflict("The organization already has this member.")) {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("organization_members")) (id, organization_id, kind, value, view_organization_tickets) VALUES ($1, $2, $3, $4, $5)", binds: binds),
                    logger: database.logger
                ).consume()
            }
            return try await changedMembers(organization, type: "organization.member_added", on: connection)
        }
    }

    public func removeMember(_ memberID: UUID, from organization: Organization) async throws -> Organization {
        try await database.transaction { connection in
            let organization = try await locked(organization.id, on: connection)
            var binds = PostgresBindings()
            binds.append(memberID)
            binds.append(UUID(parsing: organization.id))
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("organization_members")) WHERE id = $1 AND organization_id = $2 RETURNING id", binds: binds),
                logger: database.logger)
            var removed = false
            for try await _ in rows { removed = true }
            guard removed else { throw Problem.notFound("No such member.") }
            return try await changedMembers(organization, type: "organization.member_removed", on: connection)
        }
    }

    /// The users the filters select now (phone members: a user whose Contact Info holds the number): organizations are
    /// views, computed when asked.
    public func matchedUsers(_ organization: Organization) async throws -> [RegisteredUser] {
        guard let (sql, binds) = Self.matchedUsersQuery(organization.members, users: database.table("users")) else { return [] }
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger)
        var users: [RegisteredUser] = []
        for try await (id, email, name) in rows.decode((UUID, String, String).self) {
            users.append(RegisteredUser(id: id.uuidString.lowercased(), email: email, displayName: name, roles: []))
        }
        return users
    }

    /// The statement of ``matchedUsers(_:)``: one arm per kind of member the organization has, each read on its own
    /// index (the address, the domain), or nil without members. Written as one condition ORing every kind, with an
    /// empty list for the kinds it lacked, it read every user (32 ms for 50,000).
    public static func matchedUsersQuery(_ members: [OrganizationMember], users: String) -> (String, PostgresBindings)? {
        let addresses = members.filter { $0.kind == .email || $0.kind == .username }.map(\.value)
        let domains = members.filter { $0.kind == .domain }.map(\.value)
        let phones = members.filter { $0.kind == .phone }.map(\.value)
        var parameters = QueryConditions()
        var arms: [String] = []
        if !addresses.isEmpty { arms.append("SELECT id FROM \(users) WHERE lower(email) = ANY(\(parameters.bind(addresses)))") }
        if !domains.isEmpty { arms.append("SELECT id FROM \(users) WHERE split_part(lower(email), '@', 2) = ANY(\(parameters.bind(domains)))") }
        if !phones.isEmpty {
            // A phone member: a number of the Contact Info tab, normalized as ``OrganizationRules/normalizePhone(_:)`` does.
            arms.append("""
                SELECT id FROM \(users) WHERE EXISTS (
                    SELECT 1 FROM jsonb_each_text(coalesce(profile -> 'contact', '{}'::jsonb)) AS contact (key, number)
                    WHERE key LIKE '%Phone'
                      AND CASE WHEN number LIKE '+%' THEN '+' ELSE '' END || regexp_replace(number, '[^0-9]', '', 'g') = ANY(\(parameters.bind(phones))))
                """)
        }
        guard !arms.isEmpty else { return nil }
        let sql = """
            SELECT id, email, display_name FROM \(users) WHERE id = ANY(ARRAY(\(arms.joined(separator: " UNION ")))) ORDER BY lower(email)
            """
        return (sql, parameters.binds)
    }

    /// The organization as it is now, its row locked for the caller's transaction: changes of it, of its members or its
    /// deletion then go one at a time, and each event carries the version it made.
    private func locked(_ id: String, on connection: PostgresConnection) async throws -> Organization {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: id))
        guard let current = try await organizations("WHERE id = $1 FOR UPDATE", binds, on: connection).first else {
            throw Problem.notFound("No such organization.")
        }
        return current
    }

    /// The organization with its members as now written, at a new version (the services keep the newest version's
    /// member list), published as `type`.
    private func changedMembers(_ organization: Organization, type: String, on connection: PostgresConnection) async throws -> Organization {
        var updated = organization
        updated.members = try await members(of: [UUID(parsing: organization.id)].compactMap { $0 }, on: connection)[organization.id] ?? []
        updated.version += 1
        var binds = PostgresBindings()
        binds.append(UUID(parsing: organization.id))
        binds.append(updated.version)
        try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table("organizations")) SET version = $2 WHERE id = $1", binds: binds), logger: database.logger
        ).consume()
        try await publish(type, updated, on: connection)
        return updated
    }

    private func organizations(_ filter: String, _ binds: PostgresBindings) async throws -> [Organization] {
        try await database.client.withConnection { connection in try await organizations(filter, binds, on: connection) }
    }

    private func organizations(_ filter: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [Organization] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM \(database.table("organizations")) \(filter)", binds: binds), logger: database.logger)
        var result: [Organization] = []
        for try await row in rows.decode(Row.self) {
            result.append(Organization(
                id: row.0.uuidString.lowercased(), name: row.1, website: row.2, phone: row.3, employees: row.4, address1: row.5,
                address2: row.6, city: row.7, state: row.8, postalCode: row.9, country: row.10, members: [], version: row.11))
        }
        let members = try await members(of: result.compactMap { UUID(parsing: $0.id) }, on: connection)
        return result.map { var organization = $0; organization.members = members[$0.id] ?? []; return organization }
    }

    private func members(of ids: [UUID], on connection: PostgresConnection) async throws -> [String: [OrganizationMember]] {
        var binds = PostgresBindings()
        binds.append(ids)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT organization_id, id, kind, value, view_organization_tickets FROM \(database.table("organization_members"))
                WHERE organization_id = ANY($1) ORDER BY kind, value
                """, binds: binds), logger: database.logger)
        var members: [String: [OrganizationMember]] = [:]
        for try await (organization, id, kind, value, view) in rows.decode((UUID, UUID, String, String, Bool).self) {
            members[organization.uuidString.lowercased(), default: []].append(OrganizationMember(
                id: id.uuidString.lowercased(), kind: OrganizationMember.Kind(rawValue: kind) ?? .email, value: value, viewOrganizationTickets: view))
        }
        return members
    }

    private func publish(_ type: String, _ organization: Organization, on connection: PostgresConnection) async throws {
        try await events.publish(type, subject: organization.id, data: organization, on: connection)
    }
}

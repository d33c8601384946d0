import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Brands and their hostnames in the identity schema. Every change also appends its event to the outbox in the
/// same transaction.
public struct BrandRepository: Sendable {
    let database: Database
    let events: IdentityEvents

    public init(database: Database) {
        self.database = database
        self.events = IdentityEvents(database: database)
    }

    public func create(_ brand: ValidatedBrand, brandID: UUID = UUIDv7.generate()) async throws -> Brand {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(brandID)
            binds.append(brand.name)
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("brands")) (id, name) VALUES ($1, $2)", binds: binds),
                logger: database.logger
            ).consume()
            try await replaceHostnames(of: brandID, with: brand.hostnames, on: connection)
            let created = Brand(id: brandID, name: brand.name, hostnames: brand.hostnames, version: 1)
            try await publish(created, type: BrandEventType.created, on: connection)
            return created
        }
    }

    /// Applies a change when `expectedVersion` (from If-Match) is nil or current; 412 otherwise.
    public func update(
        _ id: UUID, name: String?, hostnames: [String]?, expectedVersion: Int?,
        validate: (String, [String]) throws -> ValidatedBrand
    ) async throws -> Brand {
        try await database.transaction { connection in
            guard let current = try await find(id, on: connection, lock: true) else {
                throw Problem.notFound("No brand \(id.uuidString.lowercased()).")
            }
            if let expectedVersion, expectedVersion != current.version {
                throw Problem.preconditionFailed("The brand changed since version \(expectedVersion); it is at version \(current.version).")
            }
            let validated = try validate(name ?? current.name, hostnames ?? current.hostnames)
            guard validated.name != current.name || validated.hostnames != current.hostnames else { return current }
            var binds = PostgresBindings()
            binds.append(validated.name)
            binds.append(id)
            try await connection.query(
                PostgresQuery(unsafeSQL: "UPDATE \(database.table("brands")) SET name = $1, version = version + 1, updated_at = now() WHERE id = $2", binds: binds),
                logger: database.logger
            ).consume()
            if validated.hostnames != current.hostnames {
                try await replaceHostnames(of: id, with: validated.hostnames, on: connection)
            }
            let updated = Brand(id: id, name: validated.name, hostnames: validated.hostnames, version: current.version + 1)
            try await publish(updated, type: BrandEventType.updated, on: connection)
            return updated
        }
    }

    public func find(_ id: UUID) async throws -> Brand? {
        try await database.client.withConnection { connection in try await find(id, on: connection, lock: false) }
    }

    /// Whether the brand exists, read on `connection` (inside another repository's transaction).
    func exists(_ id: UUID, on connection: PostgresConnection) async throws -> Bool {
        try await find(id, on: connection, lock: false) != nil
    }

    public func find(hostname: String) async throws -> Brand? {
        try await database.client.withConnection { connection in
            var binds = PostgresBindings()
            binds.append(hostname)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT brand_id FROM \(database.table("brand_hostnames")) WHERE hostname = $1", binds: binds),
                logger: database.logger)
            var brandID: UUID?
            for try await id in rows.decode(UUID.self) { brandID = id }
            guard let brandID else { return nil }
            return try await find(brandID, on: connection, lock: false)
        }
    }

    /// One page of brands ordered by id (UUIDv7, so by creation).
    public func list(_ page: PageRequest) async throws -> Page<Brand> {
        var binds = PostgresBindings()
        try KeysetCursor.append(page.cursor, as: [.uuid], to: &binds)
        binds.append(page.limit + 1)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT b.id, b.name, b.version,
                       coalesce(array_agg(h.hostname ORDER BY h.position) FILTER (WHERE h.hostname IS NOT NULL), '{}')
                FROM \(database.table("brands")) b LEFT JOIN \(database.table("brand_hostnames")) h ON h.brand_id = b.id
                WHERE b.id > \(KeysetCursor.uuidAfter("$1"))
                GROUP BY b.id ORDER BY b.id LIMIT $2
                """, binds: binds),
            logger: database.logger)
        var brands: [Brand] = []
        for try await (id, name, version, hostnames) in rows.decode((UUID, String, Int, [String]).self) {
            brands.append(Brand(id: id, name: name, hostnames: hostnames, version: version))
        }
        return Page.from(fetched: brands, limit: page.limit) { [$0.id.uuidString] }
    }

    /// Every brand, for the gateway's start-up snapshot.
    public func all() async throws -> [Brand] {
        var result: [Brand] = []
        var page = PageRequest(limit: PageRequest.maximumLimit)
        while true {
            let fetched = try await list(page)
            result += fetched.items
            guard let next = fetched.nextCursor else { return result }
            page.cursor = try Cursor(decoding: next)
        }
    }

    private func find(_ id: UUID, on connection: PostgresConnection, lock: Bool) async throws -> Brand? {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT name, version FROM \(database.table("brands")) WHERE id = $1\(lock ? " FOR UPDATE" : "")", binds: binds),
            logger: database.logger)
        var found: (String, Int)?
        for try await row in rows.decode((String, Int).self) { found = row }
        guard let (name, version) = found else { return nil }
        let hostRows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT hostname FROM \(database.table("brand_hostnames")) WHERE brand_id = $1 ORDER BY position", binds: binds),
            logger: database.logger)
        var hostnames: [String] = []
        for try await hostname in hostRows.decode(String.self) { hostnames.append(hostname) }
        return Brand(id: id, name: name, hostnames: hostnames, version: version)
    }

    private func replaceHostnames(of brandID: UUID, with hostnames: [String], on connection: PostgresConnection) async throws {
        var deleteBinds = PostgresBindings()
        deleteBinds.append(brandID)
        try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("brand_hostnames")) WHERE brand_id = $1", binds: deleteBinds),
            logger: database.logger
        ).consume()
        for (position, hostname) in hostnames.enumerated() {
            var binds = PostgresBindings()
            binds.append(hostname)
            binds.append(brandID)
            binds.append(position)
            try await translatingUniqueViolation(into: Problem.conflict("The hostname \(hostname) already belongs to another brand.")) {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("brand_hostnames")) (hostname, brand_id, position) VALUES ($1, $2, $3)", binds: binds),
                    logger: database.logger
                ).consume()
            }
        }
    }

    private func publish(_ brand: Brand, type: String, on connection: PostgresConnection) async throws {
        let snapshot = brand.snapshot
        try await events.publish(type, subject: snapshot.id, brandID: snapshot.id, data: snapshot, on: connection)
    }
}

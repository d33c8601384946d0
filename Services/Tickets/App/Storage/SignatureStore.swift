import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Company signatures as rows, one per scope (global, a brand, a department or a group), and the directory
/// values their variables stand for.
extension TicketStore {
    public func signatures() async throws -> [TicketSignature] {
        try await database.client.withConnection { try await signatures("ORDER BY created_at, id", PostgresBindings(), on: $0) }
    }

    public func signature(_ id: UUID) async throws -> TicketSignature? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await database.client.withConnection { try await signatures("WHERE id = $1", binds, on: $0).first }
    }

    /// Creates (`expectedVersion` nil and no row) or replaces the signature; 412 when its version moved on, 409
    /// when another signature has the same scope.
    public func saveSignature(_ input: SignatureInput, id: UUID, expectedVersion: Int?) async throws -> TicketSignature {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            let existing = try await signatures("WHERE id = $1 FOR UPDATE", binds, on: connection).first
            if let expectedVersion, existing?.version != expectedVersion {
                throw Problem.preconditionFailed("The signature changed since you read it (version \(existing?.version ?? 0)).")
            }
            let signature = try SignatureRules.signature(from: input, id: id.lowercased, version: (existing?.version ?? 0) + 1)
            if signature.brandID != nil || signature.departmentID != nil || signature.groupID != nil {
                let scope = try await directoryScope(brandID: signature.brandID, departmentID: signature.departmentID, groupID: signature.groupID, on: connection)
                try Problem.throwIfInvalid(scope.errors(brandID: signature.brandID, departmentID: signature.departmentID, groupID: signature.groupID))
            }
            var row = PostgresBindings()
            row.append(id)
            row.append(signature.brandID.flatMap(UUID.init(parsing:)))
            row.append(signature.departmentID.flatMap(UUID.init(parsing:)))
            row.append(signature.groupID.flatMap(UUID.init(parsing:)))
            row.append(signature.html)
            row.append(signature.version)
            try await translatingUniqueViolation(into: Problem.conflict("Another signature already has this brand, department and group.")) {
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        INSERT INTO \(database.table("signatures")) (id, brand_id, department_id, group_id, html, version, created_at)
                        VALUES ($1, $2, $3, $4, $5, $6, now())
                        ON CONFLICT (id) DO UPDATE SET brand_id = $2, department_id = $3, group_id = $4, html = $5, version = $6
                        """, binds: row), logger: database.logger
                ).consume()
            }
            return signature
        }
    }

    /// Deletes the signature; false when there was none.
    public func deleteSignature(_ id: UUID) async throws -> Bool {
        try await deleteRow(of: "signatures", id: id)
    }

    /// A body with the signature the agent's replies carry in this ticket's brand, department and group, if any.
    func signed(
        _ body: (html: String, text: String), for ticket: Ticket, agent: String, agentAddress: String, scheme: String, on connection: PostgresConnection
    ) async throws -> (html: String, text: String) {
        guard let signature = try await renderedSignature(for: ticket, agent: agent, agentAddress: agentAddress, scheme: scheme, on: connection) else {
            return body
        }
        return (body.html + "<div>" + signature + "</div>", body.text + "\n\n" + SafeHTML.plainText(signature))
    }

    /// The rendered signature for `agent`'s reply on `ticket`, nil when no signature applies.
    func renderedSignature(
        for ticket: Ticket, agent: String, agentAddress: String, scheme: String, on connection: PostgresConnection
    ) async throws -> String? {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: ticket.groupID))
        binds.append(UUID(parsing: ticket.departmentID))
        binds.append(UUID(parsing: ticket.brandID))
        let candidates = try await signatures(
            """
            WHERE (group_id IS NULL OR group_id = $1) AND (department_id IS NULL OR department_id = $2) AND (brand_id IS NULL OR brand_id = $3)
            ORDER BY id
            """, binds, on: connection)
        guard let chosen = SignatureRules.choose(candidates, groupID: ticket.groupID, departmentID: ticket.departmentID, brandID: ticket.brandID)
        else { return nil }
        var lookup = PostgresBindings()
        lookup.append(UUID(parsing: agent))
        lookup.append(UUID(parsing: ticket.brandID))
        lookup.append(UUID(parsing: ticket.departmentID))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT (SELECT display_name FROM \(database.table("users")) WHERE id = $1),
                       (SELECT name FROM \(database.table("brands")) WHERE id = $2),
                       (SELECT hostname FROM \(database.table("brands")) WHERE id = $2),
                       (SELECT name FROM \(database.table("departments")) WHERE id = $3)
                """, binds: lookup), logger: database.logger)
        var values = SignatureValues(
            agentID: agent, agentEmail: agentAddress, agentDisplayName: agentAddress, brandName: "", brandHostname: nil, departmentName: "",
            scheme: scheme)
        for try await (name, brand, hostname, department) in rows.decode((String?, String?, String?, String?).self) {
            values.agentDisplayName = name.flatMap(\.nonEmptyText) ?? agentAddress
            values.brandName = brand ?? ""
            values.brandHostname = hostname
            values.departmentName = department ?? ""
        }
        return SignatureRules.render(chosen.html, values)
    }

    /// Keeps a brand's name and first hostname from `brand.created` / `brand.updated`.
    func rememberBrand(_ brand: BrandSnapshot, on connection: PostgresConnection) async throws {
        guard let id = UUID(parsing: brand.id) else { return }
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(brand.name)
        binds.append(brand.hostnames.first)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("brands")) (id, name, hostname) VALUES ($1, $2, $3)
                ON CONFLICT (id) DO UPDATE SET name = $2, hostname = $3
                """, binds: binds), logger: database.logger
        ).consume()
    }

    private func signatures(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [TicketSignature] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT id, brand_id, department_id, group_id, html, version FROM \(database.table("signatures")) \(tail)", binds: binds),
            logger: database.logger)
        var result: [TicketSignature] = []
        for try await (id, brand, department, group, html, version) in rows.decode((UUID, UUID?, UUID?, UUID?, String, Int).self) {
            result.append(TicketSignature(
                id: id.lowercased, brandID: brand?.lowercased, departmentID: department?.lowercased, groupID: group?.lowercased, html: html, version: version))
        }
        return result
    }
}

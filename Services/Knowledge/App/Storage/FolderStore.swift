import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// A folder of a brand's knowledge base; folders nest.
public struct Folder: Codable, Sendable, Equatable {
    public var id: String
    public var brandID: String
    public var parentID: String?
    public var name: String
    /// Whether its articles are offered in the automatic suggestions before a ticket or chat is submitted.
    public var includeInAutomaticSearch: Bool
}

extension ArticleStore {
    public func createFolder(brandID: UUID, parentID: UUID?, name: String, includeInAutomaticSearch: Bool) async throws -> Folder {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(trimmed.count) else {
            throw Problem.unprocessable("A folder needs a name of 1 to 100 characters.", errors: [.init(field: "name", message: "1 to 100 characters")])
        }
        let folder = Folder(
            id: UUIDv7.generate().lowercased, brandID: brandID.lowercased, parentID: parentID?.lowercased, name: trimmed,
            includeInAutomaticSearch: includeInAutomaticSearch)
        var binds = PostgresBindings()
        binds.append(UUID(uuidString: folder.id))
        binds.append(brandID)
        binds.append(parentID)
        binds.append(trimmed)
        binds.append(includeInAutomaticSearch)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("folders")) (id, brand_id, parent_id, name, include_in_automatic_search, created_at)
                SELECT $1, $2, $3, $4, $5, now() WHERE $3::uuid IS NULL OR EXISTS (
                    SELECT 1 FROM \(database.table("folders")) WHERE id = $3 AND brand_id = $2)
                RETURNING id
                """, binds: binds), logger: database.logger)
        for try await _ in rows { return folder }
        throw Problem.unprocessable(
            "There is no parent folder \(parentID?.lowercased ?? "") in this brand.", errors: [.init(field: "parentID", message: "unknown folder")])
    }

    public func folders(brandID: UUID) async throws -> [Folder] {
        var binds = PostgresBindings()
        binds.append(brandID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, brand_id, parent_id, name, include_in_automatic_search FROM \(database.table("folders")) WHERE brand_id = $1 ORDER BY lower(name), id
                """, binds: binds), logger: database.logger)
        var result: [Folder] = []
        for try await (id, brand, parent, name, automatic) in rows.decode((UUID, UUID, UUID?, String, Bool).self) {
            result.append(Folder(id: id.lowercased, brandID: brand.lowercased, parentID: parent?.lowercased, name: name, includeInAutomaticSearch: automatic))
        }
        return result
    }
}

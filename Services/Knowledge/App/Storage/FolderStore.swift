import Auth
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
    /// Who may read its articles on the portal: a role name, Everyone (inherit the parent's) or Nobody.
    public var viewRequires: String
    /// What applies: its own requirement, or its nearest restricted ancestor's.
    public var access: String
}

/// What may change in a folder (Edit Folder): absent fields stay.
public struct FolderChange: Decodable, Sendable {
    public var name: String?
    /// A new parent; JSON null moves the folder to the root.
    public var parentID: String??
    public var includeInAutomaticSearch: Bool?
    public var viewRequires: String?

    enum CodingKeys: String, CodingKey { case name, parentID, includeInAutomaticSearch, viewRequires }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        if container.contains(.parentID) {
            parentID = .some(try container.decodeNil(forKey: .parentID) ? nil : try container.decode(String.self, forKey: .parentID))
        } else {
            parentID = nil
        }
        includeInAutomaticSearch = try container.decodeIfPresent(Bool.self, forKey: .includeInAutomaticSearch)
        viewRequires = try container.decodeIfPresent(String.self, forKey: .viewRequires)
    }
}

/// Announces that an article's folder changed who may read it or whether it is suggested, so every instance's
/// index re-reads it.
struct FolderChangedData: Codable, Sendable {
    var folderID: String
}

extension ArticleStore {
    static let folderColumns = "id, brand_id, parent_id, name, include_in_automatic_search, view_requires, effective_view_requires"

    public func createFolder(
        brandID: UUID, parentID: UUID?, name: String, includeInAutomaticSearch: Bool, viewRequires: String = PortalAccess.everyone
    ) async throws -> Folder {
        let trimmed = try Self.folderName(name)
        try PortalAccess.validate(viewRequires, field: "viewRequires")
        var binds = PostgresBindings()
        binds.append(UUIDv7.generate())
        binds.append(brandID)
        binds.append(parentID)
        binds.append(trimmed)
        binds.append(includeInAutomaticSearch)
        binds.append(viewRequires)
        binds.append(PortalAccess.everyone)
        let created = try await database.client.withConnection { connection in
            try await folders("""
                INSERT INTO \(database.table("folders")) (id, brand_id, parent_id, name, include_in_automatic_search, view_requires,
                    effective_view_requires, created_at)
                SELECT $1, $2, $3, $4, $5, $6, CASE WHEN $6 <> $7 THEN $6 ELSE COALESCE(parent.effective_view_requires, $7) END, now()
                FROM (SELECT 1) AS one LEFT JOIN \(database.table("folders")) parent ON parent.id = $3 AND parent.brand_id = $2
                WHERE $3::uuid IS NULL OR parent.id IS NOT NULL
                RETURNING \(Self.folderColumns)
                """, binds, on: connection)
        }
        guard let folder = created.first else {
            throw Problem.unprocessable(
                "There is no parent folder \(parentID?.lowercased ?? "") in this brand.", errors: [.init(field: "parentID", message: "unknown folder")])
        }
        return folder
    }

    /// The brand's folders; visitors only those whose access they meet.
    public func folders(brandID: UUID, reader: ArticleReader? = nil) async throws -> [Folder] {
        var binds = PostgresBindings()
        binds.append(brandID)
        binds.append(reader.map { $0.employee ? nil : $0.satisfies } ?? nil)
        return try await database.client.withConnection { connection in
            try await folders(
                "SELECT \(Self.folderColumns) FROM \(database.table("folders")) WHERE brand_id = $1 AND ($2::text[] IS NULL OR effective_view_requires = ANY($2)) ORDER BY lower(name), id",
                binds, on: connection)
        }
    }

    /// Edit Folder: rename, move under another folder of the brand (never into its own subtree), change whether
    /// it is suggested automatically or who may read it. What its articles' index documents carry is re-read.
    public func updateFolder(_ id: UUID, brandID: UUID, change: FolderChange, actor: String?) async throws -> Folder {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(brandID)
            guard let current = try await folders(
                "SELECT \(Self.folderColumns) FROM \(database.table("folders")) WHERE id = $1 AND brand_id = $2 FOR UPDATE", binds, on: connection
            ).first else { throw Problem.notFound("No such folder.") }
            var next = current
            if let name = change.name { next.name = try Self.folderName(name) }
            if let requirement = change.viewRequires {
                try PortalAccess.validate(requirement, field: "viewRequires")
                next.viewRequires = requirement
            }
            next.includeInAutomaticSearch = change.includeInAutomaticSearch ?? current.includeInAutomaticSearch
            if let parent = change.parentID {
                next.parentID = try parent.map { text in
                    guard let parentID = UUID(parsing: text) else {
                        throw Problem.unprocessable("parentID must be a folder id.", errors: [.init(field: "parentID", message: "must be an id")])
                    }
                    return parentID.lowercased
                }
            }
            let subtree = try await subtree(of: id, on: connection)
            if let parent = next.parentID, parent != current.parentID {
                let exists = try await folderExists(parent, brandID: brandID, on: connection)
                guard exists && !subtree.contains(parent) else {
                    throw Problem.unprocessable(
                        "A folder moves under another folder of its brand, not under itself.",
                        errors: [.init(field: "parentID", message: "unknown or inside this folder")])
                }
            }
            var update = PostgresBindings()
            update.append(id)
            update.append(next.name)
            update.append(next.parentID.flatMap(UUID.init(parsing:)))
            update.append(next.includeInAutomaticSearch)
            update.append(next.viewRequires)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    UPDATE \(database.table("folders")) SET name = $2, parent_id = $3, include_in_automatic_search = $4, view_requires = $5 WHERE id = $1
                    """, binds: update),
                logger: database.logger
            ).consume()
            try await refreshAccess(of: id, on: connection)
            if next.parentID != current.parentID || next.viewRequires != current.viewRequires
                || next.includeInAutomaticSearch != current.includeInAutomaticSearch {
                try await announceFolderChange(id.lowercased, subtree: subtree, on: connection)
            }
            return try await folders("SELECT \(Self.folderColumns) FROM \(database.table("folders")) WHERE id = $1", binds, on: connection)[0]
        }
    }

    /// Delete Folder: the folder, its subfolders and every article and news item in them (kept as deleted, with
    /// their events, and purged after 90 days like any deleted item).
    public func deleteFolder(_ id: UUID, brandID: UUID, actor: String?, now: Date = Date()) async throws {
        try await database.transaction { connection in
            guard try await folderExists(id.lowercased, brandID: brandID, on: connection) else { throw Problem.notFound("No such folder.") }
            var binds = PostgresBindings()
            binds.append(Array(try await subtree(of: id, on: connection)).compactMap(UUID.init(parsing:)))
            for var article in try await articles("WHERE folder_id = ANY($1) AND deleted_at IS NULL ORDER BY id FOR UPDATE", binds, on: connection) {
                article.deletedAt = now
                article.version += 1
                try await write(article, on: connection)
                try await events.publish(
                    "knowledge.\(article.kind.rawValue)_deleted", subject: article.id, brandID: article.brandID,
                    data: ArticleEventData(article: article, actorID: actor), on: connection)
            }
            var folder = PostgresBindings()
            folder.append(id)
            try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("folders")) WHERE id = $1", binds: folder), logger: database.logger
            ).consume()
        }
    }

    /// The effective access of the folder holding an article (Everyone without one).
    public func folderAccess(_ folderID: String?) async throws -> String {
        guard let folder = folderID.flatMap(UUID.init(parsing:)) else { return PortalAccess.everyone }
        return try await database.client.withConnection { try await folderFacts([folder], on: $0)[folder.lowercased]?.access } ?? PortalAccess.everyone
    }

    /// Access and automatic-search inclusion of these folders, by id, for the index documents of their articles.
    func folderFacts(_ ids: Set<UUID>, on connection: PostgresConnection) async throws -> [String: FolderFacts] {
        guard !ids.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(Array(ids))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, effective_view_requires, include_in_automatic_search FROM \(database.table("folders")) WHERE id = ANY($1)
                """, binds: binds),
            logger: database.logger)
        var facts: [String: FolderFacts] = [:]
        for try await (id, access, automatic) in rows.decode((UUID, String, Bool).self) {
            facts[id.lowercased] = FolderFacts(access: access, automatic: automatic)
        }
        return facts
    }

    /// The folder and every folder under it, for a search of a folder with its subfolders.
    public func folderSubtree(_ id: UUID) async throws -> Set<String> {
        try await database.client.withConnection { try await subtree(of: id, on: $0) }
    }

    /// Recomputes the effective access of the folder and everything under it.
    private func refreshAccess(of id: UUID, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(PortalAccess.everyone)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                WITH RECURSIVE tree (id, access) AS (
                    SELECT f.id, CASE WHEN f.view_requires <> $2 THEN f.view_requires ELSE COALESCE(p.effective_view_requires, $2) END
                    FROM \(database.table("folders")) f LEFT JOIN \(database.table("folders")) p ON p.id = f.parent_id WHERE f.id = $1
                    UNION ALL
                    SELECT c.id, CASE WHEN c.view_requires <> $2 THEN c.view_requires ELSE t.access END
                    FROM \(database.table("folders")) c JOIN tree t ON c.parent_id = t.id)
                UPDATE \(database.table("folders")) f SET effective_view_requires = tree.access FROM tree WHERE f.id = tree.id
                """, binds: binds),
            logger: database.logger
        ).consume()
    }

    /// The folder and every folder under it.
    private func subtree(of id: UUID, on connection: PostgresConnection) async throws -> Set<String> {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                WITH RECURSIVE tree (id) AS (
                    SELECT id FROM \(database.table("folders")) WHERE id = $1
                    UNION ALL
                    SELECT c.id FROM \(database.table("folders")) c JOIN tree t ON c.parent_id = t.id)
                SELECT id FROM tree
                """, binds: binds),
            logger: database.logger)
        var ids: Set<String> = []
        for try await folder in rows.decode(UUID.self) { ids.insert(folder.lowercased) }
        return ids
    }

    private func folderExists(_ id: String, brandID: UUID, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: id))
        binds.append(brandID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT 1 FROM \(database.table("folders")) WHERE id = $1 AND brand_id = $2", binds: binds), logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    /// One `knowledge.<kind>_access_changed` a live item in the folders, which every index feed re-reads.
    private func announceFolderChange(_ folderID: String, subtree: Set<String>, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(Array(subtree).compactMap(UUID.init(parsing:)))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT id, brand_id, kind FROM \(database.table("articles")) WHERE folder_id = ANY($1) AND deleted_at IS NULL", binds: binds),
            logger: database.logger)
        var affected: [(UUID, UUID, String)] = []
        for try await row in rows.decode((UUID, UUID, String).self) { affected.append(row) }
        for (id, brand, kind) in affected {
            try await events.publish(
                "knowledge.\(kind)_access_changed", subject: id.lowercased, brandID: brand.lowercased, data: FolderChangedData(folderID: folderID),
                on: connection)
        }
    }

    static func folderName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(trimmed.count) else {
            throw Problem.unprocessable("A folder needs a name of 1 to 100 characters.", errors: [.init(field: "name", message: "1 to 100 characters")])
        }
        return trimmed
    }

    private func folders(_ sql: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [Folder] {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger)
        var result: [Folder] = []
        for try await (id, brand, parent, name, automatic, requires, access) in rows.decode((UUID, UUID, UUID?, String, Bool, String, String).self) {
            result.append(Folder(
                id: id.lowercased, brandID: brand.lowercased, parentID: parent?.lowercased, name: name, includeInAutomaticSearch: automatic,
                viewRequires: requires, access: access))
        }
        return result
    }
}

import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Canned replies and their folders in PostgreSQL; each change publishes its `knowledge.canned_reply_*` event.
public struct CannedReplyStore: Sendable {
    let database: Database
    let events: KnowledgeEvents
    let settings: KnowledgeSettingsStore

    public init(database: Database) {
        self.database = database
        self.events = KnowledgeEvents(outbox: OutboxStore(database: database))
        self.settings = KnowledgeSettingsStore(database: database)
    }

    static let columns = """
        id, folder_id, title, body_html, body_text, assigned_type, assigned_id, is_draft, reply_type, language, created_by, created_at,
        updated_at, deleted_at, version, stale_at
        """

    /// Creates the reply (`expectedVersion` nil and no row) or replaces it (412 when its version moved on).
    public func save(_ input: CannedReplyInput, id: UUID, expectedVersion: Int?, actor: String?, now: Date = Date()) async throws -> CannedReply {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            let existing = try await replies("WHERE id = $1 AND deleted_at IS NULL FOR UPDATE", binds, on: connection).first
            if let expectedVersion, existing?.version != expectedVersion {
                throw Problem.preconditionFailed("The canned reply changed since you read it (version \(existing?.version ?? 0)).")
            }
            let reply = try CannedReplyRules.reply(
                from: input, id: id.lowercased, existing: existing, actor: actor, now: now, staleAfterDays: try await settings.staleAfterDays(on: connection))
            try await write(reply, on: connection)
            try await events.publish(
                "knowledge.canned_reply_\(existing == nil ? "created" : "updated")", subject: reply.id, brandID: nil, data: reply, on: connection)
            return reply
        }
    }

    /// Marks the reply deleted (purged with deleted articles after 90 days).
    /// Marks the reply deleted, as it is now (read under its row's lock: an edit committed since the caller read it is
    /// not written back over); a 404 when it is gone.
    public func delete(_ reply: CannedReply, now: Date = Date()) async throws {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(UUID(parsing: reply.id))
            guard var deleted = try await replies("WHERE id = $1 AND deleted_at IS NULL FOR UPDATE", binds, on: connection).first else {
                throw Problem.notFound("No such canned reply.")
            }
            deleted.deletedAt = now
            deleted.version += 1
            try await write(deleted, on: connection)
            try await events.publish("knowledge.canned_reply_deleted", subject: reply.id, brandID: nil, data: deleted, on: connection)
        }
    }

    public func find(_ id: UUID) async throws -> CannedReply? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await database.client.withConnection { try await replies("WHERE id = $1 AND deleted_at IS NULL", binds, on: $0) }.first
    }

    /// The departments the agent belongs to, from identity's membership events.
    public func departments(of agentID: UUID) async throws -> Set<String> {
        var binds = PostgresBindings()
        binds.append(agentID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT DISTINCT department_id FROM \(database.table("agent_departments")) WHERE agent_id = $1", binds: binds),
            logger: database.logger)
        var departments: Set<String> = []
        for try await id in rows.decode(UUID.self) { departments.insert(id.lowercased) }
        return departments
    }

    /// The replies `caller` may use, narrowed by `filter`: best match first when it has text (title matches above
    /// body matches), else by title; drafts only when asked. `ranked`: the ids a search found, in its order (the
    /// rules above still apply, so a reply changed since the index read it is not shown wrongly).
    public func list(caller: CannedCaller, _ filter: CannedReplyFilter, ranked: [UUID]? = nil, limit: Int = 200) async throws -> [CannedReply] {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: caller.userID))
        binds.append(caller.seesAll && !filter.mine)
        binds.append(Array(caller.departmentIDs.compactMap(UUID.init(parsing:))))
        binds.append(filter.folderID)
        binds.append(filter.text.map { LikePattern.containing($0) })
        binds.append(filter.channel.map { $0 == .ticket ? "tickets" : "chats" })
        binds.append(filter.mine)
        binds.append(filter.includeDrafts)
        binds.append(limit)
        binds.append(filter.staleOnly)
        binds.append(ranked)
        return try await database.client.withConnection { connection in
            try await replies("""
                WHERE deleted_at IS NULL
                  AND ($2 OR (NOT $7 AND assigned_type = 'everyone') OR (assigned_type = 'agent' AND assigned_id = $1)
                       OR (NOT $7 AND assigned_type = 'department' AND assigned_id = ANY($3)))
                  AND ($4::uuid IS NULL OR folder_id = $4)
                  AND ($5::text IS NULL OR title ILIKE $5 OR body_text ILIKE $5)
                  AND ($6::text IS NULL OR reply_type IN ('ticketsAndChats', $6))
                  AND ($8 OR NOT is_draft)
                  AND (NOT $10 OR stale_at <= now())
                  AND ($11::uuid[] IS NULL OR id = ANY($11))
                ORDER BY array_position($11::uuid[], id), ($5::text IS NOT NULL AND title ILIKE $5) DESC, lower(title), id LIMIT $9
                """, binds, on: connection)
        }
    }

    /// Records that an agent inserted the reply, for the Canned Reply Popularity report.
    public func recordUse(_ reply: CannedReply, by agent: String?, channel: CannedChannel) async throws {
        try await database.transaction { connection in
            try await events.publish(
                "knowledge.canned_reply_used", subject: reply.id, brandID: nil,
                data: CannedUseData(cannedReplyID: reply.id, agentID: agent, channel: channel), on: connection)
        }
    }

    public func createFolder(parentID: UUID?, name: String) async throws -> CannedFolder {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...255).contains(trimmed.count) else {
            throw Problem.unprocessable("A folder needs a name.", errors: [.init(field: "name", message: "1 to 255 characters")])
        }
        let folder = CannedFolder(id: UUIDv7.generate().lowercased, parentID: parentID?.lowercased, name: trimmed)
        var binds = PostgresBindings()
        binds.append(UUID(parsing: folder.id))
        binds.append(parentID)
        binds.append(trimmed)
        do {
            try await database.client.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("canned_folders")) (id, parent_id, name, created_at) VALUES ($1, $2, $3, now())
                    """, binds: binds), logger: database.logger
            ).consume()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
            throw Problem.unprocessable("There is no such parent folder.", errors: [.init(field: "parentID", message: "unknown folder")])
        }
        return folder
    }

    public func folders() async throws -> [CannedFolder] {
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT id, parent_id, name FROM \(database.table("canned_folders")) ORDER BY lower(name), id"), logger: database.logger)
        var folders: [CannedFolder] = []
        for try await (id, parent, name) in rows.decode((UUID, UUID?, String).self) {
            folders.append(CannedFolder(id: id.lowercased, parentID: parent?.lowercased, name: name))
        }
        return folders
    }

    /// Edit Folder: renames it and moves it under another folder (or to the root), never under itself.
    public func updateFolder(_ id: UUID, change: FolderChange) async throws -> CannedFolder {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT parent_id, name FROM \(database.table("canned_folders")) WHERE id = $1 FOR UPDATE", binds: binds),
                logger: database.logger)
            var current: (parent: UUID?, name: String)?
            for try await row in rows.decode((UUID?, String).self) { current = row }
            guard let current else { throw Problem.notFound("No such folder.") }
            let name = try change.name.map(ArticleStore.folderName) ?? current.name
            var parent = current.parent
            if let requested = change.parentID {
                parent = try requested.map { text in
                    guard let parentID = UUID(parsing: text) else {
                        throw Problem.unprocessable("parentID must be a folder id.", errors: [.init(field: "parentID", message: "must be an id")])
                    }
                    return parentID
                }
            }
            var update = PostgresBindings()
            update.append(id)
            update.append(name)
            update.append(parent)
            // The new parent must exist and must not be the folder or lie under it.
            let moved = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    WITH RECURSIVE subtree (id) AS (
                        SELECT id FROM \(database.table("canned_folders")) WHERE id = $1
                        UNION ALL
                        SELECT c.id FROM \(database.table("canned_folders")) c JOIN subtree s ON c.parent_id = s.id)
                    UPDATE \(database.table("canned_folders")) SET name = $2, parent_id = $3
                    WHERE id = $1 AND ($3::uuid IS NULL OR (
                        EXISTS (SELECT 1 FROM \(database.table("canned_folders")) WHERE id = $3) AND $3 NOT IN (SELECT id FROM subtree)))
                    RETURNING id
                    """, binds: update),
                logger: database.logger)
            for try await _ in moved { return CannedFolder(id: id.lowercased, parentID: parent?.lowercased, name: name) }
            throw Problem.unprocessable(
                "A folder moves under another folder, not under itself.", errors: [.init(field: "parentID", message: "unknown or inside this folder")])
        }
    }

    /// Deletes the folder with its subfolders and every reply in them.
    public func deleteFolder(_ id: UUID) async throws {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("canned_folders")) WHERE id = $1 RETURNING id", binds: binds), logger: database.logger)
        for try await _ in rows { return }
        throw Problem.notFound("No such folder.")
    }

    private func write(_ reply: CannedReply, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: reply.id))
        binds.append(reply.folderID.flatMap(UUID.init(parsing:)))
        binds.append(reply.title)
        binds.append(reply.bodyHTML)
        binds.append(reply.bodyText)
        binds.append(reply.assignedTo.type.rawValue)
        binds.append(reply.assignedTo.id.flatMap(UUID.init(parsing:)))
        binds.append(reply.isDraft)
        binds.append(reply.replyType.rawValue)
        binds.append(reply.language)
        binds.append(reply.createdBy.flatMap(UUID.init(parsing:)))
        binds.append(reply.createdAt)
        binds.append(reply.updatedAt)
        binds.append(reply.deletedAt)
        binds.append(reply.version)
        binds.append(reply.staleAt)
        do {
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("canned_replies")) (\(Self.columns))
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                    ON CONFLICT (id) DO UPDATE SET folder_id = $2, title = $3, body_html = $4, body_text = $5, assigned_type = $6, assigned_id = $7,
                        is_draft = $8, reply_type = $9, language = $10, updated_at = $13, deleted_at = $14, version = $15, stale_at = $16
                    """, binds: binds), logger: database.logger
            ).consume()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
            throw Problem.unprocessable("There is no such folder.", errors: [.init(field: "folderID", message: "unknown folder")])
        }
    }

    func replies(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [CannedReply] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM \(database.table("canned_replies")) \(tail)", binds: binds), logger: database.logger)
        var result: [CannedReply] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            result.append(CannedReply(
                id: try c[0].decode(UUID.self).lowercased, folderID: try c[1].decode(UUID?.self)?.lowercased, title: try c[2].decode(String.self),
                bodyHTML: try c[3].decode(String.self), bodyText: try c[4].decode(String.self),
                assignedTo: CannedAssignee(
                    type: CannedAssignee.Kind(rawValue: try c[5].decode(String.self)) ?? .everyone, id: try c[6].decode(UUID?.self)?.lowercased),
                isDraft: try c[7].decode(Bool.self), replyType: CannedReplyType(rawValue: try c[8].decode(String.self)) ?? .ticketsAndChats,
                language: try c[9].decode(String.self), createdBy: try c[10].decode(UUID?.self)?.lowercased, createdAt: try c[11].decode(Date.self),
                updatedAt: try c[12].decode(Date.self), deletedAt: try c[13].decode(Date?.self), staleAt: try c[15].decode(Date.self),
                version: try c[14].decode(Int.self)))
        }
        return result
    }
}

struct CannedUseData: Codable, Sendable {
    var cannedReplyID: String
    var agentID: String?
    var channel: CannedChannel
}

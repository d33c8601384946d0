import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Comments on users and organizations, paged sticky first and then newest first on the matching index.
public struct CommentRepository: Sendable {
    let database: Database
    let events: IdentityEvents

    public init(database: Database) {
        self.database = database
        self.events = IdentityEvents(database: database)
    }

    public func add(_ comment: Comment) async throws {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(UUID(parsing: comment.id))
            binds.append(comment.subjectKind.rawValue)
            binds.append(UUID(parsing: comment.subjectID))
            binds.append(comment.authorID.flatMap(UUID.init(parsing:)))
            binds.append(comment.body)
            binds.append(comment.sticky)
            binds.append(comment.createdAt)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("comments")) (id, subject_kind, subject_id, author_id, body, sticky, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    """, binds: binds), logger: database.logger
            ).consume()
            try await events.publish("\(comment.subjectKind.rawValue).comment_added", subject: comment.subjectID, data: comment, on: connection)
        }
    }

    public func list(_ kind: Comment.SubjectKind, _ subjectID: UUID, page: PageRequest) async throws -> Page<Comment> {
        var binds = PostgresBindings()
        binds.append(kind.rawValue)
        binds.append(subjectID)
        try KeysetCursor.append(page.cursor, as: [.bool, .uuid], to: &binds)
        binds.append(page.limit + 1)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, author_id, body, sticky, created_at FROM \(database.table("comments"))
                WHERE subject_kind = $1 AND subject_id = $2 AND ($3::boolean IS NULL OR (sticky, id) < ($3, $4::uuid))
                ORDER BY sticky DESC, id DESC LIMIT $5
                """, binds: binds), logger: database.logger)
        var comments: [Comment] = []
        for try await (id, author, body, sticky, created) in rows.decode((UUID, UUID?, String, Bool, Date).self) {
            comments.append(Comment(
                id: id.uuidString.lowercased(), subjectKind: kind, subjectID: subjectID.uuidString.lowercased(),
                authorID: author?.uuidString.lowercased(), body: body, sticky: sticky, createdAt: created))
        }
        return Page.from(fetched: comments, limit: page.limit) { [String($0.sticky), $0.id] }
    }

    /// Makes a comment sticky or not; false when the subject has no such comment.
    public func setSticky(_ sticky: Bool, comment id: UUID, of kind: Comment.SubjectKind, _ subjectID: UUID) async throws -> Bool {
        try await change("UPDATE \(database.table("comments")) SET sticky = $4", id, kind, subjectID, sticky: sticky)
    }

    public func delete(_ id: UUID, of kind: Comment.SubjectKind, _ subjectID: UUID) async throws -> Bool {
        try await change("DELETE FROM \(database.table("comments"))", id, kind, subjectID, sticky: nil)
    }

    /// Removes a deleted subject's comments inside the transaction that deletes it.
    public func deleteAll(of kind: Comment.SubjectKind, _ subjectID: UUID, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(kind.rawValue)
        binds.append(subjectID)
        try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("comments")) WHERE subject_kind = $1 AND subject_id = $2", binds: binds),
            logger: database.logger
        ).consume()
    }

    private func change(_ statement: String, _ id: UUID, _ kind: Comment.SubjectKind, _ subjectID: UUID, sticky: Bool?) async throws -> Bool {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(kind.rawValue)
            binds.append(subjectID)
            if let sticky { binds.append(sticky) }
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "\(statement) WHERE id = $1 AND subject_kind = $2 AND subject_id = $3 RETURNING id", binds: binds),
                logger: database.logger
            ).collect()
            guard !rows.isEmpty else { return false }
            let type = sticky == nil ? "comment_deleted" : "comment_changed"
            let data = ["commentID": id.uuidString.lowercased(), "sticky": sticky.map(String.init) ?? ""]
            try await events.publish("\(kind.rawValue).\(type)", subject: subjectID.uuidString.lowercased(), data: data, on: connection)
            return true
        }
    }
}

import Contracts
import Database
import Foundation
import PostgresNIO

/// Tickets' copy of identity's comments on users, so that a user's sticky comments lead the agents' timeline of every
/// ticket that user sent; kept inside the directory consumer's transaction.
struct UserCommentProjection: Sendable {
    let database: Database

    func apply(_ type: String, _ bytes: [UInt8], on connection: PostgresConnection) async throws {
        switch type {
        case "user.comment_added":
            let comment = try decode(IdentityPayloads.CommentAdded.self, bytes)
            guard comment.subjectKind == "user", let id = UUID(parsing: comment.id), let user = UUID(parsing: comment.subjectID) else { return }
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(user)
            binds.append(comment.authorID.flatMap(UUID.init(parsing:)))
            binds.append(comment.body)
            binds.append(comment.sticky)
            binds.append(comment.createdAt)
            try await run("""
                INSERT INTO \(database.table("user_comments")) (id, user_id, author_id, body, sticky, created_at) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (id) DO NOTHING
                """, binds, on: connection)
        case "user.comment_changed", "user.comment_deleted":
            let change = try decode(IdentityPayloads.CommentChanged.self, bytes)
            guard let id = UUID(parsing: change.commentID) else { return }
            var binds = PostgresBindings()
            binds.append(id)
            if type == "user.comment_deleted" {
                try await run("DELETE FROM \(database.table("user_comments")) WHERE id = $1", binds, on: connection)
            } else {
                binds.append(change.sticky == "true")
                try await run("UPDATE \(database.table("user_comments")) SET sticky = $2 WHERE id = $1", binds, on: connection)
            }
        case "user.deleted":
            let user = try decode(IdentityPayloads.UserChanged.self, bytes)
            var binds = PostgresBindings()
            binds.append(UUID(parsing: user.userID))
            try await run("DELETE FROM \(database.table("user_comments")) WHERE user_id = $1", binds, on: connection)
        default:
            return
        }
    }

    private func decode<P: Decodable>(_ type: P.Type, _ bytes: [UInt8]) throws -> P {
        try CloudEventCoding.decoder().decode(IdentityPayloads.Envelope<P>.self, from: Data(bytes)).data
    }

    private func run(_ sql: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger).consume()
    }
}

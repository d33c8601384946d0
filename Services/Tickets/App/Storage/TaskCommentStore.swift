import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Comments on tasks; each is a `task.comment_added` event in the same transaction.
extension TicketStore {
    public func commentOnTask(_ taskID: UUID, body: String, by author: UUID) async throws -> TaskComment {
        try await database.transaction { connection in
            guard let task = try await task(taskID, on: connection, lock: true, includingDeleted: false) else { throw Problem.notFound("No such task.") }
            let comment = TaskComment(id: UUIDv7.generate().lowercased, taskID: task.id, authorID: author.lowercased, body: body, createdAt: Date())
            var binds = PostgresBindings()
            binds.append(UUID(parsing: comment.id))
            binds.append(taskID)
            binds.append(author)
            binds.append(body)
            binds.append(comment.createdAt)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("task_comments")) (id, task_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)
                    """, binds: binds), logger: database.logger
            ).consume()
            try await events.publish([("task.comment_added", ["commentID": comment.id])], task: task, actor: .agent(author.lowercased), on: connection)
            return comment
        }
    }

    /// A task's comments, newest first.
    public func comments(ofTask taskID: UUID) async throws -> [TaskComment] {
        var binds = PostgresBindings()
        binds.append(taskID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, author_id, body, created_at FROM \(database.table("task_comments")) WHERE task_id = $1 ORDER BY created_at DESC, id DESC
                """, binds: binds), logger: database.logger)
        var comments: [TaskComment] = []
        for try await (id, author, body, created) in rows.decode((UUID, UUID, String, Date).self) {
            comments.append(TaskComment(id: id.lowercased, taskID: taskID.lowercased, authorID: author.lowercased, body: body, createdAt: created))
        }
        return comments
    }
}

import Contracts
import Database
import Foundation
import NIOCore
import PostgresNIO
import ServiceKit

/// A file an agent uploaded for a ticket they have not created yet (Attach Files on New Ticket): it becomes an
/// attachment of the ticket that names it, or is forgotten after ``TicketStore/uploadLifetime``.
public struct PendingUpload: Codable, Sendable, Equatable {
    public var id: String
    public var filename: String
    public var contentType: String
    public var size: Int
    public var createdAt: Date
}

extension TicketStore {
    /// How long an upload waits for its ticket.
    public static let uploadLifetime: TimeInterval = 24 * 3600

    public func upload(filename: String, contentType: String, bytes: ByteBuffer, by agent: UUID) async throws -> PendingUpload {
        let upload = PendingUpload(
            id: UUIDv7.generate().lowercased, filename: filename, contentType: contentType, size: bytes.readableBytes, createdAt: Date())
        var binds = PostgresBindings()
        binds.append(UUID(parsing: upload.id))
        binds.append(agent)
        binds.append(filename)
        binds.append(contentType)
        binds.append(upload.size)
        binds.append(bytes)
        binds.append(upload.createdAt)
        try await database.client.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("uploads")) (id, uploaded_by, filename, content_type, size, bytes, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, binds: binds), logger: database.logger
        ).consume()
        return upload
    }

    /// Makes the uploader's uploads `ids` attachments of a ticket they are creating or writing to, in its transaction;
    /// 422 naming `attachmentIDs` when one is not theirs or is gone.
    func claimUploads(_ ids: [UUID], by uploader: UUID, for ticketID: UUID, on connection: PostgresConnection) async throws -> [UUID] {
        guard !ids.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(Array(Set(ids)))
        binds.append(uploader)
        binds.append(ticketID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                WITH claimed AS (
                    DELETE FROM \(database.table("uploads")) WHERE id = ANY($1) AND uploaded_by = $2 RETURNING *
                )
                INSERT INTO \(database.table("attachments")) (id, ticket_id, filename, content_type, size, internal, bytes, uploaded_by, created_at)
                SELECT id, $3, filename, content_type, size, false, bytes, uploaded_by, created_at FROM claimed
                RETURNING id
                """, binds: binds), logger: database.logger)
        var claimed: [UUID] = []
        for try await id in rows.decode(UUID.self) { claimed.append(id) }
        guard claimed.count == Set(ids).count else {
            throw Problem.unprocessable(
                "Attach only files you uploaded for this ticket.", errors: [.init(field: "attachmentIDs", message: "names an upload that is not yours or is gone")])
        }
        return claimed.sorted { $0.uuidString < $1.uuidString }
    }

    /// Forgets uploads no ticket claimed within ``uploadLifetime``, a thousand at a time; answers how many.
    public func forgetStaleUploads(now: Date = Date()) async throws -> Int {
        try await deleteBatch(from: "uploads", where: "created_at", before: now.addingTimeInterval(-Self.uploadLifetime))
    }
}

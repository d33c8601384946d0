import Contracts
import Database
import Foundation
import NIOCore
import PostgresNIO
import ServiceKit

/// A file uploaded for a ticket not created yet (Attach Files on New Ticket, the portal's form): it becomes an
/// attachment of the ticket that names it, or is forgotten after ``TicketStore/uploadLifetime``.
public struct PendingUpload: Codable, Sendable, Equatable {
    public var id: String
    public var filename: String
    public var contentType: String
    public var size: Int
    public var createdAt: Date
    /// A visitor's upload (not signed in): the secret their submission names in `uploadClaims`, answered only here.
    public var claim: String?
}

extension TicketStore {
    /// How long an upload waits for its ticket.
    public static let uploadLifetime: TimeInterval = 24 * 3600

    public func upload(filename: String, contentType: String, bytes: ByteBuffer, by agent: UUID) async throws -> PendingUpload {
        let upload = PendingUpload(
            id: UUIDv7.generate().lowercased, filename: filename, contentType: contentType, size: bytes.readableBytes, createdAt: Date())
        try await database.client.query(insert(upload, bytes: bytes, owner: agent, anonymousFrom: nil), logger: database.logger).consume()
        return upload
    }

    /// A visitor's upload from `address`, within `limits` of what waits unclaimed (checked under one lock, so
    /// simultaneous uploads cannot pass them together); its claim is a random secret, not anyone's id.
    public func anonymousUpload(
        filename: String, contentType: String, bytes: ByteBuffer, from address: String, limits: AnonymousUploads
    ) async throws -> PendingUpload {
        let claim = UUID()
        var upload = PendingUpload(
            id: UUIDv7.generate().lowercased, filename: filename, contentType: contentType, size: bytes.readableBytes, createdAt: Date())
        try await database.transaction { connection in
            var lock = PostgresBindings()
            lock.append("\(database.schema).anonymous_uploads")
            try await connection.query(PostgresQuery(unsafeSQL: "SELECT pg_advisory_xact_lock(hashtext($1))", binds: lock), logger: database.logger).consume()
            var binds = PostgresBindings()
            binds.append(address)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    SELECT count(*) FILTER (WHERE anonymous_from = $1)::int, coalesce(sum(size), 0)::int8
                    FROM \(database.table("uploads")) WHERE anonymous_from IS NOT NULL
                    """, binds: binds), logger: database.logger)
            for try await (fromAddress, waitingBytes) in rows.decode((Int, Int).self) {
                try limits.check(size: upload.size, fromAddress: fromAddress, waitingBytes: waitingBytes)
            }
            try await connection.query(insert(upload, bytes: bytes, owner: claim, anonymousFrom: address), logger: database.logger).consume()
        }
        upload.claim = claim.lowercased
        return upload
    }

    private func insert(_ upload: PendingUpload, bytes: ByteBuffer, owner: UUID, anonymousFrom: String?) -> PostgresQuery {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: upload.id))
        binds.append(owner)
        binds.append(upload.filename)
        binds.append(upload.contentType)
        binds.append(upload.size)
        binds.append(bytes)
        binds.append(upload.createdAt)
        binds.append(anonymousFrom)
        return PostgresQuery(unsafeSQL: """
            INSERT INTO \(database.table("uploads")) (id, uploaded_by, filename, content_type, size, bytes, created_at, anonymous_from)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, binds: binds)
    }

    /// Makes the uploader's uploads `ids` attachments of a ticket they are creating or writing to, in its transaction;
    /// 422 naming `attachmentIDs` when one is not theirs or is gone.
    func claimUploads(_ ids: [UUID], by uploader: UUID, for ticketID: UUID, on connection: PostgresConnection) async throws -> [UUID] {
        try await claimUploads(ids, owners: [uploader], anonymous: false, for: ticketID, on: connection)
    }

    /// Makes a visitor's uploads `ids` attachments of the ticket they submit, each named by its claim among `claims`;
    /// the attachments have no uploader, as the ticket has no customer account.
    func claimAnonymousUploads(_ ids: [UUID], claims: [UUID], for ticketID: UUID, on connection: PostgresConnection) async throws -> [UUID] {
        try await claimUploads(ids, owners: claims, anonymous: true, for: ticketID, on: connection)
    }

    private func claimUploads(_ ids: [UUID], owners: [UUID], anonymous: Bool, for ticketID: UUID, on connection: PostgresConnection) async throws -> [UUID] {
        guard !ids.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(Array(Set(ids)))
        binds.append(Array(Set(owners)))
        binds.append(ticketID)
        binds.append(anonymous)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                WITH claimed AS (
                    DELETE FROM \(database.table("uploads"))
                    WHERE id = ANY($1) AND uploaded_by = ANY($2) AND (anonymous_from IS NOT NULL) = $4 RETURNING *
                )
                INSERT INTO \(database.table("attachments")) (id, ticket_id, filename, content_type, size, internal, bytes, uploaded_by, created_at)
                SELECT id, $3, filename, content_type, size, false, bytes, CASE WHEN NOT $4 THEN uploaded_by END, created_at FROM claimed
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

import Database
import Foundation
import PostgresNIO
import ServiceKit

/// A stored picture with its display size.
public struct StoredImage: Sendable, Equatable {
    public var contentType: String
    public var bytes: [UInt8]
    public var width: Int
    public var height: Int
    public var version: Int

    public var etag: String { IfMatch.etag(version) }
}

/// The data of `image.changed` and `image.removed`: whose picture (`brand-logo:<id>`, `avatar:<id>`) and its version.
public struct ImageChanged: Codable, Sendable, Equatable {
    public var owner: String
    public var version: Int?
    public var width: Int?
    public var height: Int?
}

/// Brand logos and user avatars, one per owner key (`brand-logo:<id>`, `avatar:<id>`), in PostgreSQL so every
/// identity instance serves the same picture; each change is an event.
public struct ImageStore: Sendable {
    let database: Database
    let events: IdentityEvents

    public init(database: Database) {
        self.database = database
        self.events = IdentityEvents(database: database)
    }

    @discardableResult
    public func put(_ owner: String, bytes: [UInt8], info: ImageInfo) async throws -> StoredImage {
        var binds = PostgresBindings()
        binds.append(owner)
        binds.append(info.contentType)
        binds.append(ByteBuffer(bytes: bytes))
        binds.append(info.width)
        binds.append(info.height)
        return try await database.transaction { connection in
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("images")) (owner, content_type, bytes, width, height) VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (owner) DO UPDATE SET content_type = $2, bytes = $3, width = $4, height = $5,
                        version = \(database.table("images")).version + 1, updated_at = now()
                    RETURNING version
                    """, binds: binds), logger: database.logger)
            var version = 1
            for try await stored in rows.decode(Int.self) { version = stored }
            let change = ImageChanged(owner: owner, version: version, width: info.width, height: info.height)
            try await events.publish("image.changed", subject: owner, data: change, on: connection)
            return StoredImage(contentType: info.contentType, bytes: bytes, width: info.width, height: info.height, version: version)
        }
    }

    public func get(_ owner: String) async throws -> StoredImage? {
        var binds = PostgresBindings()
        binds.append(owner)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT content_type, bytes, width, height, version FROM \(database.table("images")) WHERE owner = $1", binds: binds),
            logger: database.logger)
        for try await (type, bytes, width, height, version) in rows.decode((String, ByteBuffer, Int, Int, Int).self) {
            return StoredImage(contentType: type, bytes: Array(bytes.readableBytesView), width: width, height: height, version: version)
        }
        return nil
    }

    public func delete(_ owner: String) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(owner)
        return try await database.transaction { connection in
            let removed = !(try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("images")) WHERE owner = $1 RETURNING owner", binds: binds),
                logger: database.logger
            ).collect()).isEmpty
            if removed {
                try await events.publish("image.removed", subject: owner, data: ImageChanged(owner: owner), on: connection)
            }
            return removed
        }
    }
}

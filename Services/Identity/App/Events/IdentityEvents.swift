import Contracts
import Database
import PostgresNIO

/// How every identity change reaches `identity.events`: a CloudEvent appended to the outbox inside the
/// transaction of the change.
public struct IdentityEvents: Sendable {
    let outbox: OutboxStore

    public init(database: Database) {
        self.outbox = OutboxStore(database: database)
    }

    public func publish<P: Codable & Sendable>(
        _ type: String, subject: String, brandID: String? = nil, data: P, on connection: PostgresConnection
    ) async throws {
        try await outbox.append(
            CloudEvent(source: ServiceName.identity.rawValue, type: type, subject: subject, brandid: brandID, data: data),
            topic: ServiceName.identity.eventsTopic, on: connection)
    }
}

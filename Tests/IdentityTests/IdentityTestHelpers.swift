import Contracts
import Database
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

extension IdentityAPITests {
    /// A request with extra headers (If-Match, Content-Type) and a raw body; answers status, headers and body bytes.
    static func exchange(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?, headers extra: HTTPFields = [:],
        bytes: [UInt8]
    ) async throws -> (HTTPResponse.Status, HTTPFields, [UInt8]) {
        var headers = extra
        if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: bytes)) { response in
            (response.status, response.headers, Array(response.body.readableBytesView))
        }
    }

    static func object(_ bytes: [UInt8]) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]) ?? [:]
    }

    /// The CloudEvent types in the identity outbox, oldest first.
    static func eventTypes(_ database: Database) async throws -> [String] {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT payload FROM \(database.table("outbox")) ORDER BY id"))
        var types: [String] = []
        for try await payload in rows.decode(ByteBuffer.self) { types.append(try CloudEventCoding.decodeHeader(Array(buffer: payload)).type) }
        return types
    }

    /// The data of the newest outbox event of `type`.
    /// How many events of `type` the outbox holds (the relay does not run in these tests).
    static func eventCount(_ type: String, _ database: Database) async throws -> Int {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT payload FROM \(database.table("outbox"))"))
        var count = 0
        for try await payload in rows.decode(ByteBuffer.self) where try CloudEventCoding.decodeHeader(Array(buffer: payload)).type == type { count += 1 }
        return count
    }

    static func lastEventData(_ type: String, _ database: Database) async throws -> [String: Any] {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT payload FROM \(database.table("outbox")) ORDER BY id DESC"))
        for try await payload in rows.decode(ByteBuffer.self) {
            let bytes = Array(buffer: payload)
            guard try CloudEventCoding.decodeHeader(bytes).type == type else { continue }
            return (object(bytes)["data"] as? [String: Any]) ?? [:]
        }
        return [:]
    }
}

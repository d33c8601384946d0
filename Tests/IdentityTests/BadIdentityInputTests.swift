import Auth
import Database
import Foundation
import HTTPTypes
import IdentityApp
import PostgresNIO
import Testing
import TestSupport

/// Input PostgreSQL would refuse (a NUL, a name of a few letters carrying thousands of combining marks, a number
/// beyond its column, a row that is not there) answers problem+json with a 4xx and writes nothing, whether a rule
/// catches it first or the database's refusal is answered as the client's mistake.
@Suite("Bad identity input", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct BadIdentityInputTests {
    let api = IdentityAPITests()

    /// One letter carrying `count` combining marks drawn at random, so that PostgreSQL cannot compress them into an
    /// index entry.
    static func marked(_ count: Int) -> String {
        "e" + String(String.UnicodeScalarView((0..<count).compactMap { _ in Unicode.Scalar(0x0300 + UInt32.random(in: 0..<112)) }))
    }

    static func outboxCount(_ database: Database) async throws -> Int {
        let rows = try await database.client.query("SELECT count(*)::int FROM identity.outbox")
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    @Test("Each is a 4xx problem that writes nothing")
    func refused() async throws {
        try await api.withIdentity { client, database in
            let c = try await StructureAPITests.company(client, database)
            let brand = try #require(try await BrandRepository(database: database).find(hostname: "demo.localhost")).id.uuidString
            let (role, _, created) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/roles", token: c.admin, body: #"{"name":"Night shift","type":"employee","grants":{}}"#)
            #expect(role == .created, "\(created)")
            let roleID = try #require(created["id"] as? String)
            let customer = try await UserProfileAPITests.id(
                of: try await OrganizationAPITests.person(client, database, "lee@customer.example", roles: [PredefinedRoles.registeredUser]), client)
            let cases: [(HTTPRequest.Method, String, String, HTTPResponse.Status)] = [
                (.put, "/api/v1/identity/agents/\(customer)/availability", #"{"available":true}"#, .notFound),
                (.get, "/api/v1/identity/agents/\(UUID().uuidString.lowercased())/status", "", .notFound),
                (.patch, "/api/v1/identity/departments/\(c.departmentA)", #"{"name":"A\u0000"}"#, .badRequest),
                (.patch, "/api/v1/identity/roles/\(roleID)", #"{"name":"agent"}"#, .conflict),
                (.post, "/api/v1/identity/departments",
                 #"{"brandID":"\#(brand)","name":"D","frontLineGroupName":"\#(String(repeating: "x", count: 10_000))"}"#, .unprocessableContent),
                (.put, "/api/v1/identity/groups/\(c.groupA)/members/\(c.agentA.id)", #"{"maxTickets":3000000000}"#, .unprocessableContent),
                (.put, "/api/v1/identity/groups/\(c.groupA)/members/\(c.agentA.id)", #"{"autoInactiveMinutes":3000000000}"#, .unprocessableContent),
                (.put, "/api/v1/identity/agents/\(UUID().uuidString.lowercased())/availability", #"{"available":true}"#, .notFound),
                (.post, "/api/v1/identity/roles", #"{"name":"\#(Self.marked(6_000))","type":"employee","grants":{}}"#, .unprocessableContent),
                (.post, "/api/v1/identity/people-fields", #"{"name":"\#(Self.marked(6_000))","dataType":"text"}"#, .unprocessableContent),
            ]
            for (method, path, body, expected) in cases {
                let before = try await Self.outboxCount(database)
                let (status, headers, problem) = try await IdentityAPITests.send(client, method, path, token: c.admin, body: body)
                #expect(status == expected, "\(method) \(path): \(problem)")
                #expect(headers[.contentType] == "application/problem+json", "\(path)")
                #expect(try await Self.outboxCount(database) == before, "\(path) wrote nothing")
            }
            let (signIn, _, _) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/sessions", body: #"{"email":"\#(String(repeating: "q", count: 10_000))","password":"x"}"#)
            #expect(signIn == .unauthorized, "text that is no address names no account to count failures against")
        }
    }
}

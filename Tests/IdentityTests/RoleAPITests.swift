import Auth
import Contracts
import Database
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IdentityApp
import PostgresNIO
import ServiceKit
import Testing
import TestSupport

@Suite("Roles API", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct RoleAPITests {
    let api = IdentityAPITests()

    @Test("The six predefined roles are stored with their documented defaults and cannot be deleted")
    func predefined() async throws {
        try await api.withIdentity { client, _ in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let (status, _, list) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/roles", token: admin, body: "")
            #expect(status == .ok)
            let roles = try #require(list["items"] as? [[String: Any]])
            #expect(Set(roles.compactMap { $0["name"] as? String }) == Set(PredefinedRoles.all.map(\.name)))
            let agent = try #require(roles.first { $0["name"] as? String == "Agent" })
            let grants = try #require(agent["grants"] as? [String: [String: Any]])
            #expect(grants["news"]?["level"] as? String == "full-control", "agents may delete news items")
            #expect(grants["tickets"]?["level"] as? String == "custom", "agents may not delete tickets")
            #expect((grants["tickets"]?["customOptions"] as? [String])?.contains("Delete") == false)
            #expect(grants["kb-articles"]?["level"] as? String == "custom")
            let id = try #require(agent["id"] as? String)
            let (delete, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/roles/\(id)", token: admin, body: "")
            #expect(delete == .conflict)
        }
    }

    @Test("A custom role narrowing Distribution to no transfer is enforced in its holder's token, and the changes are events; its edits honour If-Match")
    func noTransferRole() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let body = #"{"name":"Agent without transfers","type":"employee","grants":{"tickets":{"level":"full-control","customOptions":[]},"distribution":{"level":"custom","customOptions":["Manage Agent Status"]}}}"#
            let (created, _, role) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/roles", token: admin, body: body)
            #expect(created == .created)
            #expect(role["name"] as? String == "Agent without transfers")
            let users = UserRepository(database: database)
            let userID = try await users.createUser(
                email: "narrow@demo.localhost", passwordHash: try await PasswordHasher(cost: 4).hash("narrow-password"), displayName: "Narrow")
            let (assigned, _, _) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/users/\(userID.uuidString.lowercased())/roles", token: admin,
                body: #"{"roles":["Agent without transfers"]}"#)
            #expect(assigned == .noContent)
            let token = try #require(try await IdentityAPITests.signIn(client, email: "narrow@demo.localhost", password: "narrow-password")["accessToken"] as? String)
            let principal = try await TokenService(secret: TokenService.developmentSecret).verify(token)
            #expect(Set(principal.roles) == ["Everyone", "Agent without transfers"])
            #expect(!Authorization.allows(principal, .distribution, "Transfer Work Items"))
            #expect(Authorization.allows(principal, .distribution, "Manage Agent Status"))
            #expect(Authorization.allows(principal, .tickets, "Reply"))
            #expect(principal.scope == .none, "a custom role alone is not the Agent role")
            let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT payload FROM identity.outbox ORDER BY id"))
            var types: [String] = []
            for try await payload in rows.decode(ByteBuffer.self) { types.append(try CloudEventCoding.decodeHeader(Array(buffer: payload)).type) }
            #expect(types.suffix(2) == ["role.created", "user.roles_changed"])
            let roleID = try #require(role["id"] as? String)
            let (_, headers, _) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/roles/\(roleID)", token: admin, body: "")
            #expect(headers[.eTag] == "\"1\"")
            let (stale, _, _) = try await IdentityAPITests.exchange(
                client, .patch, "/api/v1/identity/roles/\(roleID)", token: admin, headers: [.ifMatch: "\"7\""], bytes: Array(#"{"name":"Renamed"}"#.utf8))
            #expect(stale == .preconditionFailed)
            let (renamed, renamedHeaders, _) = try await IdentityAPITests.exchange(
                client, .patch, "/api/v1/identity/roles/\(roleID)", token: admin, headers: [.ifMatch: "\"1\""], bytes: Array(#"{"name":"Renamed"}"#.utf8))
            #expect(renamed == .ok && renamedHeaders[.eTag] == "\"2\"")
        }
    }

    @Test("Invalid roles and assignments answer 422: a user role with an employee feature, Manager without Agent, an unknown role")
    func invalid() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let (userRole, _, _) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/roles", token: admin,
                body: #"{"name":"Portal tickets","type":"user","grants":{"tickets":{"level":"read-only","customOptions":[]}}}"#)
            #expect(userRole == .unprocessableContent)
            let userID = try await UserRepository(database: database).createUser(
                email: "m@demo.localhost", passwordHash: try await PasswordHasher(cost: 4).hash("manager-password"), displayName: "M")
            let path = "/api/v1/identity/users/\(userID.uuidString.lowercased())/roles"
            let (managerOnly, _, problem) = try await IdentityAPITests.send(client, .put, path, token: admin, body: #"{"roles":["Manager"]}"#)
            #expect(managerOnly == .unprocessableContent)
            #expect(problem["detail"] as? String == "Managers must also have the Agent role.")
            let (unknown, _, _) = try await IdentityAPITests.send(client, .put, path, token: admin, body: #"{"roles":["Wizard"]}"#)
            #expect(unknown == .unprocessableContent)
            let (ok, _, _) = try await IdentityAPITests.send(client, .put, path, token: admin, body: #"{"roles":["Manager","agent"]}"#)
            #expect(ok == .noContent)
            let token = try #require(try await IdentityAPITests.signIn(client, email: "m@demo.localhost", password: "manager-password")["accessToken"] as? String)
            #expect(try await TokenService(secret: TokenService.developmentSecret).verify(token).scope == .memberDepartments)
            let (forbidden, _, _) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/roles", token: token, body: "")
            #expect(forbidden == .forbidden)
        }
    }
}

import Auth
import Contracts
import Database
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IdentityApp
import ServiceKit
import Testing
import TestSupport

@Suite("API keys and sessions", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct ApiKeyAPITests {
    let api = IdentityAPITests()

    static func agent(_ client: any TestClientProtocol, _ database: Database) async throws -> String {
        let users = UserRepository(database: database)
        let id = try await users.createUser(email: "bot.owner@demo.localhost", passwordHash: try await PasswordHasher(cost: 4).hash("owner-password"), displayName: "Owner")
        try await users.grant([PredefinedRoles.agent], to: id)
        return try #require(try await IdentityAPITests.signIn(client, email: "bot.owner@demo.localhost", password: "owner-password")["accessToken"] as? String)
    }

    @Test("A key is shown once, may do only what its creator may, and trades for a token with exactly its scopes")
    func scopedKey() async throws {
        try await api.withIdentity { client, database in
            let agent = try await Self.agent(client, database)
            let (tooMuch, _, problem) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/api-keys", token: agent, body: #"{"name":"greedy","permissions":{"kb-articles":["Delete"]}}"#)
            #expect(tooMuch == .unprocessableContent, "agents cannot delete KB articles, so their keys cannot")
            #expect((problem["errors"] as? [[String: String]])?.first?["message"] == "you may not Delete")
            let (created, _, answer) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/api-keys", token: agent,
                body: #"{"name":"ticket bot","permissions":{"tickets":["Reply","Add Comment"]},"expiresInDays":30}"#)
            #expect(created == .created)
            let key = try #require(answer["key"] as? String)
            #expect(key.hasPrefix("ck_"))
            let (_, _, list) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/api-keys", token: agent, body: "")
            let listed = try #require((list["items"] as? [[String: Any]])?.first)
            #expect(listed["name"] as? String == "ticket bot")
            #expect(!String(decoding: try JSONSerialization.data(withJSONObject: list), as: UTF8.self).contains(key), "the secret is never listed")
            let (signedIn, _, tokens) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/sessions/api-key", body: #"{"apiKey":"\#(key)"}"#)
            #expect(signedIn == .created)
            let principal = try await TokenService(secret: TokenService.developmentSecret).verify(try #require(tokens["accessToken"] as? String))
            #expect(Authorization.allows(principal, .tickets, "Reply"))
            #expect(!Authorization.allows(principal, .tickets, "Delete"))
            #expect(!Authorization.allows(principal, .distribution, "Transfer Work Items"))
            #expect(!principal.isSystemAdministrator)
            let (forged, _, _) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/sessions/api-key", body: #"{"apiKey":"\#(key)x"}"#)
            #expect(forged == .unauthorized)
        }
    }

    @Test("A key acts only through its permissions: it cannot change its owner's email address, profile or password, nor make keys or end sessions")
    func keyCannotManageItsOwnersAccount() async throws {
        try await api.withIdentity { client, database in
            let agent = try await Self.agent(client, database)
            let (_, _, answer) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/api-keys", token: agent, body: #"{"name":"kb reader","permissions":{"kb-articles":["View"]}}"#)
            let key = try #require(answer["key"] as? String)
            let (_, _, tokens) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/sessions/api-key", body: #"{"apiKey":"\#(key)"}"#)
            let keyToken = try #require(tokens["accessToken"] as? String)
            let (_, _, me) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/me", token: keyToken, body: "")
            let owner = try #require(me["userID"] as? String)
            let refusals: [(HTTPRequest.Method, String, String)] = [
                (.patch, "/api/v1/identity/users/\(owner)", #"{"email":"taken.over@example.com"}"#),
                (.patch, "/api/v1/identity/users/\(owner)", #"{"displayName":"Renamed by a key"}"#),
                (.put, "/api/v1/identity/me/password", #"{"currentPassword":"owner-password","newPassword":"Another-password-1"}"#),
                (.post, "/api/v1/identity/api-keys", #"{"name":"another","permissions":{"kb-articles":["View"]}}"#),
                (.get, "/api/v1/identity/sessions", ""),
                (.post, "/api/v1/identity/email-verifications", ""),
            ]
            for (method, path, body) in refusals {
                let (status, headers, _) = try await IdentityAPITests.send(client, method, path, token: keyToken, body: body)
                #expect(status == .forbidden && headers[.contentType] == "application/problem+json", "\(method) \(path)")
            }
            let (_, _, account) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users/\(owner)", token: agent, body: "")
            #expect(account["email"] as? String == "bot.owner@demo.localhost" && account["displayName"] as? String == "Owner")
            #expect(try await IdentityAPITests.signIn(client, email: "bot.owner@demo.localhost", password: "owner-password")["accessToken"] != nil)
            let (renamed, _, _) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/users/\(owner)", token: agent, body: #"{"displayName":"Owner Themself"}"#)
            #expect(renamed == .ok, "signed in with the password, the owner still changes their account")
        }
    }

    @Test("A revoked key no longer signs in")
    func revokedKey() async throws {
        try await api.withIdentity { client, database in
            let agent = try await Self.agent(client, database)
            let (_, _, answer) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/api-keys", token: agent, body: #"{"name":"short-lived","permissions":{"tickets":["Reply"]}}"#)
            let key = try #require(answer["key"] as? String)
            let id = try #require((answer["apiKey"] as? [String: Any])?["id"] as? String)
            let (revoked, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/api-keys/\(id)", token: agent, body: "")
            #expect(revoked == .noContent)
            let (refused, _, _) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/sessions/api-key", body: #"{"apiKey":"\#(key)"}"#)
            #expect(refused == .unauthorized)
        }
    }

    @Test("A user lists their live sessions, sees which is current, and revokes another one")
    func sessionList() async throws {
        try await api.withIdentity { client, _ in
            let first = try await IdentityAPITests.signIn(client)
            let second = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let (_, _, list) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/sessions", token: second, body: "")
            let sessions = try #require(list["items"] as? [[String: Any]])
            #expect(sessions.count == 2)
            #expect(sessions.filter { $0["current"] as? Bool == true }.count == 1)
            let other = try #require(sessions.first { $0["current"] as? Bool == false }?["id"] as? String)
            let (revoked, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/sessions/\(other)", token: second, body: "")
            #expect(revoked == .noContent)
            let refresh = try #require(first["refreshToken"] as? String)
            let (refused, _, _) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/sessions/refresh", body: #"{"refreshToken":"\#(refresh)"}"#)
            #expect(refused == .unauthorized)
        }
    }
}

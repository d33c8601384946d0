import Auth
import Contracts
import Database
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import IdentityApp
import PostgresNIO
import ServiceKit
import Testing
import TestSupport

/// The identity routes against a real PostgreSQL database, through Hummingbird's router test client.
@Suite("Identity API", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct IdentityAPITests {
    static let json: HTTPFields = [.contentType: "application/json"]

    func withIdentity(_ body: @escaping @Sendable (any TestClientProtocol, Database) async throws -> Void) async throws {
        try await TestDatabase.withFreshSchema("identity") { database in
            try await MigrationRunner(database: database, migrations: IdentityMigrations.all).run()
            let api = IdentityAPI(
                database: database, tokens: await TokenService(secret: TokenService.developmentSecret, captchaDifficulty: 8), hasher: PasswordHasher(cost: 4))
            try await DemoSeed(api: api).run(logger: database.logger)
            let router = ServiceRouter.make(metrics: HTTPMetrics(), checks: [])
            api.addRoutes(to: router)
            try await Application(router: router).test(.router) { client in try await body(client, database) }
        }
    }

    /// `,"captcha":{…}`: a fresh built-in CAPTCHA challenge of the test secret, solved, for a registration's body.
    static func solvedCaptcha() -> String {
        let challenge = ProofOfWorkCaptcha(secret: TokenService.developmentSecret, difficulty: 8).issue()
        return #","captcha":{"challenge":"\#(challenge.challenge)","solution":"\#(ProofOfWorkCaptcha.solve(challenge))"}"#
    }

    static func signIn(_ client: any TestClientProtocol, email: String = DemoSeed.administratorEmail, password: String = DemoSeed.administratorPassword) async throws -> [String: Any] {
        try await client.execute(
            uri: "/api/v1/identity/sessions", method: .post, headers: json,
            body: ByteBuffer(string: #"{"email":"\#(email)","password":"\#(password)"}"#)
        ) { response in
            #expect(response.status == .created)
            return try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
        }
    }

    static func count(_ table: String, _ database: Database) async throws -> Int {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(database.table(table))"))
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    @Test("Signing in answers 201 with an access token, a refresh token and its lifetime")
    func signIn() async throws {
        try await withIdentity { client, _ in
            let tokens = try await Self.signIn(client)
            #expect((tokens["accessToken"] as? String)?.split(separator: ".").count == 3)
            #expect((tokens["refreshToken"] as? String)?.count ?? 0 >= 43)
            #expect(tokens["expiresIn"] as? Int == 900)
        }
    }

    @Test("A wrong password or unknown email answers 401, malformed JSON 400 and a missing field 422, all problem+json")
    func badSignIn() async throws {
        try await withIdentity { client, database in
            let cases: [(String, HTTPResponse.Status)] = [
                (#"{"email":"admin@demo.localhost","password":"wrong-password"}"#, .unauthorized),
                (#"{"email":"nobody@demo.localhost","password":"concierge-admin"}"#, .unauthorized),
                (#"{"email": "admin@demo"#, .badRequest),
                (#"{"email":"admin@demo.localhost"}"#, .unprocessableContent),
                (#"{"email":"admin@demo.localhost","password":42}"#, .unprocessableContent),
            ]
            for (body, status) in cases {
                try await client.execute(uri: "/api/v1/identity/sessions", method: .post, headers: Self.json, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == status, "\(body)")
                    #expect(response.headers[.contentType] == Problem.mediaType)
                }
            }
            #expect(try await Self.count("sessions", database) == 0)
        }
    }

    @Test("An administrator creates a brand: 201, stored with its hostnames, and brand.created is in the outbox in the same transaction")
    func createBrand() async throws {
        try await withIdentity { client, database in
            let token = try #require(try await Self.signIn(client)["accessToken"] as? String)
            let outboxBefore = try await Self.count("outbox", database)
            try await client.execute(
                uri: "/api/v1/identity/brands", method: .post, headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
                body: ByteBuffer(string: #"{"name":"Globex","hostnames":["Globex.localhost","support.globex.example"]}"#)
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.eTag] == "\"1\"")
                let brand = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(brand["hostnames"] as? [String] == ["globex.localhost", "support.globex.example"])
            }
            #expect(try await Self.count("outbox", database) == outboxBefore + 1)
            let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT payload FROM \(database.table("outbox")) ORDER BY id DESC LIMIT 1"))
            for try await payload in rows.decode(ByteBuffer.self) {
                let event = try CloudEventCoding.decode(BrandSnapshot.self, from: Array(buffer: payload))
                #expect(event.type == "brand.created")
                #expect(event.data.name == "Globex")
            }
        }
    }

    @Test("Anonymous callers get 401, other users 403, a taken hostname 409, and none of them writes anything")
    func refusedBrandChanges() async throws {
        try await withIdentity { client, database in
            let users = UserRepository(database: database)
            _ = try await users.createUser(email: "agent@demo.localhost", passwordHash: try await PasswordHasher(cost: 4).hash("agent-password"), displayName: "Agent")
            let agent = try #require(try await Self.signIn(client, email: "agent@demo.localhost", password: "agent-password")["accessToken"] as? String)
            let admin = try #require(try await Self.signIn(client)["accessToken"] as? String)
            let brandsBefore = try await Self.count("brands", database)
            let outboxBefore = try await Self.count("outbox", database)
            let body = ByteBuffer(string: #"{"name":"Nope","hostnames":["nope.localhost"]}"#)
            let attempts: [(HTTPFields, ByteBuffer, HTTPResponse.Status)] = [
                (Self.json, body, .unauthorized),
                ([.contentType: "application/json", .authorization: "Bearer \(agent)"], body, .forbidden),
                ([.contentType: "application/json", .authorization: "Bearer not.a.token"], body, .unauthorized),
                ([.contentType: "application/json", .authorization: "Bearer \(admin)"], ByteBuffer(string: #"{"name":"Copy","hostnames":["demo.localhost"]}"#), .conflict),
            ]
            for (headers, body, status) in attempts {
                try await client.execute(uri: "/api/v1/identity/brands", method: .post, headers: headers, body: body) { response in
                    #expect(response.status == status)
                    #expect(response.headers[.contentType] == Problem.mediaType)
                }
            }
            #expect(try await Self.count("brands", database) == brandsBefore)
            #expect(try await Self.count("outbox", database) == outboxBefore)
        }
    }

    @Test("A refresh token rotates on use and signing out revokes the session")
    func refreshAndSignOut() async throws {
        try await withIdentity { client, _ in
            let first = try await Self.signIn(client)
            let refresh = try #require(first["refreshToken"] as? String)
            let second: [String: Any] = try await client.execute(
                uri: "/api/v1/identity/sessions/refresh", method: .post, headers: Self.json,
                body: ByteBuffer(string: #"{"refreshToken":"\#(refresh)"}"#)
            ) { response in
                #expect(response.status == .created)
                return try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            }
            try await client.execute(
                uri: "/api/v1/identity/sessions/refresh", method: .post, headers: Self.json,
                body: ByteBuffer(string: #"{"refreshToken":"\#(refresh)"}"#)
            ) { response in #expect(response.status == .unauthorized) }
            let access = try #require(second["accessToken"] as? String)
            try await client.execute(uri: "/api/v1/identity/sessions/current", method: .delete, headers: [.authorization: "Bearer \(access)"]) { response in
                #expect(response.status == .noContent)
            }
            let newRefresh = try #require(second["refreshToken"] as? String)
            try await client.execute(
                uri: "/api/v1/identity/sessions/refresh", method: .post, headers: Self.json,
                body: ByteBuffer(string: #"{"refreshToken":"\#(newRefresh)"}"#)
            ) { response in #expect(response.status == .unauthorized) }
        }
    }

    @Test("The seeded administrator is announced as user.created, so that other services know them")
    func seededAdministratorIsAnnounced() async throws {
        try await withIdentity { _, database in
            let created = try await Self.lastEventData("user.created", database)
            #expect(created["email"] as? String == DemoSeed.administratorEmail)
            #expect(created["displayName"] as? String == "System Administrator")
        }
    }

    @Test("/me answers the signed-in principal with roles, scope and combined permissions; without a token 401")
    func me() async throws {
        try await withIdentity { client, _ in
            let token = try #require(try await Self.signIn(client)["accessToken"] as? String)
            try await client.execute(uri: "/api/v1/identity/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .ok)
                let me = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(me["email"] as? String == DemoSeed.administratorEmail)
                #expect(Set(me["roles"] as? [String] ?? []) == ["Everyone", "Administrator", "Agent"])
                #expect(me["scope"] as? String == "everything")
                let permissions = try #require((me["permissions"] as? [String: Any])?["actions"] as? [String: [String]])
                #expect(permissions["distribution"]?.contains("Transfer Work Items") == true)
            }
            try await client.execute(uri: "/api/v1/identity/me", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    static func send(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String? = nil,
        address: String? = nil, body: String
    ) async throws -> (HTTPResponse.Status, HTTPFields, [String: Any]) {
        var headers = json
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let address { headers[HTTPField.Name("X-Concierge-Client-Address")!] = address }
        return try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: body)) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any]
            return (response.status, response.headers, object ?? [:])
        }
    }

    @Test("Simultaneous changes of different security settings all stay; a stale If-Match is a 412 that changes nothing")
    func simultaneousSecurityChanges() async throws {
        try await withIdentity { client, _ in
            let admin = try #require(try await Self.signIn(client)["accessToken"] as? String)
            let path = "/api/v1/identity/settings/security"
            let changes = [
                #"{"lockoutMinutes":30}"#, #"{"requireSymbol":true}"#, #"{"requireNumbers":true}"#, #"{"maxFailedSignIns":7}"#,
                #"{"requireUppercase":true}"#, #"{"passwordMinimumLength":12}"#,
            ]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for change in changes {
                    group.addTask {
                        let (status, _, _) = try await Self.send(client, .patch, path, token: admin, body: change)
                        #expect(status == .ok, "\(change)")
                    }
                }
                try await group.waitForAll()
            }
            let (_, headers, settings) = try await Self.send(client, .get, path, token: admin, body: "")
            #expect(settings["lockoutMinutes"] as? Int == 30 && settings["maxFailedSignIns"] as? Int == 7 && settings["passwordMinimumLength"] as? Int == 12)
            #expect(settings["requireSymbol"] as? Bool == true && settings["requireNumbers"] as? Bool == true && settings["requireUppercase"] as? Bool == true)
            #expect(headers[.eTag] == "\"\(changes.count + 1)\"")
            let (stale, _, _) = try await Self.exchange(client, .patch, path, token: admin, headers: [.ifMatch: "\"1\""], bytes: Array(#"{"lockoutMinutes":5}"#.utf8))
            #expect(stale == .preconditionFailed)
        }
    }

    @Test("Registration applies the password policy: a weak password is a 422 naming the failed rule and writes nothing")
    func registrationPolicy() async throws {
        try await withIdentity { client, database in
            let admin = try #require(try await Self.signIn(client)["accessToken"] as? String)
            let (changed, _, _) = try await Self.send(client, .patch, "/api/v1/identity/settings/security", token: admin, body: #"{"requireNumbers":true,"passwordMinimumLength":10}"#)
            #expect(changed == .ok)
            let usersBefore = try await Self.count("users", database)
            let (weak, headers, problem) = try await Self.send(
                client, .post, "/api/v1/identity/registrations", body: #"{"email":"pat@customer.example","password":"nonumbers"\#(Self.solvedCaptcha())}"#)
            #expect(weak == .unprocessableContent)
            #expect(headers[.contentType] == Problem.mediaType)
            let messages = (problem["errors"] as? [[String: String]])?.compactMap { $0["message"] } ?? []
            #expect(messages == ["minimum-length: at least 10 characters", "numbers: a number"])
            #expect(try await Self.count("users", database) == usersBefore)
            let (created, _, user) = try await Self.send(
                client, .post, "/api/v1/identity/registrations", body: #"{"email":"pat@customer.example","password":"with-number-1"\#(Self.solvedCaptcha())}"#)
            #expect(created == .created)
            #expect(user["roles"] as? [String] == ["Everyone", "Registered User"])
            let (again, _, _) = try await Self.send(
                client, .post, "/api/v1/identity/registrations", body: #"{"email":"PAT@customer.example","password":"with-number-1"\#(Self.solvedCaptcha())}"#)
            #expect(again == .conflict)
            _ = try await Self.signIn(client, email: "pat@customer.example", password: "with-number-1")
        }
    }

    @Test("The tenth wrong password locks the account until a time the answer names; the right password fails until then")
    func accountLockout() async throws {
        try await withIdentity { client, _ in
            let wrong = #"{"email":"admin@demo.localhost","password":"not-the-password"}"#
            for _ in 1...9 {
                let (status, _, _) = try await Self.send(client, .post, "/api/v1/identity/sessions", body: wrong)
                #expect(status == .unauthorized)
            }
            let (locked, headers, problem) = try await Self.send(client, .post, "/api/v1/identity/sessions", body: wrong)
            #expect(locked.code == 423)
            #expect((problem["detail"] as? String)?.contains("locked until") == true)
            #expect(Int(headers[.retryAfter] ?? "") ?? 0 > 200)
            let right = #"{"email":"admin@demo.localhost","password":"concierge-admin"}"#
            let (stillLocked, _, _) = try await Self.send(client, .post, "/api/v1/identity/sessions", body: right)
            #expect(stillLocked.code == 423)
        }
    }

    @Test("An administrator releases a locked account at once")
    func administratorUnlocks() async throws {
        try await withIdentity { client, database in
            let admin = try #require(try await Self.signIn(client)["accessToken"] as? String)
            _ = try await OrganizationAPITests.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            let wrong = #"{"email":"agent@demo.localhost","password":"not-the-password"}"#
            for _ in 1...10 { _ = try await Self.send(client, .post, "/api/v1/identity/sessions", body: wrong) }
            let right = #"{"email":"agent@demo.localhost","password":"person-password"}"#
            let (locked, _, _) = try await Self.send(client, .post, "/api/v1/identity/sessions", body: right)
            #expect(locked.code == 423)
            let (notAdmin, _, _) = try await Self.send(
                client, .delete, "/api/v1/identity/settings/security/lockouts/agent@demo.localhost", token: nil, body: "")
            #expect(notAdmin == .unauthorized)
            let (released, _, _) = try await Self.send(
                client, .delete, "/api/v1/identity/settings/security/lockouts/Agent@demo.localhost", token: admin, body: "")
            #expect(released == .noContent)
            let (signedIn, _, _) = try await Self.send(client, .post, "/api/v1/identity/sessions", body: right)
            #expect(signedIn == .created)
        }
    }

    @Test("Failed sign-ins from one address over many accounts lock that address with 429, not other addresses")
    func addressLockout() async throws {
        try await withIdentity { client, _ in
            let admin = try #require(try await Self.signIn(client)["accessToken"] as? String)
            _ = try await Self.send(client, .patch, "/api/v1/identity/settings/security", token: admin, body: #"{"maxFailedSignInsPerAddress":3}"#)
            for (index, expected) in [HTTPResponse.Status.unauthorized, .unauthorized, .tooManyRequests].enumerated() {
                let (status, _, _) = try await Self.send(
                    client, .post, "/api/v1/identity/sessions", address: "192.0.2.7",
                    body: #"{"email":"guess\#(index)@demo.localhost","password":"guess-guess"}"#)
                #expect(status == expected)
            }
            let right = #"{"email":"admin@demo.localhost","password":"concierge-admin"}"#
            let (blocked, _, _) = try await Self.send(client, .post, "/api/v1/identity/sessions", address: "192.0.2.7", body: right)
            #expect(blocked == .tooManyRequests)
            let (elsewhere, _, _) = try await Self.send(client, .post, "/api/v1/identity/sessions", address: "198.51.100.1", body: right)
            #expect(elsewhere == .created)
        }
    }

    @Test("Security settings are for system administrators and reject out-of-range values")
    func securitySettings() async throws {
        try await withIdentity { client, _ in
            let admin = try #require(try await Self.signIn(client)["accessToken"] as? String)
            let (bad, _, _) = try await Self.send(client, .patch, "/api/v1/identity/settings/security", token: admin, body: #"{"lockoutMinutes":0}"#)
            #expect(bad == .unprocessableContent)
            let (anonymous, _, _) = try await Self.send(client, .patch, "/api/v1/identity/settings/security", body: #"{"lockoutMinutes":9}"#)
            #expect(anonymous == .unauthorized)
            let (ok, _, settings) = try await Self.send(client, .patch, "/api/v1/identity/settings/security", token: admin, body: #"{"lockoutMinutes":9}"#)
            #expect(ok == .ok)
            #expect(settings["lockoutMinutes"] as? Int == 9)
            #expect(settings["version"] as? Int == 2)
        }
    }

    @Test("The service serves its OpenAPI document")
    func openAPI() async throws {
        try await withIdentity { client, _ in
            try await client.execute(uri: "/api/v1/identity/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).hasPrefix("openapi: 3.1.0"))
            }
        }
    }

    @Test("The brand list pages by cursor")
    func brandPages() async throws {
        try await withIdentity { client, _ in
            let token = try #require(try await Self.signIn(client)["accessToken"] as? String)
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            let cursor: String = try await client.execute(uri: "/api/v1/identity/brands?limit=1", method: .get, headers: auth) { response in
                let page = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect((page["items"] as? [Any])?.count == 1)
                return try #require(page["nextCursor"] as? String)
            }
            try await client.execute(uri: "/api/v1/identity/brands?limit=1&cursor=\(cursor)", method: .get, headers: auth) { response in
                let page = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(((page["items"] as? [[String: Any]])?.first?["name"] as? String) == "Acme")
                #expect(page["nextCursor"] == nil)
            }
            let foreign = Cursor(keys: ["acme", UUID().uuidString]).encoded
            try await client.execute(uri: "/api/v1/identity/brands?limit=1&cursor=\(foreign)", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/api/v1/identity/brands?limit=0", method: .get, headers: auth) { response in
                #expect(response.status == .unprocessableContent)
            }
        }
    }
}

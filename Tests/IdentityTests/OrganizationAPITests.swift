import Auth
import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import IdentityApp
import PostgresNIO
import ServiceKit
import Testing
import TestSupport

@Suite("Organizations", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct OrganizationAPITests {
    let api = IdentityAPITests()

    static func person(_ client: any TestClientProtocol, _ database: Database, _ email: String, roles: [String]) async throws -> String {
        let users = UserRepository(database: database)
        let id = try await users.createUser(email: email, passwordHash: try await PasswordHasher(cost: 4).hash("person-password"), displayName: email)
        try await users.grant(roles, to: id)
        return try #require(try await IdentityAPITests.signIn(client, email: email, password: "person-password")["accessToken"] as? String)
    }

    @Test("The Users/Organizations permission decides: agents create and edit but may not delete, registered users may not read, administrators delete")
    func permissions() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let agent = try await Self.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            let customer = try await Self.person(client, database, "customer@customer.example", roles: [PredefinedRoles.registeredUser])
            let (created, _, organization) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/organizations", token: agent, body: #"{"name":"Vandelay Industries","city":"New York"}"#)
            #expect(created == .created)
            let id = try #require(organization["id"] as? String)
            let (edited, _, changed) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/organizations/\(id)", token: agent, body: #"{"phone":"+1 212 555 0100"}"#)
            #expect(edited == .ok)
            #expect(changed["city"] as? String == "New York")
            for website in ["<script>alert(1)</script>", "../../etc", "javascript:alert(1)"] {
                let (refused, _, _) = try await IdentityAPITests.send(
                    client, .patch, "/api/v1/identity/organizations/\(id)", token: agent, body: #"{"website":"\#(website)"}"#)
                #expect(refused == .unprocessableContent, "\(website)")
            }
            let (linked, _, withSite) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/organizations/\(id)", token: agent, body: #"{"website":"https://vandelay.example"}"#)
            #expect(linked == .ok && withSite["website"] as? String == "https://vandelay.example")
            _ = try await IdentityAPITests.send(client, .post, "/api/v1/identity/organizations", token: agent, body: #"{"name":"Acme Corp"}"#)
            _ = try await IdentityAPITests.send(client, .post, "/api/v1/identity/organizations", token: agent, body: #"{"name":"bluth company"}"#)
            let named = try await walkPages { cursor in
                let (_, _, page) = try await IdentityAPITests.send(
                    client, .get, "/api/v1/identity/organizations?limit=1" + (cursor.map { "&cursor=\($0)" } ?? ""), token: agent, body: "")
                return ((page["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? [], page["nextCursor"] as? String)
            }
            #expect(named == ["Acme Corp", "bluth company", "Vandelay Industries"], "by name whatever its case, one a page")
            let (filtered, _, page) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/organizations?query=vand", token: agent, body: "")
            #expect(filtered == .ok)
            #expect((page["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Vandelay Industries"])
            let (read, _, _) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/organizations", token: customer, body: "")
            #expect(read == .forbidden)
            let (agentDelete, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/organizations/\(id)", token: agent, body: "")
            #expect(agentDelete == .forbidden, "agents may not delete organizations by default")
            let (adminDelete, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/organizations/\(id)", token: admin, body: "")
            #expect(adminDelete == .noContent)
            let (duplicateName, _, _) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/organizations", token: agent, body: #"{"name":""}"#)
            #expect(duplicateName == .unprocessableContent)
        }
    }

    @Test("Simultaneous edits of an organization's fields and members all stay, each a version its event carries; a stale If-Match is a 412 that changes nothing")
    func simultaneousEdits() async throws {
        try await api.withIdentity { client, database in
            let agent = try await Self.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            let (_, headers, organization) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/organizations", token: agent, body: #"{"name":"Vandelay Industries"}"#)
            let id = try #require(organization["id"] as? String)
            #expect(headers[.eTag] == "\"1\"")
            let fields = ["phone", "city", "state", "country", "address1", "address2", "postalCode", "employees"]
            let domains = (1...4).map { "vandelay\($0).example" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for field in fields {
                    group.addTask {
                        let (status, _, _) = try await IdentityAPITests.send(
                            client, .patch, "/api/v1/identity/organizations/\(id)", token: agent, body: #"{"\#(field)":"value of \#(field)"}"#)
                        #expect(status == .ok)
                    }
                }
                for domain in domains {
                    group.addTask {
                        let (status, _, _) = try await IdentityAPITests.send(
                            client, .post, "/api/v1/identity/organizations/\(id)/members", token: agent, body: #"{"kind":"domain","value":"\#(domain)"}"#)
                        #expect(status == .created)
                    }
                }
                try await group.waitForAll()
            }
            let (_, readHeaders, read) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/organizations/\(id)", token: agent, body: "")
            for field in fields { #expect(read[field] as? String == "value of \(field)", "\(field) kept") }
            #expect(readHeaders[.eTag] == "\"\(fields.count + domains.count + 1)\"", "each change, of a field or a member, is a version")
            let newest = try await IdentityAPITests.lastEventData("organization.member_added", database)
            let versions = [try await IdentityAPITests.lastEventData("organization.updated", database)["version"] as? Int, newest["version"] as? Int]
            #expect(versions.compactMap { $0 }.max() == fields.count + domains.count + 1, "the newest event carries the newest version")
            let announced = Set(((newest["members"] as? [[String: Any]]) ?? []).compactMap { $0["value"] as? String })
            #expect(announced == Set(domains), "the last member change's event names every member")
            let (stale, _, _) = try await IdentityAPITests.exchange(
                client, .patch, "/api/v1/identity/organizations/\(id)", token: agent, headers: [.ifMatch: "\"1\""], bytes: Array(#"{"city":"Paris"}"#.utf8))
            #expect(stale == .preconditionFailed)
            let (_, _, after) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/organizations/\(id)", token: agent, body: "")
            #expect(after["city"] as? String == "value of city")
        }
    }

    @Test("An organization's address and domain members read their users on the indexes, not every user")
    func matchedUsersReadTheirUsers() async throws {
        try await api.withIdentity { client, database in
            _ = try await Self.person(client, database, "seed@vandelay.example", roles: [PredefinedRoles.registeredUser])
            let users = database.table("users")
            try await database.copyRows(
                of: users, where: "r.email = 'seed@vandelay.example'", copies: 20_000,
                changing: ["email": "'person' || n || '@company' || (n % 500) || '.example'"])
            let members = [OrganizationMember(kind: .email, value: "person7@company7.example"), OrganizationMember(kind: .domain, value: "vandelay.example")]
            let (sql, _) = try #require(OrganizationRepository.matchedUsersQuery(members, users: users))
            let plan = try await QueryPlan.explain(sql, values: ["ARRAY['person7@company7.example']", "ARRAY['vandelay.example']"], on: database)
            let read = try plan.rowsRead(from: "users")
            #expect(read <= 10, "two matching users of 20,001 read \(read) user rows")
            #expect(OrganizationRepository.matchedUsersQuery([], users: users) == nil, "no members, no users")
        }
    }

    @Test("Member filters select users by email and domain when asked; phone members cannot see organization tickets")
    func memberFilters() async throws {
        try await api.withIdentity { client, database in
            let agent = try await Self.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            for email in ["lee@customer.example", "pat@other.example", "x@elsewhere.example"] {
                _ = try await UserRepository(database: database).createUser(email: email, passwordHash: "unused", displayName: email)
            }
            let (_, _, organization) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/organizations", token: agent, body: #"{"name":"Customer Co"}"#)
            let id = try #require(organization["id"] as? String)
            let path = "/api/v1/identity/organizations/\(id)/members"
            let (domain, _, withDomain) = try await IdentityAPITests.send(client, .post, path, token: agent, body: #"{"kind":"domain","value":"@Customer.Example"}"#)
            #expect(domain == .created)
            #expect((withDomain["members"] as? [[String: Any]])?.first?["value"] as? String == "customer.example")
            let (email, _, _) = try await IdentityAPITests.send(
                client, .post, path, token: agent, body: #"{"kind":"email","value":"Pat@Other.example","viewOrganizationTickets":true}"#)
            #expect(email == .created)
            let (again, _, _) = try await IdentityAPITests.send(client, .post, path, token: agent, body: #"{"kind":"email","value":"pat@other.example"}"#)
            #expect(again == .conflict)
            let (phoneTab, _, _) = try await IdentityAPITests.send(
                client, .post, path, token: agent, body: #"{"kind":"phone","value":"(623) 434-8050","viewOrganizationTickets":true}"#)
            #expect(phoneTab == .unprocessableContent)
            let (phone, _, withPhone) = try await IdentityAPITests.send(client, .post, path, token: agent, body: #"{"kind":"phone","value":"(623) 434-8050"}"#)
            #expect(phone == .created)
            #expect((withPhone["members"] as? [[String: Any]])?.contains { $0["value"] as? String == "6234348050" } == true)
            let (_, _, users) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/organizations/\(id)/users", token: agent, body: "")
            #expect((users["items"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["lee@customer.example", "pat@other.example"])
            let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT payload FROM identity.outbox ORDER BY id"))
            var types: [String] = []
            for try await payload in rows.decode(ByteBuffer.self) { types.append(try CloudEventCoding.decodeHeader(Array(buffer: payload)).type) }
            #expect(types.filter { $0.hasPrefix("organization.") } == [
                "organization.created", "organization.member_added", "organization.member_added", "organization.member_added",
            ])
        }
    }

    @Test("A phone member selects the users whose Contact Info holds the number however it is written, and user.updated carries the numbers")
    func phoneMembers() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let users = UserRepository(database: database)
            let caller = try await users.createUser(email: "pat@caller.example", passwordHash: "unused", displayName: "Pat")
            _ = try await users.createUser(email: "sam@other.example", passwordHash: "unused", displayName: "Sam")
            let path = "/api/v1/identity/users/\(caller.uuidString.lowercased())"
            let (_, current, _) = try await IdentityAPITests.send(client, .get, path, token: admin, body: "")
            let (saved, _, _) = try await IdentityAPITests.exchange(
                client, .patch, path, token: admin, headers: [.ifMatch: try #require(current[.eTag])],
                bytes: Array(#"{"profile":{"contact":{"cellPhone":"623.434.8050","workPhone":"(623) 434-8050","otherPhone":"+49 30 123456"}}}"#.utf8))
            #expect(saved == .ok)
            let changed = try await IdentityAPITests.lastEventData("user.updated", database)
            #expect(changed["phones"] as? [String] == ["6234348050", "+4930123456"])

            let (_, _, organization) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/organizations", token: admin, body: #"{"name":"Callers"}"#)
            let id = try #require(organization["id"] as? String)
            let (added, _, _) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/organizations/\(id)/members", token: admin, body: #"{"kind":"phone","value":"623-434-8050"}"#)
            #expect(added == .created)
            let (_, _, members) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/organizations/\(id)/users", token: admin, body: "")
            #expect((members["items"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["pat@caller.example"])
        }
    }
}

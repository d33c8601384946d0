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

@Suite("Company structure and agent status", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct StructureAPITests {
    let api = IdentityAPITests()

    /// Two departments, each with its front-line group; an agent and a manager in A, an agent in B.
    struct Company {
        var admin: String
        var departmentA: String
        var departmentB: String
        var groupA: String
        var groupB: String
        var agentA: (id: String, token: String)
        var managerA: (id: String, token: String)
        var agentB: (id: String, token: String)
    }

    static func company(_ client: any TestClientProtocol, _ database: Database) async throws -> Company {
        let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
        let brand = try #require(try await BrandRepository(database: database).find(hostname: "demo.localhost"))
        var departments: [(String, String)] = []
        for name in ["Sales", "Support"] {
            let (status, _, department) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/departments", token: admin,
                body: #"{"brandID":"\#(brand.id.uuidString)","name":"\#(name)","emailAddress":"\#(name.lowercased())@demo.localhost"}"#)
            #expect(status == .created)
            departments.append((try #require(department["id"] as? String), try #require(department["frontLineGroupID"] as? String)))
        }
        let users = UserRepository(database: database)
        let hasher = PasswordHasher(cost: 4)
        func person(_ email: String, roles: [String], group: String) async throws -> (String, String) {
            let id = try await users.createUser(email: email, passwordHash: try await hasher.hash("person-password"), displayName: email)
            try await users.grant(roles, to: id)
            let (status, _, _) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/groups/\(group)/members/\(id.uuidString.lowercased())", token: admin,
                body: #"{"ticketHandling":"primary","chatHandling":"pull","maxTickets":5}"#)
            #expect(status == .ok)
            let token = try #require(try await IdentityAPITests.signIn(client, email: email, password: "person-password")["accessToken"] as? String)
            return (id.uuidString.lowercased(), token)
        }
        return Company(
            admin: admin, departmentA: departments[0].0, departmentB: departments[1].0, groupA: departments[0].1, groupB: departments[1].1,
            agentA: try await person("agent.a@demo.localhost", roles: ["Agent"], group: departments[0].1),
            managerA: try await person("manager.a@demo.localhost", roles: ["Agent", "Manager"], group: departments[0].1),
            agentB: try await person("agent.b@demo.localhost", roles: ["Agent"], group: departments[1].1))
    }

    @Test("A department is created with its front-line group, and only administrators create them")
    func departmentHasFrontLineGroup() async throws {
        try await api.withIdentity { client, database in
            let company = try await Self.company(client, database)
            let (status, _, groups) = try await IdentityAPITests.send(
                client, .get, "/api/v1/identity/departments/\(company.departmentA)/groups", token: company.admin, body: "")
            #expect(status == .ok)
            let items = try #require(groups["items"] as? [[String: Any]])
            #expect(items.map { $0["name"] as? String } == ["Sales Front Line"])
            #expect(items.first?["id"] as? String == company.groupA)
            let (forbidden, _, _) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/departments", token: company.managerA.token, body: #"{"brandID":"x","name":"Nope"}"#)
            #expect(forbidden == .forbidden)
        }
    }

    @Test("An agent of department A cannot read department B's groups or agents; a manager reads their own departments' agents")
    func departmentBoundaries() async throws {
        try await api.withIdentity { client, database in
            let c = try await Self.company(client, database)
            let (_, _, visible) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/departments", token: c.agentA.token, body: "")
            #expect((visible["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Sales"])
            let denied: [(String, String)] = [
                (c.agentA.token, "/api/v1/identity/departments/\(c.departmentB)/groups"),
                (c.agentA.token, "/api/v1/identity/groups/\(c.groupB)/members"),
                (c.agentA.token, "/api/v1/identity/agents/\(c.agentB.id)/status"),
                (c.managerA.token, "/api/v1/identity/groups/\(c.groupB)/members"),
            ]
            for (token, path) in denied {
                let (status, _, _) = try await IdentityAPITests.send(client, .get, path, token: token, body: "")
                #expect(status == .forbidden, "\(path)")
            }
            let (members, _, list) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/groups/\(c.groupA)/members", token: c.managerA.token, body: "")
            #expect(members == .ok)
            #expect(Set((list["items"] as? [[String: Any]])?.compactMap { $0["userID"] as? String } ?? []) == [c.agentA.id, c.managerA.id])
            let (status, _, _) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/agents/\(c.agentA.id)/status", token: c.managerA.token, body: "")
            #expect(status == .ok)
        }
    }

    @Test("Status changes by the agent and by a manager are agent.status_changed events; others are refused")
    func statusChanges() async throws {
        try await api.withIdentity { client, database in
            let c = try await Self.company(client, database)
            let path = "/api/v1/identity/agents/\(c.agentA.id)/status"
            let (own, _, ownEvent) = try await IdentityAPITests.send(
                client, .put, path, token: c.agentA.token, body: #"{"groupID":"\#(c.groupA)","channel":"tickets","active":true}"#)
            #expect(own == .ok)
            #expect(ownEvent["changedBy"] as? String == c.agentA.id)
            let (byManager, _, managerEvent) = try await IdentityAPITests.send(
                client, .put, path, token: c.managerA.token, body: #"{"groupID":"\#(c.groupA)","channel":"chats","active":true}"#)
            #expect(byManager == .ok)
            #expect(managerEvent["changedBy"] as? String == c.managerA.id)
            let (byOther, _, _) = try await IdentityAPITests.send(
                client, .put, path, token: c.agentB.token, body: #"{"groupID":"\#(c.groupA)","channel":"chats","active":false}"#)
            #expect(byOther == .forbidden)
            let (availability, _, _) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/agents/\(c.agentA.id)/availability", token: c.agentA.token, body: #"{"available":false}"#)
            #expect(availability == .ok)
            let (_, _, status) = try await IdentityAPITests.send(client, .get, path, token: c.agentA.token, body: "")
            let membership = try #require((status["items"] as? [[String: Any]])?.first)
            #expect(membership["ticketsActive"] as? Bool == true)
            #expect(membership["chatsActive"] as? Bool == true)
            #expect(membership["chatHandling"] as? String == "pull")
            let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT payload FROM identity.outbox ORDER BY id"))
            var changes: [AgentStatusChanged] = []
            for try await payload in rows.decode(ByteBuffer.self) {
                let bytes = Array(buffer: payload)
                if try CloudEventCoding.decodeHeader(bytes).type == "agent.status_changed" {
                    changes.append(try CloudEventCoding.decode(AgentStatusChanged.self, from: bytes).data)
                }
            }
            #expect(changes.map(\.changedBy) == [c.agentA.id, c.managerA.id])
            #expect(changes.map(\.channel) == [.tickets, .chats])
        }
    }

    @Test("Without Manage Agent Status an agent cannot set their own status")
    func manageAgentStatusPermission() async throws {
        try await api.withIdentity { client, database in
            let c = try await Self.company(client, database)
            var grants = try #require(PredefinedRoles.named(PredefinedRoles.agent)).grants
            grants[.distribution] = .custom(["Transfer Work Items"])
            _ = try await RoleRepository(database: database).create(name: "Agent without status", type: .employee, grants: grants)
            let (assigned, _, _) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/users/\(c.agentA.id)/roles", token: c.admin, body: #"{"roles":["Agent without status"]}"#)
            #expect(assigned == .noContent)
            let token = try #require(try await IdentityAPITests.signIn(client, email: "agent.a@demo.localhost", password: "person-password")["accessToken"] as? String)
            let (status, _, _) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/agents/\(c.agentA.id)/status", token: token,
                body: #"{"groupID":"\#(c.groupA)","channel":"tickets","active":true}"#)
            #expect(status == .forbidden)
        }
    }

    @Test("Signing in makes an agent Active where the group says go active upon login, and publishes agent.signed_in; signing out agent.signed_out, saying whether another session is still open")
    func goActiveOnLogin() async throws {
        try await api.withIdentity { client, database in
            let c = try await Self.company(client, database)
            let (changed, _, membership) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/groups/\(c.groupA)/members/\(c.agentA.id)", token: c.admin,
                body: #"{"ticketHandling":"primary","goActiveOnLogin":true,"excludedChannels":["chats"],"autoInactiveMinutes":30}"#)
            #expect(changed == .ok)
            #expect(membership["goActiveOnLogin"] as? Bool == true)
            #expect(membership["autoInactiveMinutes"] as? Int == 30)
            let session = try await IdentityAPITests.signIn(client, email: "agent.a@demo.localhost", password: "person-password")
            let (_, _, status) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/agents/\(c.agentA.id)/status", token: c.admin, body: "")
            let groupA = (status["items"] as? [[String: Any]])?.first { $0["groupID"] as? String == c.groupA }
            #expect(groupA?["ticketsActive"] as? Bool == true)
            #expect(groupA?["chatsActive"] as? Bool == false, "an excluded channel stays off")
            let activated = try await IdentityAPITests.lastEventData("agent.status_changed", database)
            #expect(activated["userID"] as? String == c.agentA.id)
            #expect(activated["channel"] as? String == "tickets")
            #expect(try await IdentityAPITests.lastEventData("agent.signed_in", database)["groupIDs"] as? [String] == [c.groupA])
            let (signedOut, _, _) = try await IdentityAPITests.send(
                client, .delete, "/api/v1/identity/sessions/current?handOff=true", token: session["accessToken"] as? String, body: "")
            #expect(signedOut == .noContent)
            let signedOutEvent = try await IdentityAPITests.lastEventData("agent.signed_out", database)
            #expect(signedOutEvent["userID"] as? String == c.agentA.id)
            #expect(signedOutEvent["handOff"] as? Bool == true, "the agent chose to hand off their tickets")
            #expect(signedOutEvent["stillSignedIn"] as? Bool == true, "the session the setup opened is still open")

            let again = try await IdentityAPITests.signIn(client, email: "agent.a@demo.localhost", password: "person-password")
            for (token, stillSignedIn) in [(c.agentA.token, true), (again["accessToken"] as? String, false)] {
                let (ended, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/sessions/current", token: token, body: "")
                #expect(ended == .noContent)
                #expect(try await IdentityAPITests.lastEventData("agent.signed_out", database)["stillSignedIn"] as? Bool == stillSignedIn)
            }
        }
    }

    @Test("An agent whose sessions all went unrefreshed for the idle time is signed out once (agent.signed_out), and signed in again when a session is refreshed")
    func idleSessionsSignOut() async throws {
        let now = Date()
        #expect(IdleSignOut.keepsSignedIn(refreshedAt: now.addingTimeInterval(-59 * 60), idleMinutes: 60, now: now))
        #expect(!IdleSignOut.keepsSignedIn(refreshedAt: now.addingTimeInterval(-60 * 60), idleMinutes: 60, now: now))
        try await api.withIdentity { client, database in
            let c = try await Self.company(client, database)
            let session = try await IdentityAPITests.signIn(client, email: "agent.a@demo.localhost", password: "person-password")
            let structure = StructureRepository(database: database)
            #expect(try await structure.signOutIdleAgents(idleMinutes: 60) == 0, "every user of the company just signed in")
            let before = try await IdentityAPITests.eventCount("agent.signed_out", database)
            var binds = PostgresBindings()
            binds.append(UUID(uuidString: c.agentA.id))
            try await database.client.query(PostgresQuery(
                unsafeSQL: "UPDATE \(database.table("sessions")) SET refreshed_at = now() - interval '61 minutes' WHERE user_id = $1", binds: binds)
            ).consume()
            #expect(try await structure.signOutIdleAgents(idleMinutes: 60) == 1)
            let event = try await IdentityAPITests.lastEventData("agent.signed_out", database)
            #expect(event["userID"] as? String == c.agentA.id && event["stillSignedIn"] as? Bool == false && event["groupIDs"] as? [String] == [c.groupA])
            #expect(try await structure.signOutIdleAgents(idleMinutes: 60) == 0, "announced once")
            #expect(try await IdentityAPITests.eventCount("agent.signed_out", database) == before + 1)

            let signedInBefore = try await IdentityAPITests.eventCount("agent.signed_in", database)
            let statusChanges = try await IdentityAPITests.eventCount("agent.status_changed", database)
            let (refreshed, _, _) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/sessions/refresh", body: #"{"refreshToken":"\#(try #require(session["refreshToken"] as? String))"}"#)
            #expect(refreshed == .created)
            #expect(try await IdentityAPITests.eventCount("agent.signed_in", database) == signedInBefore + 1, "back: signed in again")
            #expect(try await IdentityAPITests.eventCount("agent.status_changed", database) == statusChanges, "a refresh is no sign-in: no go Active upon login")
            try await structure.resumed(try #require(UUID(uuidString: c.agentA.id)))
            #expect(try await IdentityAPITests.eventCount("agent.signed_in", database) == signedInBefore + 1, "announced once, however many sessions refresh")
            #expect(try await structure.signOutIdleAgents(idleMinutes: 60) == 0, "the refreshed session keeps them signed in")
            let users = UserRepository(database: database)
            let customer = try await users.createUser(
                email: "customer@customer.example", passwordHash: try await PasswordHasher(cost: 4).hash("customer-password"), displayName: "Lee")
            #expect(try await IdentityAPITests.signIn(client, email: "customer@customer.example", password: "customer-password")["accessToken"] != nil)
            var customerBinds = PostgresBindings()
            customerBinds.append(customer)
            try await database.client.query(PostgresQuery(
                unsafeSQL: "UPDATE \(database.table("sessions")) SET refreshed_at = now() - interval '2 hours' WHERE user_id = $1", binds: customerBinds)
            ).consume()
            #expect(try await structure.signOutIdleAgents(idleMinutes: 60) == 0, "users in no group are not tracked")
        }
    }

    @Test("An agent idle past the group's Auto-Inactive minutes goes inactive there, announced with the hand-off; activity keeps them active")
    func autoInactive() async throws {
        let now = Date()
        #expect(AutoInactive.isDue(lastActivity: now.addingTimeInterval(-1_801), minutes: 30, now: now))
        #expect(!AutoInactive.isDue(lastActivity: now.addingTimeInterval(-60), minutes: 30, now: now))
        #expect(AutoInactive.isDue(lastActivity: nil, minutes: 30, now: now))
        try await api.withIdentity { client, database in
            let c = try await Self.company(client, database)
            let (changed, _, _) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/groups/\(c.groupA)/members/\(c.agentA.id)", token: c.admin,
                body: #"{"ticketHandling":"primary","autoInactiveMinutes":30,"handOffOnAutoInactive":true}"#)
            #expect(changed == .ok)
            let (active, _, _) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/agents/\(c.agentA.id)/status", token: c.admin, body: #"{"groupID":"\#(c.groupA)","channel":"tickets","active":true}"#)
            #expect(active == .ok)
            let (noted, _, _) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/me/activity", token: c.agentA.token, body: "")
            #expect(noted == .noContent)
            let structure = StructureRepository(database: database)
            #expect(try await structure.autoInactivate() == 0, "the agent just worked")

            var binds = PostgresBindings()
            binds.append(UUID(uuidString: c.agentA.id))
            try await database.client.query(
                PostgresQuery(unsafeSQL: "UPDATE \(database.table("users")) SET last_activity_at = now() - interval '31 minutes' WHERE id = $1", binds: binds)
            ).consume()
            #expect(try await structure.autoInactivate() == 1)
            let event = try await IdentityAPITests.lastEventData("agent.status_changed", database)
            #expect(event["userID"] as? String == c.agentA.id && event["active"] as? Bool == false)
            #expect(event["changedBy"] as? String == "auto-inactive" && event["handOff"] as? Bool == true)
            let (_, _, status) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/agents/\(c.agentA.id)/status", token: c.admin, body: "")
            let groupA = (status["items"] as? [[String: Any]])?.first { $0["groupID"] as? String == c.groupA }
            #expect(groupA?["ticketsActive"] as? Bool == false)
            #expect(try await structure.autoInactivate() == 0, "an inactive agent is not inactivated again")
        }
    }

    @Test("An administrator removes an agent from a group, announced as agent.membership_removed; a user left without an employee role leaves every group")
    func removeMembership() async throws {
        try await api.withIdentity { client, database in
            let c = try await Self.company(client, database)
            let path = "/api/v1/identity/groups/\(c.groupA)/members/\(c.agentA.id)"
            #expect(try await IdentityAPITests.send(client, .delete, path, token: c.managerA.token, body: "").0 == .forbidden)
            #expect(try await IdentityAPITests.send(client, .delete, path, token: c.admin, body: "").0 == .noContent)
            let removed = try await IdentityAPITests.lastEventData("agent.membership_removed", database)
            #expect(removed["userID"] as? String == c.agentA.id)
            #expect(removed["groupID"] as? String == c.groupA && removed["departmentID"] as? String == c.departmentA)
            let (_, _, status) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/agents/\(c.agentA.id)/status", token: c.admin, body: "")
            #expect((status["items"] as? [[String: Any]])?.isEmpty == true)
            let (again, _, problem) = try await IdentityAPITests.send(client, .delete, path, token: c.admin, body: "")
            #expect(again == .notFound && problem["detail"] as? String == "The agent is not a member of this group.")

            let (kept, _, _) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/users/\(c.managerA.id)/roles", token: c.admin, body: #"{"roles":["Administrator"]}"#)
            #expect(kept == .noContent)
            #expect(try await StructureRepository(database: database).memberships(of: try #require(UUID(uuidString: c.managerA.id))).count == 1,
                "without Agent but with another employee role: still in the group")
            let (demoted, _, _) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/users/\(c.managerA.id)/roles", token: c.admin, body: #"{"roles":["Registered User"]}"#)
            #expect(demoted == .noContent)
            #expect(try await StructureRepository(database: database).memberships(of: try #require(UUID(uuidString: c.managerA.id))).isEmpty)
            let left = try await IdentityAPITests.lastEventData("agent.membership_removed", database)
            #expect(left["userID"] as? String == c.managerA.id && left["groupID"] as? String == c.groupA)
        }
    }

    @Test("A role renamed or deleted is announced to its holders as user.roles_changed; one whose only employee role was deleted leaves every group")
    func deletedRoleLeavesGroups() async throws {
        try await api.withIdentity { client, database in
            let c = try await Self.company(client, database)
            let (created, _, role) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/roles", token: c.admin,
                body: #"{"name":"Night shift","type":"employee","grants":{"tickets":{"level":"full-control","customOptions":[]}}}"#)
            #expect(created == .created)
            let roleID = try #require(role["id"] as? String)
            let rolesPath = "/api/v1/identity/users/\(c.agentA.id)/roles"
            #expect(try await IdentityAPITests.send(client, .put, rolesPath, token: c.admin, body: #"{"roles":["Night shift"]}"#).0 == .noContent)
            let agentA = try #require(UUID(uuidString: c.agentA.id))
            #expect(try await StructureRepository(database: database).memberships(of: agentA).count == 1, "a custom employee role keeps the group")

            let (renamed, _, _) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/roles/\(roleID)", token: c.admin, body: #"{"name":"Late shift"}"#)
            #expect(renamed == .ok)
            let announced = try await IdentityAPITests.lastEventData("user.roles_changed", database)
            #expect(announced["userID"] as? String == c.agentA.id && announced["roles"] as? [String] == ["Everyone", "Late shift"])

            #expect(try await IdentityAPITests.send(client, .delete, "/api/v1/identity/roles/\(roleID)", token: c.admin, body: "").0 == .noContent)
            let changed = try await IdentityAPITests.lastEventData("user.roles_changed", database)
            #expect(changed["userID"] as? String == c.agentA.id && changed["roles"] as? [String] == ["Everyone"])
            #expect(try await StructureRepository(database: database).memberships(of: agentA).isEmpty)
            let left = try await IdentityAPITests.lastEventData("agent.membership_removed", database)
            #expect(left["userID"] as? String == c.agentA.id && left["groupID"] as? String == c.groupA)
        }
    }
}

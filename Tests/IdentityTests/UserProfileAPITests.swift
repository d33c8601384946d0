import Auth
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import IdentityApp
import Testing
import TestSupport

@Suite("Users: profiles, people fields, comments and deletion", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct UserProfileAPITests {
    let api = IdentityAPITests()

    static func id(of token: String, _ client: any TestClientProtocol) async throws -> String {
        let (_, _, me) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/me", token: token, body: "")
        return try #require(me["userID"] as? String)
    }

    @Test("A portal user reads only their own profile; an agent reads any user")
    func readingProfiles() async throws {
        try await api.withIdentity { client, database in
            let customer = try await OrganizationAPITests.person(client, database, "lee@customer.example", roles: [PredefinedRoles.registeredUser])
            let other = try await OrganizationAPITests.person(client, database, "pat@customer.example", roles: [PredefinedRoles.registeredUser])
            let agent = try await OrganizationAPITests.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            let customerID = try await Self.id(of: customer, client)
            let otherID = try await Self.id(of: other, client)
            let (own, headers, profile) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users/\(customerID)", token: customer, body: "")
            #expect(own == .ok)
            #expect(headers[.eTag] == "\"1\"")
            #expect(profile["email"] as? String == "lee@customer.example")
            #expect((profile["profile"] as? [String: Any])?["maxActiveLiveChats"] as? Int == 1, "the documented default")
            let (foreign, _, _) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users/\(otherID)", token: customer, body: "")
            #expect(foreign == .forbidden)
            let (list, _, _) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users", token: customer, body: "")
            #expect(list == .forbidden)
            let (byAgent, _, _) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users/\(otherID)", token: agent, body: "")
            #expect(byAgent == .ok)
            let (search, _, found) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users?query=PAT&limit=5", token: agent, body: "")
            #expect(search == .ok)
            #expect((found["items"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["pat@customer.example"])
            let (agents, _, withRole) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users?role=Agent", token: agent, body: "")
            #expect(agents == .ok)
            #expect(Set((withRole["items"] as? [[String: Any]])?.compactMap { $0["email"] as? String } ?? [])
                == ["admin@demo.localhost", "agent@demo.localhost"])
        }
    }

    @Test("Another employee's account is an administrator's to change: an agent changes a customer's and their own, not an administrator's or another agent's")
    func employeesAccounts() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let agent = try await OrganizationAPITests.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            let colleague = try await OrganizationAPITests.person(client, database, "colleague@demo.localhost", roles: [PredefinedRoles.agent])
            let customer = try await OrganizationAPITests.person(client, database, "lee@customer.example", roles: [PredefinedRoles.registeredUser])
            let (adminID, agentID, colleagueID, customerID) = (
                try await Self.id(of: admin, client), try await Self.id(of: agent, client), try await Self.id(of: colleague, client),
                try await Self.id(of: customer, client))
            for (target, body) in [(adminID, #"{"displayName":"Taken"}"#), (adminID, #"{"email":"mine@attacker.example"}"#), (colleagueID, #"{"email":"moved@example.com"}"#)] {
                let (status, headers, _) = try await IdentityAPITests.send(client, .patch, "/api/v1/identity/users/\(target)", token: agent, body: body)
                #expect(status == .forbidden && headers[.contentType] == "application/problem+json", "\(body)")
            }
            let (_, _, unchanged) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users/\(adminID)", token: admin, body: "")
            #expect(unchanged["email"] as? String == "admin@demo.localhost" && unchanged["displayName"] as? String != "Taken", "nothing written")
            let (avatar, _, _) = try await IdentityAPITests.send(client, .put, "/api/v1/identity/users/\(adminID)/avatar", token: agent, body: "png")
            #expect(avatar == .forbidden)
            let (theirs, _, _) = try await IdentityAPITests.send(client, .patch, "/api/v1/identity/users/\(customerID)", token: agent, body: #"{"displayName":"Lee"}"#)
            #expect(theirs == .ok, "a customer's account is theirs to change with Edit User/Organization")
            let (own, _, _) = try await IdentityAPITests.send(client, .patch, "/api/v1/identity/users/\(agentID)", token: agent, body: #"{"displayName":"Me"}"#)
            #expect(own == .ok)
            let (byAdmin, _, _) = try await IdentityAPITests.send(client, .patch, "/api/v1/identity/users/\(colleagueID)", token: admin, body: #"{"displayName":"Col"}"#)
            #expect(byAdmin == .ok)
        }
    }

    @Test("A portal's Permissions hold its users changing their own account: display name, email address, password and avatar only while allowed; employees are not held")
    func portalPermissions() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let agent = try await OrganizationAPITests.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            let customer = try await OrganizationAPITests.person(client, database, "lee@customer.example", roles: [PredefinedRoles.registeredUser])
            let (agentID, customerID) = (try await Self.id(of: agent, client), try await Self.id(of: customer, client))
            let brand = try #require(try await BrandRepository(database: database).find(hostname: "demo.localhost")).id.uuidString.lowercased()
            func send(_ method: HTTPRequest.Method, _ path: String, _ token: String, _ body: String) async throws -> HTTPResponse.Status {
                try await IdentityAPITests.exchange(
                    client, method, "/api/v1/identity/\(path)", token: token, headers: [HTTPField.Name("X-Concierge-Brand-Id")!: brand], bytes: Array(body.utf8)).0
            }
            #expect(try await send(.put, "users/\(customerID)/avatar", customer, "png") == .forbidden, "custom avatars are off by default")
            let (closed, _, _) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/brands/\(brand)/settings", token: admin,
                body: #"{"permissions":{"usersCanChangeDisplayName":false,"usersCanChangeEmailAddress":false,"usersCanChangePassword":false}}"#)
            #expect(closed == .ok)
            #expect(try await send(.patch, "users/\(customerID)", customer, #"{"displayName":"Lee"}"#) == .forbidden)
            #expect(try await send(.patch, "users/\(customerID)", customer, #"{"email":"lee@elsewhere.example"}"#) == .forbidden)
            #expect(try await send(.put, "me/password", customer, #"{"currentPassword":"person-password","newPassword":"An0ther-Passw0rd!"}"#) == .forbidden)
            #expect(try await send(.patch, "users/\(customerID)", customer, #"{"displayName":"lee@customer.example"}"#) == .ok, "an unchanged value changes nothing")
            #expect(try await send(.patch, "users/\(agentID)", agent, #"{"displayName":"Agent Smith"}"#) == .ok, "employees are not held")
            #expect(try await send(.patch, "users/\(customerID)", agent, #"{"displayName":"Lee"}"#) == .ok, "nor an agent changing the customer's")
            let (_, _, user) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users/\(customerID)", token: admin, body: "")
            #expect(user["email"] as? String == "lee@customer.example")
        }
    }

    @Test("An agent reads the users a ticket list names at once by their ids; a list that is not of ids is a 400")
    func usersByID() async throws {
        try await api.withIdentity { client, database in
            let agent = try await OrganizationAPITests.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            var ids: [String] = []
            for email in ["lee@customer.example", "pat@customer.example", "kim@customer.example"] {
                let token = try await OrganizationAPITests.person(client, database, email, roles: [PredefinedRoles.registeredUser])
                ids.append(try await Self.id(of: token, client))
            }
            let wanted = [ids[0], ids[2], UUID().uuidString.lowercased()]
            let (found, _, page) = try await IdentityAPITests.send(
                client, .get, "/api/v1/identity/users?ids=\(wanted.joined(separator: ","))", token: agent, body: "")
            #expect(found == .ok)
            let items = try #require(page["items"] as? [[String: Any]])
            #expect(Set(items.compactMap { $0["id"] as? String }) == [ids[0], ids[2]], "an unknown id is left out")
            #expect(Set(items.compactMap { $0["email"] as? String }) == ["lee@customer.example", "kim@customer.example"])
            let (bad, headers, problem) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users?ids=\(ids[0]),lee", token: agent, body: "")
            #expect(bad == .badRequest && headers[.contentType]?.hasPrefix("application/problem+json") == true)
            #expect((problem["detail"] as? String)?.contains("ids") == true)
        }
    }

    @Test("An administrator edits a people field's name, choices and default value; its data type stays, and users keep their values")
    func editingPeopleFields() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let agent = try await OrganizationAPITests.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            let customer = try await OrganizationAPITests.person(client, database, "lee@customer.example", roles: [PredefinedRoles.registeredUser])
            let customerID = try await Self.id(of: customer, client)
            let (_, _, field) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/people-fields", token: admin, body: #"{"name":"Referrer","dataType":"dropdown","options":["TV","Web"]}"#)
            let fieldID = try #require(field["id"] as? String)
            _ = try await IdentityAPITests.send(client, .patch, "/api/v1/identity/users/\(customerID)", token: agent, body: #"{"customFields":{"\#(fieldID)":"TV"}}"#)

            let edit = #"{"name":" Heard of us from ","dataType":"dropdown","options":["Radio","Web"],"defaultValue":"Web"}"#
            let (byAgent, _, _) = try await IdentityAPITests.send(client, .put, "/api/v1/identity/people-fields/\(fieldID)", token: agent, body: edit)
            #expect(byAgent == .forbidden)
            let (retyped, _, problem) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/people-fields/\(fieldID)", token: admin, body: #"{"name":"Referrer","dataType":"text"}"#)
            #expect(retyped == .unprocessableContent && (problem["errors"] as? [[String: String]])?.first?["field"] == "dataType")
            let (unknown, _, _) = try await IdentityAPITests.send(client, .put, "/api/v1/identity/people-fields/\(UUID().uuidString)", token: admin, body: edit)
            #expect(unknown == .notFound)
            let (edited, _, shown) = try await IdentityAPITests.send(client, .put, "/api/v1/identity/people-fields/\(fieldID)", token: admin, body: edit)
            #expect(edited == .ok)
            #expect(shown["name"] as? String == "Heard of us from" && shown["options"] as? [String] == ["Radio", "Web"] && shown["defaultValue"] as? String == "Web")
            let (_, _, listed) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/people-fields", token: agent, body: "")
            #expect((listed["items"] as? [[String: Any]])?.first?["name"] as? String == "Heard of us from")

            let (_, _, user) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users/\(customerID)", token: agent, body: "")
            #expect((user["customFields"] as? [String: String])?[fieldID] == "TV", "a value written before the edit stays")
            let (radio, _, _) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/users/\(customerID)", token: agent, body: #"{"customFields":{"\#(fieldID)":"Radio"}}"#)
            #expect(radio == .ok, "the new choice is offered")
            let (_, _, other) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/people-fields", token: admin, body: #"{"name":"Tier","dataType":"text"}"#)
            let (clash, _, _) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/people-fields/\(try #require(other["id"] as? String))", token: admin,
                body: #"{"name":"Heard of us from","dataType":"text"}"#)
            #expect(clash == .conflict, "two fields do not share a name")
        }
    }

    @Test("Agents edit profiles and people fields; only an administrator sets Max Active Live Chats; a stale If-Match is 412")
    func editingProfiles() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let agent = try await OrganizationAPITests.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            let customer = try await OrganizationAPITests.person(client, database, "lee@customer.example", roles: [PredefinedRoles.registeredUser])
            let agentID = try await Self.id(of: agent, client)
            let customerID = try await Self.id(of: customer, client)
            let (fieldStatus, _, field) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/people-fields", token: admin,
                body: #"{"name":"Referrer","dataType":"dropdown","options":["Magazine","TV","Web"]}"#)
            #expect(fieldStatus == .created)
            let fieldID = try #require(field["id"] as? String)
            let (agentField, _, _) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/people-fields", token: agent, body: #"{"name":"Tier","dataType":"text"}"#)
            #expect(agentField == .forbidden)

            let (setField, _, withField) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/users/\(customerID)", token: agent, body: #"{"customFields":{"\#(fieldID)":"TV"}}"#)
            #expect(setField == .ok)
            #expect((withField["customFields"] as? [String: String])?[fieldID] == "TV")
            let (badField, _, problem) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/users/\(customerID)", token: agent, body: #"{"customFields":{"\#(fieldID)":"Radio"}}"#)
            #expect(badField == .unprocessableContent)
            #expect((problem["errors"] as? [[String: String]])?.first?["field"] == "customFields.\(fieldID)")
            let (selfField, _, _) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/users/\(customerID)", token: customer, body: #"{"customFields":{"\#(fieldID)":"Web"}}"#)
            #expect(selfField == .forbidden, "people fields are filled in by agents")
            let (_, beforeDelete, _) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users/\(customerID)", token: admin, body: "")
            let (dropped, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/people-fields/\(fieldID)", token: admin, body: "")
            #expect(dropped == .noContent)
            let (_, afterDelete, withoutField) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users/\(customerID)", token: admin, body: "")
            #expect((withoutField["customFields"] as? [String: String])?[fieldID] == nil)
            #expect(afterDelete[.eTag] != beforeDelete[.eTag], "a deleted field's value leaving the user is a new version, so an edit read before it is a 412")

            let profile = #"{"profile":{"chatDisplayName":"Sam","aliases":["Support Sam"],"signatures":[{"name":"Short","html":"<p>Sam</p>"}],"timeZone":"Europe/Berlin","maxActiveLiveChats":1}}"#
            let (own, _, ownProfile) = try await IdentityAPITests.send(client, .patch, "/api/v1/identity/users/\(agentID)", token: agent, body: profile)
            #expect(own == .ok)
            #expect((ownProfile["profile"] as? [String: Any])?["chatDisplayName"] as? String == "Sam")
            let (raise, _, _) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/users/\(agentID)", token: agent, body: #"{"profile":{"maxActiveLiveChats":5}}"#)
            #expect(raise == .forbidden)
            let (badZone, _, zoneProblem) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/users/\(agentID)", token: agent, body: #"{"profile":{"timeZone":"Mars/Olympus"}}"#)
            #expect(badZone == .unprocessableContent)
            #expect((zoneProblem["errors"] as? [[String: String]])?.first?["field"] == "profile.timeZone")

            let (_, current, _) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users/\(agentID)", token: admin, body: "")
            let etag = try #require(current[.eTag])
            let (adminSet, adminHeaders, adminProfile) = try await IdentityAPITests.exchange(
                client, .patch, "/api/v1/identity/users/\(agentID)", token: admin, headers: [.ifMatch: etag],
                bytes: Array(#"{"profile":{"chatDisplayName":"Sam","aliases":["Support Sam"],"signatures":[{"name":"Short","html":"<p>Sam</p>"}],"timeZone":"Europe/Berlin","maxActiveLiveChats":3,"maxTickets":10,"hourlyCost":42.5}}"#.utf8))
            #expect(adminSet == .ok)
            #expect((IdentityAPITests.object(adminProfile)["profile"] as? [String: Any])?["maxActiveLiveChats"] as? Int == 3)
            #expect(adminHeaders[.eTag] != etag)
            let (stale, _, _) = try await IdentityAPITests.exchange(
                client, .patch, "/api/v1/identity/users/\(agentID)", token: admin, headers: [.ifMatch: etag], bytes: Array(#"{"displayName":"Late"}"#.utf8))
            #expect(stale == .preconditionFailed)
            let changed = try await IdentityAPITests.lastEventData("user.updated", database)
            #expect(changed["maxActiveLiveChats"] as? Int == 3)
            #expect(changed["maxTickets"] as? Int == 10)
            #expect(changed["hourlyCost"] as? Double == 42.5, "the cost reports price the agent's time from the event")
        }
    }

    @Test("Deleting users follows the permission: agents may not, a custom role with \"Delete a User's Profile\" may, and it is an event")
    func deletingUsers() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let agent = try await OrganizationAPITests.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            let customer = try await OrganizationAPITests.person(client, database, "lee@customer.example", roles: [PredefinedRoles.registeredUser])
            let customerID = try await Self.id(of: customer, client)
            let (agentDelete, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/users/\(customerID)", token: agent, body: "")
            #expect(agentDelete == .forbidden)
            let (roleStatus, _, _) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/roles", token: admin,
                body: #"{"name":"Cleaner","type":"employee","grants":{"users-organizations":{"level":"custom","customOptions":["View","Delete a User's Profile"]}}}"#)
            #expect(roleStatus == .created)
            let cleaner = try await OrganizationAPITests.person(client, database, "cleaner@demo.localhost", roles: ["Cleaner"])
            let (deleted, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/users/\(customerID)", token: cleaner, body: "")
            #expect(deleted == .noContent)
            let (gone, _, _) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users/\(customerID)", token: admin, body: "")
            #expect(gone == .notFound)
            #expect(try await IdentityAPITests.lastEventData("user.deleted", database)["email"] as? String == "lee@customer.example")
            let adminID = try await Self.id(of: admin, client)
            let (selfDelete, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/users/\(adminID)", token: admin, body: "")
            #expect(selfDelete == .conflict)
            let colleague = try await OrganizationAPITests.person(client, database, "colleague@demo.localhost", roles: [PredefinedRoles.agent])
            let (employee, _, _) = try await IdentityAPITests.send(
                client, .delete, "/api/v1/identity/users/\(try await Self.id(of: colleague, client))", token: cleaner, body: "")
            #expect(employee == .forbidden, "deleting another employee's account is an administrator's")
            let (administrator, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/users/\(adminID)", token: cleaner, body: "")
            #expect(administrator == .forbidden)
        }
    }

    @Test("An administrator forces a password change: until it is changed the session can do nothing else")
    func forcedPasswordChange() async throws {
        try await api.withIdentity { client, _ in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let (created, _, user) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/users", token: admin,
                body: #"{"email":"new.agent@demo.localhost","password":"first-password","roles":["Agent"],"forcePasswordChange":true}"#)
            #expect(created == .created)
            #expect(user["roles"] as? [String] == ["Everyone", "Agent"])
            let first = try await IdentityAPITests.signIn(client, email: "new.agent@demo.localhost", password: "first-password")
            #expect(first["passwordChangeRequired"] as? Bool == true)
            let limited = try #require(first["accessToken"] as? String)
            let (blocked, _, _) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users", token: limited, body: "")
            #expect(blocked == .forbidden)
            let (wrong, _, _) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/me/password", token: limited, body: #"{"currentPassword":"nope","newPassword":"second-password"}"#)
            #expect(wrong == .unprocessableContent)
            let (changed, _, _) = try await IdentityAPITests.send(
                client, .put, "/api/v1/identity/me/password", token: limited, body: #"{"currentPassword":"first-password","newPassword":"second-password"}"#)
            #expect(changed == .noContent)
            let second = try await IdentityAPITests.signIn(client, email: "new.agent@demo.localhost", password: "second-password")
            #expect(second["passwordChangeRequired"] as? Bool == false)
            let (allowed, _, _) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users", token: second["accessToken"] as? String, body: "")
            #expect(allowed == .ok)
        }
    }

    @Test("Sticky comments come first on users and organizations; customers cannot read them")
    func stickyComments() async throws {
        try await api.withIdentity { client, database in
            let agent = try await OrganizationAPITests.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            let customer = try await OrganizationAPITests.person(client, database, "lee@customer.example", roles: [PredefinedRoles.registeredUser])
            let customerID = try await Self.id(of: customer, client)
            let path = "/api/v1/identity/users/\(customerID)/comments"
            for (body, sticky) in [("first", false), ("VIP: answer within the hour", true), ("third", false)] {
                let (status, _, _) = try await IdentityAPITests.send(client, .post, path, token: agent, body: #"{"body":"\#(body)","sticky":\#(sticky)}"#)
                #expect(status == .created)
            }
            let (listed, _, page) = try await IdentityAPITests.send(client, .get, path + "?limit=2", token: agent, body: "")
            #expect(listed == .ok)
            #expect((page["items"] as? [[String: Any]])?.compactMap { $0["body"] as? String } == ["VIP: answer within the hour", "third"])
            let cursor = try #require(page["nextCursor"] as? String)
            let (_, _, rest) = try await IdentityAPITests.send(client, .get, path + "?limit=2&cursor=\(cursor)", token: agent, body: "")
            #expect((rest["items"] as? [[String: Any]])?.compactMap { $0["body"] as? String } == ["first"])
            let (empty, _, _) = try await IdentityAPITests.send(client, .post, path, token: agent, body: #"{"body":"  "}"#)
            #expect(empty == .unprocessableContent)
            let (customerRead, _, _) = try await IdentityAPITests.send(client, .get, path, token: customer, body: "")
            #expect(customerRead == .forbidden)
            let (_, _, organization) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/organizations", token: agent, body: #"{"name":"Customer Co"}"#)
            let organizationID = try #require(organization["id"] as? String)
            let (orgComment, _, _) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/organizations/\(organizationID)/comments", token: agent, body: #"{"body":"Renewal in May","sticky":true}"#)
            #expect(orgComment == .created)
            #expect(try await IdentityAPITests.eventTypes(database).filter { $0.hasSuffix("comment_added") }
                == ["user.comment_added", "user.comment_added", "user.comment_added", "organization.comment_added"])
        }
    }
}

import Auth
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Organization tickets", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct OrganizationTicketsTests {
    @Test("A member by username gets the tab whatever their verification; by email or domain only with a confirmed address")
    func grantingMembers() {
        let unverified = OrganizationAccess.grantingMembers(email: "Lee@Example.com", verifiedEmail: nil)
        #expect(unverified.map(\.kind) == ["username"] && unverified.map(\.value) == ["lee@example.com"])
        let verified = OrganizationAccess.grantingMembers(email: "lee@example.com", verifiedEmail: "lee@example.com")
        #expect(verified.map { "\($0.kind)=\($0.value)" } == ["username=lee@example.com", "email=lee@example.com", "domain=example.com"])
        #expect(OrganizationAccess.domain(of: "nobody") == nil)
    }

    @Test("The portal's Organization tab lists the tickets of the members' accounts, addresses and domain, to read only, for members with the permission; agents' tabs list the tickets they see and the forms sent on them")
    func organizationTab() async throws {
        try await TicketTestKit.run { client, kit in
            let agentToken = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let boss = UUID()
            let colleague = UUID()
            try await kit.identity("user.created", ["userID": colleague.lowercased, "email": "kim@contractor.example", "displayName": "Kim", "emailVerified": false])
            let colleagueToken = try await kit.token(colleague, roles: [PredefinedRoles.registeredUser], email: "kim@contractor.example")
            var ids: [String: String] = [:]
            for (name, email) in [("domain", "ann@acme.example"), ("address", "lee@partner.example"), ("other", "zed@elsewhere.example")] {
                let (_, _, ticket) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets", token: agentToken,
                    body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"\#(email)","subject":"\#(name)","body":"x","agentID":"auto"}"#)
                ids[name] = try #require(ticket["id"] as? String)
            }
            ids["account"] = try #require(try await kit.submit(client, token: colleagueToken, subject: "account")["id"] as? String)
            let organization = UUID().lowercased
            func members(version: Int, bossMayView: Bool) async throws {
                try await kit.identity("organization.updated", [
                    "id": organization, "name": "Acme", "version": version,
                    "members": [
                        ["id": UUID().lowercased, "kind": "domain", "value": "acme.example", "viewOrganizationTickets": bossMayView],
                        ["id": UUID().lowercased, "kind": "email", "value": "lee@partner.example", "viewOrganizationTickets": false],
                        ["id": UUID().lowercased, "kind": "username", "value": "kim@contractor.example", "viewOrganizationTickets": false],
                    ],
                ])
            }
            try await members(version: 1, bossMayView: true)
            let roles = [PredefinedRoles.registeredUser, PredefinedRoles.registeredUserWithVerifiedEmail]
            let bossToken = try await kit.token(boss, roles: roles, email: "boss@acme.example")
            func tab(_ token: String, _ tab: String = "") async throws -> Set<String> {
                let (status, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=organization\(tab)", token: token)
                #expect(status == .ok)
                return Set(((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
            }
            #expect(try await tab(bossToken).isEmpty, "a domain member needs a confirmed address")
            try await kit.identity("user.created", ["userID": boss.lowercased, "email": "boss@acme.example", "displayName": "Boss", "emailVerified": true])
            #expect(try await tab(bossToken) == Set([ids["domain"], ids["address"], ids["account"]].compactMap { $0 }))
            #expect(try await tab(colleagueToken).isEmpty, "members without the permission see only their own tickets")
            let domain = try #require(ids["domain"])
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(domain)/status", token: agentToken, body: #"{"status":"closed"}"#).0 == .ok)
            #expect(try await tab(bossToken, "&status=closed") == [domain], "the tab's status, as the customer's own list")
            #expect(try await tab(bossToken, "&status=active").isDisjoint(with: [domain]))
            #expect(try await tab(bossToken).count == 3)

            let account = try #require(ids["account"])
            let (read, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(account)/timeline", token: bossToken)
            #expect(read == .ok)
            let (answered, headers, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(account)/messages", token: bossToken, body: #"{"body":"Me too"}"#)
            #expect(answered == .forbidden, "to read only")
            #expect(headers[.contentType] == "application/problem+json")
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(try #require(ids["other"]))", token: bossToken).0 == .notFound)

            try await members(version: 2, bossMayView: false)
            #expect(try await tab(bossToken).isEmpty, "the permission withdrawn")
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(account)", token: bossToken).0 == .notFound)
            try await members(version: 1, bossMayView: true)
            #expect(try await tab(bossToken).isEmpty, "an older version changes nothing")

            func agentTab(_ token: String, _ tab: String = "") async throws -> Set<String> {
                let (status, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=organization&id=\(organization)\(tab)", token: token)
                #expect(status == .ok)
                return Set(((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
            }
            try await kit.identity("organization.updated", [
                "id": UUID().lowercased, "name": "Elsewhere", "version": 1,
                "members": [["id": UUID().lowercased, "kind": "email", "value": "zed@elsewhere.example", "viewOrganizationTickets": true]],
            ])
            #expect(try await agentTab(agentToken) == Set([ids["domain"], ids["address"], ids["account"]].compactMap { $0 }),
                    "agents see the organization's tickets whatever its members may view, and no other organization's")
            #expect(try await agentTab(try await kit.secondGroupAgent().token).isEmpty, "only tickets the agent may see")
            #expect(try await agentTab(agentToken, "&status=closed") == [domain])

            let formID = try #require(
                try await TicketTestKit.send(client, .post, "/api/v1/tickets/forms", token: try await kit.administratorToken(), body: #"{"name":"Serial"}"#)
                    .2["id"] as? String)
            for id in [ids["domain"], ids["other"]].compactMap({ $0 }) {
                let (sent, _, _) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(id)/replies", token: agentToken, body: ##"{"body":"#FormLink#","formID":"\##(formID)"}"##)
                #expect(sent == .created)
            }
            let (_, _, forms) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/sent-forms?organizationID=\(organization)", token: agentToken)
            #expect((forms["items"] as? [[String: Any]])?.compactMap { $0["ticketID"] as? String } == [ids["domain"]].compactMap { $0 },
                    "the organization's Forms tab: forms sent to its members")

            let (_, _, extra) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: agentToken,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"LEE@partner.example","subject":"extra","body":"x","agentID":"auto"}"#)
            let other = try #require(ids["other"])
            let (merged, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: agentToken, body: #"{"primaryID":"\#(other)","ticketIDs":["\#(try #require(extra["id"] as? String))"]}"#)
            #expect(merged == .ok)
            #expect(try await agentTab(agentToken).contains(other), "a member address that shares a ticket by a merge brings that ticket in")
        }
    }

    @Test("Email and domain members also match the To and Cc of a ticket's messages, including those merged into it, but not Bcc nor forwards")
    func headerAddressesMatch() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            func newTicket(_ subject: String, extra: String) async throws -> String {
                let (status, _, ticket) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets", token: token,
                    body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"\#(subject)","body":"x","status":"active"\#(extra)}"#)
                #expect(status == .created)
                return try #require(ticket["id"] as? String)
            }
            let copied = try await newTicket("copied", extra: #","cc":["Boss@Partner.example"]"#)
            let addressed = try await newTicket("addressed", extra: #","to":["lee@customer.example","ops@vendor.example"]"#)
            let blind = try await newTicket("blind", extra: #","bcc":["spy@partner.example","ops@vendor.example"]"#)
            let (forwarded, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(blind)/replies", token: token, body: #"{"body":"Thanks","cc":["lee@customer.example"]}"#)
            #expect(forwarded == .created)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(blind)/timeline", token: token)
            let messageID = try #require(((timeline["items"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["id"] as? String)
            let (forward, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(blind)/messages/\(messageID)/forward", token: token, body: #"{"to":["desk@partner.example"]}"#)
            #expect(forward == .created)
            let merged = try await newTicket("merged", extra: #","cc":["ann@merged.example"]"#)

            let organization = UUID().lowercased
            try await kit.identity("organization.created", [
                "id": organization, "name": "Partners", "version": 1,
                "members": [
                    ["id": UUID().lowercased, "kind": "domain", "value": "partner.example", "viewOrganizationTickets": false],
                    ["id": UUID().lowercased, "kind": "email", "value": "ops@vendor.example", "viewOrganizationTickets": false],
                    ["id": UUID().lowercased, "kind": "domain", "value": "merged.example", "viewOrganizationTickets": false],
                ],
            ])
            func tab() async throws -> Set<String> {
                let (_, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=organization&id=\(organization)", token: token)
                return Set(((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
            }
            #expect(try await tab() == [copied, addressed, merged], "Cc at the domain, To the address; Bcc and the forward's To are not the header")
            let (done, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(blind)","ticketIDs":["\#(merged)"]}"#)
            #expect(done == .ok)
            #expect(try await tab() == [copied, addressed, blind], "the merged ticket's messages bring their header with them")
        }
    }

    @Test("A phone member brings the tickets of the accounts whose Contact Info holds the number, until it is no longer theirs")
    func phoneMembersMatchAccounts() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (caller, other) = (try await kit.customer(), try await kit.customer())
            try await kit.identity("user.updated", ["userID": caller.id.lowercased, "email": "pat@caller.example", "phones": ["6234348050", "+4930123456"]])
            try await kit.identity("user.updated", ["userID": other.id.lowercased, "email": "sam@other.example", "phones": ["5550001"]])
            let mine = try #require(try await kit.submit(client, token: caller.token, subject: "mine")["id"] as? String)
            _ = try await kit.submit(client, token: other.token, subject: "other")
            let organization = UUID().lowercased
            try await kit.identity("organization.created", [
                "id": organization, "name": "Callers", "version": 1,
                "members": [["id": UUID().lowercased, "kind": "phone", "value": "6234348050", "viewOrganizationTickets": false]],
            ])
            func tab() async throws -> [String] {
                let (_, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=organization&id=\(organization)", token: token)
                return ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
            }
            #expect(try await tab() == [mine])
            try await kit.identity("user.updated", ["userID": caller.id.lowercased, "email": "pat@caller.example", "phones": ["+4930123456"]])
            #expect(try await tab().isEmpty, "the number left the account")
            try await kit.identity("user.updated", ["userID": caller.id.lowercased, "email": "pat@caller.example", "phones": ["6234348050"]])
            try await kit.identity("user.updated", ["userID": caller.id.lowercased, "email": "pat@caller.example"])
            #expect(try await tab() == [mine], "an event without numbers (older than them) keeps those known")
        }
    }

    @Test("Members added to an organization and removed from it (organization.member_added, .member_removed) change its filters")
    func memberEventsChangeTheFilters() async throws {
        try await TicketTestKit.run { _, kit in
            let organization = UUID().lowercased
            try await kit.identity("organization.created", ["id": organization, "name": "Acme", "version": 1, "members": [[String: Any]]()])
            let member: [String: Any] = ["id": UUID().lowercased, "kind": "domain", "value": "acme.example", "viewOrganizationTickets": true]
            try await kit.identity("organization.member_added", ["id": organization, "name": "Acme", "version": 1, "members": [member]])
            let filters = "SELECT count(*)::int FROM {schema}.organization_members WHERE value = 'acme.example'"
            #expect(try await kit.count(filters) == 1)
            try await kit.identity("organization.member_removed", ["id": organization, "name": "Acme", "version": 1, "members": [[String: Any]]()])
            #expect(try await kit.count(filters) == 0)
        }
    }
}

import Auth
import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import Testing
import TestSupport

@testable import TicketsApp

/// A brand's View Ticket Requires (brand settings, Permissions): "the Role necessary for portal visitors to view
/// tickets in the portal" [S001:5806].
@Suite("A brand's View Ticket Requires", .serialized)
struct PortalTicketAccessTests {
    static func caller(_ roles: [String]) -> TicketCaller {
        TicketCaller(principal: TicketTestKit.principal(UUID(), roles: roles), groups: [], departments: [])
    }

    @Test("Agents always see portal tickets; a visitor needs the role the brand names, Everyone any visitor and Nobody none")
    func whoSeesPortalTickets() {
        let registered = Self.caller([PredefinedRoles.registeredUser])
        let verified = Self.caller([PredefinedRoles.registeredUser, PredefinedRoles.registeredUserWithVerifiedEmail])
        let agent = Self.caller(["Agent"])
        #expect(registered.mayViewPortalTickets(requiring: PredefinedRoles.registeredUser))
        #expect(!registered.mayViewPortalTickets(requiring: PredefinedRoles.registeredUserWithVerifiedEmail))
        #expect(verified.mayViewPortalTickets(requiring: PredefinedRoles.registeredUserWithVerifiedEmail))
        #expect(registered.mayViewPortalTickets(requiring: PortalAccess.everyone))
        #expect(!verified.mayViewPortalTickets(requiring: PortalAccess.nobody))
        #expect(!verified.mayViewPortalTickets(requiring: "Gold Customer"))
        #expect(Self.caller([PredefinedRoles.registeredUser, "Gold Customer"]).mayViewPortalTickets(requiring: "Gold Customer"))
        #expect(agent.mayViewPortalTickets(requiring: PortalAccess.nobody))
    }

    /// Announces the kit brand's settings with this View Ticket Requires, as identity does.
    static func requires(_ role: String, version: Int, _ kit: TicketTestKit) async throws {
        try await kit.brandSettings(["permissions": ["viewTicketRequires": role, "viewNewsRequires": "Everyone"], "portal": ["displayLiveChat": true]], version: version)
    }

    @Test(
        "A visitor without the brand's role gets 403 for their list, their ticket, its timeline and a reply, which writes nothing; agents read on",
        .enabled(if: TestEnvironment.hasDatabase))
    func visitorsWithoutTheRoleAreRefused() async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let portal: HTTPFields = [.brandID: kit.brandID.lowercased]
            func reads(_ token: String) async throws -> [HTTPResponse.Status] {
                var answers: [HTTPResponse.Status] = []
                for uri in ["/api/v1/tickets?view=customer", "/api/v1/tickets/\(id)", "/api/v1/tickets/\(id)/timeline"] {
                    answers.append(try await TicketTestKit.send(client, .get, uri, token: token, headers: portal).0)
                }
                return answers
            }
            #expect(try await reads(customer.token) == [.ok, .ok, .ok], "Registered User by default")

            let someoneElses = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            try await Self.requires(PredefinedRoles.registeredUserWithVerifiedEmail, version: 2, kit)
            #expect(try await reads(customer.token) == [.forbidden, .forbidden, .forbidden])
            #expect(
                try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(someoneElses)", token: customer.token, headers: portal).0 == .notFound,
                "someone else's ticket stays a 404: the 403 does not say it exists")
            let messages = try await kit.count("SELECT count(*) FROM {schema}.messages")
            let (replied, headers, problem) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Any news?"}"#)
            #expect(replied == .forbidden)
            #expect(headers[.contentType] == "application/problem+json")
            #expect((problem["detail"] as? String)?.contains(PredefinedRoles.registeredUserWithVerifiedEmail) == true)
            #expect(try await kit.count("SELECT count(*) FROM {schema}.messages") == messages, "the refused reply wrote nothing")

            let verified = try await kit.token(
                customer.id, roles: [PredefinedRoles.registeredUser, PredefinedRoles.registeredUserWithVerifiedEmail])
            #expect(try await reads(verified) == [.ok, .ok, .ok])
            let agent = try await kit.token(try await kit.agent(), roles: ["Agent"])
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: agent, headers: portal).0 == .ok)

            try await Self.requires(PredefinedRoles.registeredUser, version: 1, kit)
            #expect(try await reads(customer.token) == [.forbidden, .forbidden, .forbidden], "an older version changes nothing")

            try await Self.requires(PortalAccess.nobody, version: 3, kit)
            #expect(try await reads(verified) == [.forbidden, .forbidden, .forbidden])
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: agent, headers: portal).0 == .ok)
        }
    }

    @Test(
        "On a brand's portal a visitor's own and organization lists, and each ticket by id or number, keep to that brand's tickets, and ?status= picks a tab",
        .enabled(if: TestEnvironment.hasDatabase))
    func listsKeepToThePortalsBrand() async throws {
        try await TicketTestKit.run { client, kit in
            let other = try await kit.otherBrandDepartment()
            let customer = try await kit.customer()
            let email = "customer-\(customer.id.lowercased.prefix(6))@customer.example"
            try await kit.identity("user.created", ["userID": customer.id.lowercased, "email": email, "displayName": "Lee", "emailVerified": false])
            try await kit.identity("organization.updated", [
                "id": UUID().lowercased, "name": "Lee & Co", "version": 1,
                "members": [["id": UUID().lowercased, "kind": "username", "value": email, "viewOrganizationTickets": true]],
            ])
            let ours = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let (created, _, theirs) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token,
                body: #"{"departmentID":"\#(other.department.lowercased)","subject":"Acme printer","body":"It smokes."}"#)
            #expect(created == .created)
            let acmes = try #require(theirs["id"] as? String)
            func listed(_ brand: UUID?, _ query: String = "", view: String = "customer") async throws -> Set<String> {
                let headers: HTTPFields = brand.map { [.brandID: $0.lowercased] } ?? [:]
                let (status, _, page) = try await TicketTestKit.send(
                    client, .get, "/api/v1/tickets?view=\(view)\(query)", token: customer.token, headers: headers)
                #expect(status == .ok)
                return Set((page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            }
            #expect(try await listed(kit.brandID) == [ours])
            #expect(try await listed(other.brand) == [acmes])
            #expect(try await listed(nil) == [ours, acmes], "a request that names no brand lists every brand's")
            #expect(try await listed(nil, view: "organization") == [ours, acmes], "the organization's tickets are the member's own here")
            #expect(try await listed(kit.brandID, view: "organization") == [ours])
            #expect(try await listed(other.brand, view: "organization") == [acmes])
            let agent = try await kit.token(try await kit.agent(), roles: ["Agent"])
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ours)/take", token: agent)
            let (replied, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ours)/replies", token: agent, body: #"{"body":"Try now.","sendVariant":"waiting"}"#)
            #expect(replied == .created)
            #expect(try await listed(nil, "&status=waiting") == [ours])
            #expect(try await listed(nil, "&status=active") == [acmes])
            func opened(_ id: String, on brand: UUID) async throws -> HTTPResponse.Status {
                try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: customer.token, headers: [.brandID: brand.lowercased]).0
            }
            #expect(try await opened(ours, on: kit.brandID) == .ok)
            #expect(try await opened(acmes, on: kit.brandID) == .notFound, "another brand's ticket is not on this portal, by id either")
            #expect(try await opened(acmes, on: other.brand) == .ok)
            let acmesNumber = try #require(theirs["number"] as? String)
            func openedByNumber(on brand: UUID) async throws -> HTTPResponse.Status {
                try await TicketTestKit.send(
                    client, .get, "/api/v1/tickets/by-number/\(acmesNumber)", token: customer.token, headers: [.brandID: brand.lowercased]).0
            }
            #expect(try await openedByNumber(on: kit.brandID) == .notFound, "nor by its number")
            #expect(try await openedByNumber(on: other.brand) == .ok)
            #expect(try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(acmes)/messages", token: customer.token, body: #"{"body":"x"}"#, headers: [.brandID: kit.brandID.lowercased]).0
                == .notFound)
        }
    }

    @Test(
        "An API key acts through its permissions: without an agent's it neither reads, writes to nor opens its owner's customer tickets, and comes to public routes as anyone",
        .enabled(if: TestEnvironment.hasDatabase))
    func apiKeysDoNotActAsTheirOwnersCustomerSelf() async throws {
        try await TicketTestKit.run { client, kit in
            // Every visitor may see portal tickets here, so that only the key's own rule refuses it.
            try await Self.requires("Everyone", version: 2, kit)
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            func keyToken(_ roles: [String], of user: UUID) async throws -> String {
                var principal = kit.principal(user, roles: roles)
                principal.sessionID = Principal.apiKeySessionPrefix + UUID().lowercased
                principal.roles = ["API key: automation"]
                principal.scope = .none
                return try await kit.tokens.sign(principal)
            }
            let key = try await keyToken([PredefinedRoles.registeredUser], of: customer.id)
            let portal: HTTPFields = [.brandID: kit.brandID.lowercased]
            let messages = try await kit.count("SELECT count(*) FROM {schema}.messages")
            let tickets = try await kit.count("SELECT count(*) FROM {schema}.tickets")
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=customer", token: key, headers: portal).0 == .forbidden)
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: key, headers: portal).0 == .forbidden)
            #expect(try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages", token: key, body: #"{"body":"x"}"#, headers: portal).0 == .forbidden)
            let submission = #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"s","body":"b"}"#
            let anonymous = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: submission, headers: portal).0
            #expect(anonymous != .created && anonymous != .ok)
            #expect(try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: key, body: submission, headers: portal).0 == anonymous,
                "a public route answers the key as it answers anyone: here, an anonymous visitor without an address")
            #expect(try await TicketTestKit.send(
                client, .get, "/api/v1/tickets/departments/\(kit.departmentID.lowercased)/form", token: key, headers: portal).0 == .ok)
            #expect(try await kit.count("SELECT count(*) FROM {schema}.messages") == messages)
            #expect(try await kit.count("SELECT count(*) FROM {schema}.tickets") == tickets, "nothing written")
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: customer.token, headers: portal).0 == .ok, "signed in, it is theirs")
            let agentKey = try await keyToken(["Agent"], of: try await kit.agent())
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine", token: agentKey).0 == .ok, "an agent's key works as an agent")
        }
    }

    @Test("A change of the requirement is seen by the next request while its answer is cached", .enabled(if: TestEnvironment.hasDatabase))
    func cachedRequirementFollowsChanges() async throws {
        try await TicketTestKit.run { _, kit in
            try await kit.withChangeListener {
                let cache = kit.api.store.directoryCache.brandPortals
                try await kit.eventually("the listener connects and the requirement is kept") {
                    _ = try await kit.api.store.portalSettings(brand: kit.brandID)
                    return cache.count == 1
                }
                try await Self.requires(PortalAccess.nobody, version: 2, kit)
                try await kit.eventually("the new requirement is read") {
                    try await kit.api.store.portalSettings(brand: kit.brandID).viewTicketsRequires == PortalAccess.nobody
                }
            }
        }
    }
}

import Auth
import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Send and Schedule Follow-up, Send and Transfer, and the Transfer dialog", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct SendVariantTests {
    /// A second group of the department with one primary agent.
    static func levelTwo(_ kit: TicketTestKit) async throws -> (group: UUID, agent: UUID) {
        let group = UUID()
        try await kit.identity("group.created", ["id": group.lowercased, "departmentID": kit.departmentID.lowercased, "name": "Level 2"])
        return (group, try await kit.agent(in: group))
    }

    @Test("An agent whose Tickets permission is Modify may not transfer: the dialog, Send and Transfer, bulk transfer and a follow-up to another group are 403 and nothing moves")
    func transferNeedsTicketsTransfer() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let (level2, _) = try await Self.levelTwo(kit)
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let modifier = RoleDefinition(
                name: "Tickets Modify", type: .employee, grants: [.tickets: FeatureGrant(.modify), .distribution: FeatureGrant(.fullControl)])
            var principal = kit.principal(agent, roles: ["Agent"])
            principal.permissions = EffectivePermissions.combine([modifier])
            let token = try await kit.tokens.sign(principal)
            let transfer = #"{"groupID":"\#(level2.lowercased)"}"#
            let (dialog, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: transfer)
            #expect(dialog == .forbidden)
            let (variant, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Over to level 2.","sendVariant":"transfer","transfer":\#(transfer)}"#)
            #expect(variant == .forbidden)
            let (bulk, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: token, body: #"{"ticketIDs":["\#(id)"],"action":"transfer","transfer":\#(transfer)}"#)
            #expect(bulk == .forbidden)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE group_id = '\(kit.frontLineID.lowercased)' AND messages_out = 0") == 1)
            let (replied, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Looking."}"#)
            #expect(replied == .created, "Modify still replies")

            let at = Date().addingTimeInterval(3_600).formatted(.iso8601)
            let moving = #"{"at":"\#(at)","groupID":"\#(level2.lowercased)","agentID":"auto"}"#
            let (followUp, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: moving)
            #expect(followUp == .forbidden, "a follow-up with a New Group transfers the ticket when due")
            let (sentFollowUp, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Later.","sendVariant":"follow_up","followUp":\#(moving)}"#)
            #expect(sentFollowUp == .forbidden)
            let (_, _, bulkFollowUp) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: token, body: #"{"ticketIDs":["\#(id)"],"action":"follow_up","followUp":\#(moving)}"#)
            #expect((bulkFollowUp["items"] as? [[String: Any]])?.first?["status"] as? Int == 403)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE follow_up_at IS NOT NULL") == 0)
            let (own, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: #"{"at":"\#(at)"}"#)
            #expect(own == .ok, "Modify still schedules a follow-up that keeps the ticket")
        }
    }

    @Test("A role without Change Status, Change Priority or Pin cannot set them through Send and Close, a transfer or a follow-up: 403, nothing written")
    func combinedActionsNeedTheirParts() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let (level2, _) = try await Self.levelTwo(kit)
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let limited = RoleDefinition(
                name: "Replies and transfers", type: .employee,
                grants: [.tickets: .custom(["Reply", "Transfer", "Follow-up"]), .distribution: FeatureGrant(.fullControl)])
            var principal = kit.principal(agent, roles: ["Agent"])
            principal.permissions = EffectivePermissions.combine([limited])
            let token = try await kit.tokens.sign(principal)
            for variant in ["closed", "closed_locked", "active"] {
                let (refused, headers, _) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Done.","sendVariant":"\#(variant)"}"#)
                #expect(refused == .forbidden, "\(variant)")
                #expect(headers[.contentType] == "application/problem+json")
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE messages_out = 0 AND status = 'active'") == 1)
            let (transfer, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(level2.lowercased)","priority":"urgent"}"#)
            #expect(transfer == .forbidden)
            let (pinned, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(level2.lowercased)","pin":true}"#)
            #expect(pinned == .forbidden)
            let (closing, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(level2.lowercased)","status":"closed"}"#)
            #expect(closing == .forbidden)
            let at = Date().addingTimeInterval(3_600).formatted(.iso8601)
            let (followUp, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: #"{"at":"\#(at)","priority":"high"}"#)
            #expect(followUp == .forbidden)
            let (_, _, bulk) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: token, body: #"{"ticketIDs":["\#(id)"],"action":"follow_up","followUp":{"at":"\#(at)","pin":true}}"#)
            #expect((bulk["items"] as? [[String: Any]])?.first?["status"] as? Int == 403, "bulk follow-ups are held to the same parts")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE group_id = '\(kit.frontLineID.lowercased)' AND priority = 1 AND follow_up_at IS NULL") == 1)

            let (replied, _, ticket) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Looking."}"#)
            #expect(replied == .created && ticket["status"] as? String == "waiting", "the plain Send still marks it Waiting")
            let (moved, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(level2.lowercased)","pin":false}"#)
            #expect(moved == .ok, "a transfer that sets nothing else is the role's own")
        }
    }

    @Test("Send and Schedule Follow-up sends the reply and schedules the follow-up together: the ticket waits with its note")
    func sendAndScheduleFollowUp() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let at = Date().addingTimeInterval(86_400).formatted(.iso8601)
            let (sent, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: token,
                body: #"{"body":"Try this.","sendVariant":"follow_up","followUp":{"at":"\#(at)","note":"Did it work?"}}"#)
            #expect(sent == .created)
            #expect(ticket["status"] as? String == "waiting")
            #expect(ticket["messagesOut"] as? Int == 1)
            let followUp = try #require(ticket["followUp"] as? [String: Any])
            #expect(followUp["agentID"] as? String == agent.lowercased, "by default the agent who schedules it")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.comments WHERE type = 'follow_up'") == 1)
            let events = try await kit.eventTypes()
            #expect(events.suffix(4) == ["ticket.replied", "ticket.followup_scheduled", "ticket.comment_added", "ticket.status_changed"], "the note is a Follow-Up comment")
        }
    }

    @Test("A send variant without its part, a part without its variant, or a follow-up to an unknown group writes no reply")
    func refusals() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let at = Date().addingTimeInterval(86_400).formatted(.iso8601)
            for body in [
                #"{"body":"x","sendVariant":"follow_up"}"#,
                #"{"body":"x","sendVariant":"transfer"}"#,
                #"{"body":"x","sendVariant":"waiting","followUp":{"at":"\#(at)"}}"#,
                #"{"body":"x","transfer":{"groupID":"\#(kit.frontLineID.lowercased)"}}"#,
                #"{"body":"x","sendVariant":"follow_up","followUp":{"at":"\#(at)","groupID":"\#(UUID().uuidString)"}}"#,
                #"{"body":"x","sendVariant":"transfer","transfer":{"groupID":"\#(UUID().uuidString)"}}"#,
            ] {
                let (status, headers, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: body)
                #expect(status == .unprocessableContent, "\(body)")
                #expect(headers[.contentType] == "application/problem+json")
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.messages WHERE direction = 'outgoing'") == 0)
            let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(ticket["status"] as? String == "active")
            #expect(ticket["groupID"] as? String == kit.frontLineID.lowercased)
        }
    }

    @Test("Send and Transfer sends the reply and transfers with the dialog's priority and pin: the receiving agent holds it")
    func sendAndTransfer() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let (level2, second) = try await Self.levelTwo(kit)
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let (sent, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: token,
                body: #"{"body":"A colleague takes over.","sendVariant":"transfer","transfer":{"groupID":"\#(level2.lowercased)","priority":"urgent","pin":true,"comment":"On leave"}}"#)
            #expect(sent == .created)
            #expect(ticket["groupID"] as? String == level2.lowercased)
            #expect(ticket["agentID"] as? String == second.lowercased, "the new group's round robin")
            #expect(ticket["priority"] as? String == "urgent")
            #expect(ticket["pinned"] as? Bool == true, "pinned to the receiving agent")
            #expect(ticket["status"] as? String == "active")
            #expect(ticket["messagesOut"] as? Int == 1)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.comments WHERE type = 'transfer'") == 1)
            let events = try await kit.eventTypes()
            for type in ["ticket.replied", "ticket.transferred", "ticket.priority_changed", "ticket.assigned", "ticket.pinned"] {
                #expect(events.contains(type), "\(type)")
            }
        }
    }

    @Test("A transferred Waiting ticket goes to the new group's round robin without counting toward Max Tickets; marked Active it counts")
    func transferCounting() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let (level2, second) = try await Self.levelTwo(kit)
            let newActive = "SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(second.lowercased)'"
            var ids: [String] = []
            for _ in 0..<2 {
                let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
                _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Waiting on you.","sendVariant":"waiting"}"#)
                ids.append(id)
            }
            let (_, _, waiting) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ids[0])/transfer", token: token, body: #"{"groupID":"\#(level2.lowercased)"}"#)
            #expect(waiting["status"] as? String == "waiting")
            #expect(waiting["agentID"] as? String == second.lowercased, "waiting tickets are distributed as usual, not left without an agent")
            #expect(try await kit.count(newActive) == 0)
            let (_, _, active) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ids[1])/transfer", token: token, body: #"{"groupID":"\#(level2.lowercased)","status":"active"}"#)
            #expect(active["status"] as? String == "active")
            #expect(active["agentID"] as? String == second.lowercased)
            #expect(try await kit.count(newActive) == 1, "an Active ticket transferred to an agent is a ticket received")
            let third = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let (_, _, named) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(third)/transfer", token: token, body: #"{"groupID":"\#(level2.lowercased)","agentID":"\#(second.lowercased)"}"#)
            #expect(named["agentID"] as? String == second.lowercased)
            #expect(try await kit.count(newActive) == 2, "so is one transferred to them by name")
        }
    }

    @Test("A follow-up set to auto-assign goes, when due, to its group's round robin")
    func autoAssignedFollowUp() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let (level2, second) = try await Self.levelTwo(kit)
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let at = Date().addingTimeInterval(3_600).formatted(.iso8601)
            let (_, _, scheduled) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: #"{"at":"\#(at)","groupID":"\#(level2.lowercased)","agentID":"auto"}"#)
            let followUp = try #require(scheduled["followUp"] as? [String: Any])
            #expect(followUp["agentID"] == nil || followUp["agentID"] is NSNull)
            #expect(try await TicketTimerTests.worker(kit).runOne(now: Date().addingTimeInterval(7_200)))
            let (_, _, fired) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: try await kit.token(second, roles: ["Agent"]))
            #expect(fired["groupID"] as? String == level2.lowercased)
            #expect(fired["agentID"] as? String == second.lowercased)
            #expect(fired["status"] as? String == "active")
            let types = try await kit.eventTypes().suffix(4)
            #expect(types.contains("ticket.transferred") && types.contains("ticket.followed_up"), "the New Group transferred it: \(types)")
        }
    }

    @Test("Bulk transfer, follow-up and follow-up removal act on each ticket and report each outcome; a missing part is a 422")
    func bulkTransferAndFollowUps() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let (level2, second) = try await Self.levelTwo(kit)
            var ids: [String] = []
            for _ in 0..<2 { ids.append(try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)) }
            let list = ids.map { #""\#($0)""# }.joined(separator: ",")
            let at = Date().addingTimeInterval(86_400).formatted(.iso8601)
            let (scheduled, _, result) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: token, body: #"{"ticketIDs":[\#(list)],"action":"follow_up","followUp":{"at":"\#(at)","note":"Check"}}"#)
            #expect(scheduled == .ok)
            #expect((result["items"] as? [[String: Any]])?.compactMap { $0["status"] as? Int } == [200, 200])
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE follow_up_at IS NOT NULL AND status = 'waiting'") == 2)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/bulk", token: token, body: #"{"ticketIDs":[\#(list)],"action":"remove_follow_up"}"#)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE follow_up_at IS NULL AND status = 'active'") == 2)
            let (missing, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/bulk", token: token, body: #"{"ticketIDs":[\#(list)],"action":"transfer"}"#)
            #expect(missing == .unprocessableContent)
            let (moved, _, transfers) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: token, body: #"{"ticketIDs":[\#(list)],"action":"transfer","transfer":{"groupID":"\#(level2.lowercased)"}}"#)
            #expect(moved == .ok)
            #expect((transfers["items"] as? [[String: Any]])?.compactMap { $0["status"] as? Int } == [200, 200])
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE group_id = '\(level2.lowercased)' AND agent_id = '\(second.lowercased)'") == 2)
        }
    }
}

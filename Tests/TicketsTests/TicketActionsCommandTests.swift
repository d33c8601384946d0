import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing
import TestSupport
import TicketsApp

/// What an automation rule does to a ticket: the seed's ticket event actions, sent as `ticket.apply_actions`.
@Suite("Automation actions on tickets.commands", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketActionsCommandTests {
    @Test("A rule transfers a ticket to another group's agent, sets its status and priority and pins it, in one change with the rule as actor")
    func actionsApplyTogether() async throws {
        try await TicketTestKit.run { client, kit in
            _ = try await kit.agent()
            let second = try await kit.secondGroupAgent()
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let rule = UUID().lowercased
            try await Self.send(
                TicketActionsCommand(
                    ticketID: id, source: "automation", ruleID: rule, transferGroupID: second.group.lowercased,
                    transferAgentID: second.agent.lowercased, status: "waiting", priority: "urgent", pinned: true),
                kit: kit)

            let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: second.token)
            #expect(ticket["groupID"] as? String == second.group.lowercased && ticket["agentID"] as? String == second.agent.lowercased)
            #expect(ticket["status"] as? String == "waiting" && ticket["priority"] as? String == "urgent" && ticket["pinned"] as? Bool == true)
            #expect(ticket["version"] as? Int == 2, "one change")
            let actions = try await kit.count("""
                SELECT count(*)::int FROM {schema}.history
                WHERE ticket_id = '\(id)' AND actor_kind = 'automation' AND actor_id = '\(rule)'
                  AND action IN ('ticket.transferred', 'ticket.status_changed', 'ticket.priority_changed', 'ticket.pinned')
                """)
            #expect(actions == 4)
            #expect(try await kit.count("SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(second.agent.lowercased)'") == 0, "a Waiting ticket holds no Max Tickets room")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE counts_toward_max") == 0)
        }
    }

    @Test("Send Reply to Ticket writes a reply from the department to the customer, for the mail sender, with the status the rule sets")
    func automatedReply() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            try await Self.send(
                TicketActionsCommand(ticketID: id, source: "automation", replyText: "We are on it & will write again.", status: "waiting"), kit: kit)

            let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(ticket["status"] as? String == "waiting" && ticket["messagesOut"] as? Int == 1)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let newest = try #require((timeline["items"] as? [[String: Any]])?.first?["message"] as? [String: Any])
            #expect(newest["direction"] as? String == "out" && newest["bodyText"] as? String == "We are on it & will write again.")
            #expect(newest["authorID"] == nil && newest["to"] as? [String] == [ticket["customerEmail"] as? String ?? ""])
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history WHERE ticket_id = '\(id)' AND action = 'ticket.replied' AND actor_kind = 'automation'
                  AND details->>'automated' = 'true' AND details->>'departmentID' = '\(kit.departmentID.lowercased)'
                  AND details->>'groupID' = '\(kit.frontLineID.lowercased)'
                """) == 1, "where it was written, for reports, as an agent's reply says")
            try await Self.send(TicketActionsCommand(ticketID: id, source: "automation", replyHTML: "<script>x</script>"), kit: kit)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.messages WHERE ticket_id = '\(id)'") == 2, "an empty reply is refused")
            try await Self.send(
                TicketActionsCommand(ticketID: id, source: "automation", replyHTML: #"<p><img src="https://example.com/a.png"></p>"#, status: "closed"), kit: kit)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.messages WHERE ticket_id = '\(id)'") == 2, "a reply with no text is left out")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE id = '\(id)' AND status = 'closed'") == 1, "the rule's status still applies")
        }
    }

    @Test("An action the ticket refuses (a close guard, an unknown value, a pin in the queue, an agent without their group) changes nothing and is dropped")
    func refusedActionsChangeNothing() async throws {
        try await TicketTestKit.run { client, kit in
            try await kit.identity("department.updated", [
                "id": kit.departmentID.lowercased, "brandID": kit.brandID.lowercased, "name": "Support", "frontLineGroupID": kit.frontLineID.lowercased,
                "hiddenFromPortal": false, "settings": ["tickets": ["requireResolutionToClose": true]], "version": 2,
            ])
            let second = try await kit.secondGroupAgent()
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            for command in [
                TicketActionsCommand(ticketID: id, source: "automation", transferGroupID: second.group.lowercased, status: "closed"),
                TicketActionsCommand(ticketID: id, source: "automation", priority: "high", pinned: true),
                TicketActionsCommand(ticketID: id, source: "automation", status: "solved"),
                TicketActionsCommand(ticketID: id, source: "automation", transferGroupID: UUID().lowercased, priority: "low"),
                TicketActionsCommand(ticketID: id, source: "automation", transferAgentID: second.agent.lowercased, priority: "low"),
            ] {
                try await Self.send(command, kit: kit)
            }
            #expect(try await kit.count("SELECT version FROM {schema}.tickets WHERE id = '\(id)'") == 1, "the queued ticket is as it was")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE id = '\(id)' AND priority <> 1") == 0)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE id = '\(id)' AND group_id = '\(kit.frontLineID.lowercased)'") == 1,
                    "a transfer before a refused close is undone with it")
            #expect(try await kit.count("SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(second.agent.lowercased)'") == 0)
        }
    }

    @Test("A command whose data does not decode is dropped with nothing written, and the commands after it still apply")
    func unreadableCommandIsDropped() async throws {
        try await TicketTestKit.run { client, kit in
            _ = try await kit.agent()
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
            let unreadable = Array("""
                {"specversion":"1.0","id":"\(UUID().lowercased)","source":"automation","type":"\(TicketActionsCommand.type)",
                 "subject":"\(id)","time":"2026-12-05T16:00:00.000Z","datacontenttype":"application/json","data":{"priority":"urgent"}}
                """.utf8)
            try await kit.database.transaction { try await handler.apply(TicketActionsCommand.type, unreadable, on: $0) }
            #expect(try await kit.count("SELECT version FROM {schema}.tickets WHERE id = '\(id)'") == 1, "the ticket is as it was")

            try await Self.send(TicketActionsCommand(ticketID: id, source: "automation", ruleID: UUID().lowercased, priority: "urgent"), kit: kit)
            #expect(try await kit.count("SELECT priority FROM {schema}.tickets WHERE id = '\(id)'") == 3, "urgent")
        }
    }

    static func send(_ command: TicketActionsCommand, kit: TicketTestKit) async throws {
        let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
        let bytes = try CloudEventCoding.encode(
            CloudEvent(source: "automation", type: TicketActionsCommand.type, subject: command.ticketID, brandid: nil, data: command))
        try await kit.database.transaction { try await handler.apply(TicketActionsCommand.type, bytes, on: $0) }
    }
}

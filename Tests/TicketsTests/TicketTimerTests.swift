import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
import TestSupport
import TicketsApp

@Suite("Follow-ups, timers, delete and purge", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketTimerTests {
    static func worker(_ kit: TicketTestKit) -> TimerWorker {
        TimerWorker(store: kit.api.store, logger: Logger(label: "timers"))
    }

    static func enableTimers(
        _ kit: TicketTestKit, close: Int? = nil, lock: Int? = nil, delete: Int? = nil, deleteResolved: Bool = false, notify: Bool = false,
        version: Int = 2
    ) async throws {
        var tickets: [String: Any] = ["includeTicketsWithResolutionsInAutoDelete": deleteResolved, "notifyCustomerOnAutoClose": notify]
        if let close { tickets["autoCloseEnabled"] = true; tickets["autoCloseAfterHours"] = close }
        if let lock { tickets["autoLockEnabled"] = true; tickets["autoLockAfterHours"] = lock }
        if let delete { tickets["autoDeleteEnabled"] = true; tickets["autoDeleteAfterDays"] = delete }
        try await kit.identity("department.updated", [
            "id": kit.departmentID.lowercased, "brandID": kit.brandID.lowercased, "name": "Support", "frontLineGroupID": kit.frontLineID.lowercased,
            "version": version, "settings": ["tickets": tickets],
        ])
    }

    /// A new customer's ticket that the agent of `token` answered with Send and Mark Waiting; its id.
    static func waitingTicket(_ client: any TestClientProtocol, _ kit: TicketTestKit, token: String) async throws -> String {
        let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
        _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Try this.","sendVariant":"waiting"}"#)
        return id
    }

    @Test("A scheduled follow-up goes with a transferred or taken ticket: at its time the ticket is Active for the agent who has it, pinned as the transfer left it")
    func followUpsChangeHands() async throws {
        try await TicketTestKit.run { client, kit in
            let away = try await kit.agent()
            let awayToken = try await kit.token(away, roles: ["Agent"])
            let colleague = try await kit.agent()
            let colleagueToken = try await kit.token(colleague, roles: ["Agent"])
            let due = Date().addingTimeInterval(3_600).formatted(.iso8601)
            var tickets: [String] = []
            for _ in 0..<2 {
                let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
                _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/take", token: awayToken)
                let (scheduled, _, _) = try await TicketTestKit.send(
                    client, .put, "/api/v1/tickets/\(id)/follow-up", token: awayToken, body: #"{"at":"\#(due)","note":"Call back"}"#)
                #expect(scheduled == .ok)
                tickets.append(id)
            }
            let (transferred, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(tickets[0])/transfer", token: awayToken,
                body: #"{"groupID":"\#(kit.frontLineID.lowercased)","agentID":"\#(colleague.lowercased)","pin":true}"#)
            #expect(transferred == .ok)
            let (taken, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(tickets[1])/take", token: colleagueToken)
            #expect(taken == .ok)
            try await kit.setActive(away, false)
            let worker = Self.worker(kit)
            for _ in tickets { #expect(try await worker.runOne(now: Date().addingTimeInterval(7_200))) }
            for (id, pinned) in zip(tickets, [true, false]) {
                let (_, _, fired) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: colleagueToken)
                #expect(fired["status"] as? String == "active")
                #expect(fired["agentID"] as? String == colleague.lowercased, "the follow-up went with the ticket, not back to the agent away")
                #expect(fired["pinned"] as? Bool == pinned)
            }
        }
    }

    @Test("A follow-up whose New Agent is another agent of the group transfers the ticket to them when due: a ticket.transferred, and their response time counts from then")
    func followUpToAnotherAgentIsATransfer() async throws {
        try await TicketTestKit.run { client, kit in
            let owner = try await kit.agent()
            let ownerToken = try await kit.token(owner, roles: ["Agent"])
            let colleague = try await kit.agent()
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/take", token: ownerToken)
            let due = Date().addingTimeInterval(3_600).formatted(.iso8601)
            let (scheduled, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/follow-up", token: ownerToken,
                body: #"{"at":"\#(due)","note":"Over to you","agentID":"\#(colleague.lowercased)"}"#)
            #expect(scheduled == .ok)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE response_transferred_at IS NOT NULL") == 0)
            #expect(try await Self.worker(kit).runOne(now: Date().addingTimeInterval(7_200)))
            let (_, _, fired) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: ownerToken)
            #expect(fired["agentID"] as? String == colleague.lowercased)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history WHERE action = 'ticket.transferred' AND details->>'cause' = 'follow_up'
                    AND details->>'oldAgentID' = '\(owner.lowercased)'
                """) == 1)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE response_transferred_at IS NOT NULL") == 1,
                    "the response clock restarted for the agent who received it")
        }
    }

    @Test("A follow-up makes the ticket wait, a customer message suspends it, and when due it is Active for its agent even if inactive")
    func followUps() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let due = Date().addingTimeInterval(3_600).formatted(.iso8601)
            let (scheduled, _, waiting) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: #"{"at":"\#(due)","note":"Call back","priority":"high","pin":true}"#)
            #expect(scheduled == .ok)
            #expect(waiting["status"] as? String == "waiting")
            #expect((waiting["followUp"] as? [String: Any])?["note"] as? String == "Call back")
            try await kit.setActive(agent, false)
            #expect(try await Self.worker(kit).runOne() == false, "not due yet")
            #expect(try await Self.worker(kit).runOne(now: Date().addingTimeInterval(7_200)))
            let (_, _, fired) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(fired["status"] as? String == "active")
            #expect(fired["agentID"] as? String == agent.lowercased, "the follow-up's agent, although inactive")
            #expect(fired["priority"] as? String == "high")
            #expect(fired["pinned"] as? Bool == true)
            #expect((fired["followUp"] as? [String: Any])?["due"] as? Bool == true, "the follow-up stays, marked due")

            _ = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: #"{"at":"\#(due)","note":"Chase them","priority":"urgent"}"#)
            let (_, _, suspended) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Any news?"}"#)
            #expect(suspended["followUp"] == nil || suspended["followUp"] is NSNull, "a customer message suspends the follow-up")
            let (_, _, dialog) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/follow-up", token: token)
            let previous = try #require(dialog["previous"] as? [String: Any], "the suspended follow-up's values fill the dialog again")
            #expect(previous["at"] as? String == due, "its time too")
            #expect(previous["note"] as? String == "Chase them")
            #expect(previous["priority"] as? String == "urgent")
            #expect(previous["agentID"] as? String == agent.lowercased)
            let (hidden, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/follow-up", token: customer.token)
            #expect(hidden == .notFound, "the follow-up is the agent's")
            #expect(suspended["status"] as? String == "active")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.timers WHERE kind = 'follow_up'") == 0)
            let types = try await kit.eventTypes()
            #expect(types.contains("ticket.followed_up"))
            #expect(types.contains("ticket.followup_suspended"))
        }
    }

    @Test("A follow-up without Pin Ticket leaves a pinned ticket pinned to its agent when it fires")
    func followUpKeepsPin() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/pin", token: token, body: #"{"pinned":true}"#).0 == .ok)
            let due = Date().addingTimeInterval(3_600).formatted(.iso8601)
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: #"{"at":"\#(due)"}"#).0 == .ok)
            #expect(try await Self.worker(kit).runOne(now: Date().addingTimeInterval(7_200)))
            let (_, _, fired) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(fired["status"] as? String == "active" && fired["agentID"] as? String == agent.lowercased)
            #expect(fired["pinned"] as? Bool == true)
            #expect(try await !kit.eventTypes().contains("ticket.unpinned"))
        }
    }

    @Test("A follow-up's agent belongs to its group: another is a 422, the scheduler outside it leaves it to round robin, and so does a transfer since")
    func followUpAgentInGroup() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let colleague = try await kit.agent(active: false)
            let second = try await kit.secondGroupAgent()
            let customer = try await kit.customer()
            let moved = try #require(try await kit.submit(client, token: customer.token, subject: "Moves")["id"] as? String)
            let transferred = try #require(try await kit.submit(client, token: customer.token, subject: "Transferred")["id"] as? String)
            let due = Date().addingTimeInterval(3_600).formatted(.iso8601)
            let group = second.group.lowercased

            let (refused, headers, problem) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(moved)/follow-up", token: token,
                body: #"{"at":"\#(due)","groupID":"\#(group)","agentID":"\#(colleague.lowercased)"}"#)
            #expect(refused == .unprocessableContent, "the colleague is not in the follow-up's group")
            #expect(headers[.contentType] == "application/problem+json")
            #expect((problem["errors"] as? [[String: String]])?.first?["field"] == "agentID")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE follow_up_at IS NOT NULL") == 0)
            let (scheduled, _, waiting) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(moved)/follow-up", token: token, body: #"{"at":"\#(due)","groupID":"\#(group)"}"#)
            #expect(scheduled == .ok)
            let autoAssigned = try #require(waiting["followUp"] as? [String: Any], "the follow-up is set")
            #expect(autoAssigned["agentID"] == nil || autoAssigned["agentID"] is NSNull, "the scheduler is not in that group: auto-assign there")

            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(transferred)/follow-up", token: token, body: #"{"at":"\#(due)"}"#).0 == .ok)
            #expect(try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(transferred)/transfer", token: token, body: #"{"groupID":"\#(group)"}"#).0 == .ok)

            let worker = Self.worker(kit)
            while try await worker.runOne(now: Date().addingTimeInterval(7_200)) {}
            for id in [moved, transferred] {
                let (_, _, fired) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: second.token)
                #expect(fired["status"] as? String == "active")
                #expect(fired["groupID"] as? String == group)
                #expect(fired["agentID"] as? String == second.agent.lowercased, "round robin in the group, not an agent outside it")
            }
        }
    }

    @Test("A due follow-up stays marked and listed through a customer's message until the agent replies")
    func dueFollowUp() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let at = Date().addingTimeInterval(3_600).formatted(.iso8601)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: #"{"at":"\#(at)"}"#)
            #expect(try await Self.worker(kit).runOne(now: Date().addingTimeInterval(7_200)))
            #expect(try await Self.worker(kit).runOne(now: Date().addingTimeInterval(7_200)) == false, "a due follow-up has no timer left")

            let (_, _, tree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: token)
            #expect(tree["followUps"] as? Int == 1)
            #expect(tree["followUpsDue"] as? Int == 1)
            let (_, _, listed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=followups", token: token)
            #expect(((listed["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == [id])

            let (_, _, replied) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Still there?"}"#)
            #expect(replied["followUp"] == nil || replied["followUp"] is NSNull, "the customer does not see the agent's follow-up")
            let (_, _, owed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect((owed["followUp"] as? [String: Any])?["due"] as? Bool == true, "the agent still owes the follow-up")
            #expect(try await kit.eventTypes().contains("ticket.followup_suspended") == false)

            let (answered, _, done) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Here is the news.","sendVariant":"waiting"}"#)
            #expect(answered == .created)
            #expect(done["followUp"] == nil || done["followUp"] is NSNull, "the reply deals with it")
            #expect(try await kit.eventTypes().contains("ticket.followup_done"))
            let (_, _, after) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: token)
            #expect(after["followUps"] as? Int == 0)
            #expect(after["followUpsDue"] as? Int == 0)
            let (_, _, empty) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=followups", token: token)
            #expect((empty["items"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test("A customer closing their ticket suspends its scheduled follow-up, and never sees it")
    func customerCloseSuspends() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: #"{"at":"2030-01-01T10:00:00Z","note":"Call"}"#)
            let (_, _, seen) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: customer.token)
            #expect(seen["followUp"] == nil || seen["followUp"] is NSNull, "the follow-up is the agent's")
            let (status, _, closed) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/close", token: customer.token)
            #expect(status == .ok)
            #expect(closed["status"] as? String == "closed")
            let (_, _, after) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(after["followUp"] == nil || after["followUp"] is NSNull)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.timers WHERE kind = 'follow_up'") == 0)
            #expect(try await kit.eventTypes().contains("ticket.followup_suspended"))
        }
    }

    @Test("Closing and locking a ticket removes its follow-up and the follow-up's timer")
    func closedAndLockedDropsFollowUp() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: #"{"at":"2030-01-01T10:00:00Z"}"#)
            let (status, _, locked) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/status", token: token, body: #"{"status":"closed_locked"}"#)
            #expect(status == .ok)
            #expect(locked["followUp"] == nil || locked["followUp"] is NSNull)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.timers WHERE kind = 'follow_up'") == 0)
            #expect(try await Self.worker(kit).runOne(now: Date(timeIntervalSince1970: 1_900_000_000)) == false, "nothing reopens it")
            let (_, _, tree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: token)
            #expect(tree["followUps"] as? Int == 0)
            #expect(try await kit.eventTypes().last == "ticket.followup_removed")
        }
    }

    @Test("Removing a follow-up restores the status before it: Active, Waiting or Closed")
    func removeFollowUp() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            for status in ["active", "waiting", "closed"] {
                let id = try #require(try await kit.submit(client, token: customer.token, subject: status)["id"] as? String)
                if status != "active" {
                    #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: token, body: #"{"status":"\#(status)"}"#).0 == .ok)
                }
                let (_, _, scheduled) = try await TicketTestKit.send(
                    client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: #"{"at":"2030-01-01T10:00:00Z"}"#)
                #expect(scheduled["status"] as? String == "waiting")
                let (_, _, restored) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)/follow-up", token: token)
                #expect(restored["status"] as? String == status)
            }
        }
    }

    @Test("A Closed and Locked ticket takes no follow-up, and deleting a ticket removes its follow-up and the follow-up's timer")
    func followUpsEndWithTheTicket() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            let locked = try #require(try await kit.submit(client, token: customer.token, subject: "Locked")["id"] as? String)
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(locked)/status", token: token, body: #"{"status":"closed_locked"}"#).0 == .ok)
            let (refused, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(locked)/follow-up", token: token, body: #"{"at":"2030-01-01T10:00:00Z"}"#)
            #expect(refused == .conflict)

            let id = try #require(try await kit.submit(client, token: customer.token, subject: "Deleted")["id"] as? String)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: #"{"at":"2030-01-01T10:00:00Z"}"#)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.timers WHERE kind = 'follow_up'") == 1)
            let (deleted, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)", token: try await kit.token(UUID(), roles: ["Administrator"]))
            #expect(deleted == .noContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE follow_up_at IS NOT NULL") == 0)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.timers WHERE kind = 'follow_up'") == 0)
            #expect(try await kit.eventTypes().contains("ticket.followup_removed"))
        }
    }

    /// Moves the ticket's status time (and its timers) `hours` into the past.
    static func age(_ kit: TicketTestKit, _ id: String, hours: Int) async throws {
        try await kit.database.client.query(PostgresQuery(unsafeSQL: """
            UPDATE \(kit.database.table("tickets")) SET status_since = status_since - interval '\(hours) hours',
                closed_at = closed_at - interval '\(hours) hours' WHERE id = '\(id)'
            """)).consume()
        try await kit.database.client.query(PostgresQuery(unsafeSQL: """
            UPDATE \(kit.database.table("timers")) SET due_at = due_at - interval '\(hours) hours' WHERE ticket_id = '\(id)'
            """)).consume()
    }

    @Test("A Waiting ticket auto-closes the hours after the last action on it: a comment or a reply two days in puts the close two days later, an automatic time log does not")
    func autoCloseCountsFromTheLastAction() async throws {
        try await TicketTestKit.run { client, kit in
            try await Self.enableTimers(kit, close: 168)
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let commented = try await Self.waitingTicket(client, kit, token: token)
            let replied = try await Self.waitingTicket(client, kit, token: token)
            let viewed = try await Self.waitingTicket(client, kit, token: token)
            try await kit.identity("management_settings.changed", ["settings": ["automaticTimeLogs": true, "staleAfterDays": 365], "version": 2])
            for id in [commented, replied, viewed] { try await Self.age(kit, id, hours: 48) }
            #expect(try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(commented)/comments", token: token, body: #"{"body":"Still waiting"}"#).0 == .created)
            #expect(try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(replied)/replies", token: token, body: #"{"body":"Any news?","sendVariant":"waiting"}"#).0 == .created)
            let (_, _, opened) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(viewed)/views", token: token)
            let viewID = try #require(opened["viewID"] as? String)
            try await kit.database.client.query(PostgresQuery(unsafeSQL: """
                UPDATE \(kit.database.table("ticket_views")) SET opened_at = opened_at - interval '5 minutes' WHERE id = '\(viewID)'
                """)).consume()
            let (_, _, closedView) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(viewed)/views/\(viewID)", token: token)
            #expect(closedView["timeLog"] != nil, "closing the owner's view logged its five minutes")
            let worker = Self.worker(kit)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(121 * 3_600)), "168 hours after it was marked Waiting")
            #expect(try await worker.runOne(now: Date().addingTimeInterval(121 * 3_600)) == false, "the comment and the reply started the wait again")
            let status = { (id: String) in try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token).2["status"] as? String }
            #expect(try await status(viewed) == "closed", "the time a window was open is no action on the ticket")
            #expect(try await status(commented) == "waiting")
            #expect(try await status(replied) == "waiting")
            for _ in 0..<2 { #expect(try await worker.runOne(now: Date().addingTimeInterval(169 * 3_600))) }
            #expect(try await status(commented) == "closed")
            #expect(try await status(replied) == "closed")
        }
    }

    @Test("An unlocked ticket locks again the hours after its unlocking, not at once")
    func unlockedTicketLocksLater() async throws {
        try await TicketTestKit.run { client, kit in
            try await Self.enableTimers(kit, lock: 322)
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let id = try await Self.waitingTicket(client, kit, token: token)
            let path = "/api/v1/tickets/\(id)/status"
            #expect(try await TicketTestKit.send(client, .put, path, token: token, body: #"{"status":"closed"}"#).0 == .ok)
            try await Self.age(kit, id, hours: 400)
            let worker = Self.worker(kit)
            #expect(try await worker.runOne(now: Date()), "locked 322 hours after it was closed")
            #expect(try await TicketTestKit.send(client, .put, path, token: token, body: #"{"status":"closed"}"#).0 == .ok)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(3_600)) == false, "unlocked a moment ago")
            #expect(try await worker.runOne(now: Date().addingTimeInterval(323 * 3_600)))
            let (_, _, locked) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(locked["status"] as? String == "closed_locked")
        }
    }

    @Test("Waiting tickets auto-close after the department's hours, closed ones auto-lock, then auto-delete; each runs once")
    func autoCloseLockDelete() async throws {
        try await TicketTestKit.run { client, kit in
            try await Self.enableTimers(kit, close: 168, lock: 322, delete: 365)
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let id = try await Self.waitingTicket(client, kit, token: token)
            let worker = Self.worker(kit)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(167 * 3_600)) == false)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(169 * 3_600)))
            #expect(try await worker.runOne(now: Date().addingTimeInterval(169 * 3_600)) == false, "a timer runs once")
            let (_, _, closed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(closed["status"] as? String == "closed")
            #expect(try await worker.runOne(now: Date().addingTimeInterval(323 * 3_600)))
            let (_, _, locked) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(locked["status"] as? String == "closed_locked")
            #expect(try await worker.runOne(now: Date().addingTimeInterval(366 * 86_400)))
            let (_, _, deleted) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(deleted["deletedAt"] != nil, "auto-deleted")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.timers WHERE kind = 'purge'") == 1)
        }
    }

    @Test("Auto-close waits for the ticket's tasks when the department requires them completed, and closes once they are")
    func autoCloseWaitsForTasks() async throws {
        try await TicketTestKit.run { client, kit in
            try await kit.departmentSettings(
                ["tickets": ["requireAllTasksCompletedToClose": true, "autoCloseEnabled": true, "autoCloseAfterHours": 168]], version: 2)
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let id = try await Self.waitingTicket(client, kit, token: token)
            let (_, _, task) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/tasks", token: token, body: #"{"subject":"Order a fuser"}"#)
            let taskID = try #require(task["id"] as? String)
            let worker = Self.worker(kit)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(169 * 3_600)))
            let status = { try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token).2["status"] as? String }
            #expect(try await status() == "waiting", "an unfinished task keeps it open")
            #expect(try await worker.runOne(now: Date().addingTimeInterval(169 * 3_600)) == false, "looked at again in an hour")
            #expect(try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/tasks/\(taskID)", token: token, ifMatch: "\"1\"", body: #"{"status":"completed"}"#).0 == .ok)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(171 * 3_600)))
            #expect(try await status() == "closed")
        }
    }

    @Test("A timer its ticket refuses is put off and logged, and the timers due after it still run")
    func refusedTimerDoesNotHoldUpOthers() async throws {
        try await TicketTestKit.run { client, kit in
            try await Self.enableTimers(kit, close: 168)
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let refusing = try await Self.waitingTicket(client, kit, token: token)
            let other = try await Self.waitingTicket(client, kit, token: token)
            try await Self.age(kit, refusing, hours: 1)
            // The database refusing what closing this one ticket would write, as a check constraint would.
            try await kit.database.client.query(PostgresQuery(unsafeSQL: """
                CREATE FUNCTION \(kit.database.table("refuse_one")) () RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.id = '\(refusing)' AND NEW.status = 'closed' THEN RAISE EXCEPTION 'refused' USING ERRCODE = '23514'; END IF;
                    RETURN NEW;
                END $$
                """)).consume()
            try await kit.database.client.query(PostgresQuery(unsafeSQL: """
                CREATE TRIGGER refuse_one BEFORE UPDATE ON \(kit.database.table("tickets"))
                    FOR EACH ROW EXECUTE FUNCTION \(kit.database.table("refuse_one"))()
                """)).consume()
            let worker = Self.worker(kit)
            let now = Date().addingTimeInterval(169 * 3_600)
            #expect(try await worker.runOne(now: now), "the refused timer is put off")
            #expect(try await worker.runOne(now: now), "the next one runs")
            #expect(try await worker.runOne(now: now) == false)
            let status = { (id: String) in try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token).2["status"] as? String }
            #expect(try await status(other) == "closed")
            #expect(try await status(refusing) == "waiting")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.timers WHERE ticket_id = '\(refusing)' AND kind = 'auto_close'
                  AND due_at > now() + interval '169 hours'
                """) == 1, "tried again later")
        }
    }

    @Test("A timer another instance holds is skipped, not run twice; workers racing over 30 due auto-closes close each ticket exactly once")
    func timersRunOnceUnderRace() async throws {
        try await TicketTestKit.run { client, kit in
            try await Self.enableTimers(kit, close: 1)
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            for index in 0..<30 {
                let id = try #require(try await kit.submit(client, token: customer.token, subject: "Race \(index)")["id"] as? String)
                _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Try this.","sendVariant":"waiting"}"#)
            }
            let later = Date().addingTimeInterval(2 * 3_600)
            let drain: @Sendable () async throws -> Int = {
                let worker = Self.worker(kit)
                var runs = 0
                while try await worker.runOne(now: later) { runs += 1 }
                return runs
            }
            // Another instance in the middle of running the earliest timer: its ticket stays locked until that commits.
            let whileHeld = try await kit.database.transaction { connection in
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        SELECT t.id FROM \(kit.database.table("timers")) tm JOIN \(kit.database.table("tickets")) t ON t.id = tm.ticket_id
                        ORDER BY tm.due_at LIMIT 1 FOR UPDATE OF t
                        """), logger: kit.database.logger
                ).consume()
                return try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<2 { group.addTask { try await drain() } }
                    return try await group.reduce(0, +)
                }
            }
            #expect(whileHeld == 29, "the held timer is skipped; each other one runs once")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.timers WHERE kind = 'auto_close'") == 1)
            #expect(try await drain() == 1, "once released, it runs")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE status = 'closed'") == 30)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history WHERE action = 'ticket.status_changed' AND details->>'to' = 'closed'
                """) == 30, "each ticket closed once")
        }
    }

    @Test("A due timer whose ticket is being changed is passed over at once, and the change rewrites the timers without a deadlock")
    func timerYieldsToAChange() async throws {
        try await TicketTestKit.run { client, kit in
            try await Self.enableTimers(kit, close: 1)
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let id = try await Self.waitingTicket(client, kit, token: token)
            let ticket = try #require(UUID(uuidString: id))
            let database = kit.database
            let started = ContinuousClock.now
            // A change of the ticket as every change runs: the ticket locked first, its timers rewritten later.
            let ran = try await database.transaction(retryingDeadlocks: false) { connection in
                var binds = PostgresBindings()
                binds.append(ticket)
                try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT id FROM \(database.table("tickets")) WHERE id = $1 FOR UPDATE", binds: binds), logger: database.logger
                ).consume()
                async let fired = Self.worker(kit).runOne(now: Date().addingTimeInterval(2 * 3_600))
                try await Task.sleep(for: .milliseconds(200))
                try await connection.query(
                    PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("timers")) WHERE ticket_id = $1", binds: binds), logger: database.logger
                ).consume()
                return try await fired
            }
            #expect(ran == false, "the worker passed the held ticket over")
            #expect(ContinuousClock.now - started < .milliseconds(900), "nobody waited for PostgreSQL to break a deadlock")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.timers") == 0, "the change's rewrite stands")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE status = 'waiting'") == 1)
        }
    }

    @Test("Changing a department's timers re-times its existing tickets: turned on they close, turned off their timers never act")
    func departmentTimersChange() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let id = try await Self.waitingTicket(client, kit, token: token)
            let worker = Self.worker(kit)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(400 * 86_400)) == false, "no department timer yet")

            try await Self.enableTimers(kit, close: 24, version: 2)
            #expect(try await kit.api.store.resyncDepartmentTimers(batchSize: 1), "a batch of one ticket")
            #expect(try await kit.api.store.resyncDepartmentTimers(batchSize: 1), "the sweep ends with an empty batch")
            #expect(try await kit.api.store.resyncDepartmentTimers(batchSize: 1) == false)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.timers WHERE kind = 'auto_close'") == 1)

            try await Self.enableTimers(kit, version: 3)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(25 * 3_600)), "the old timer is claimed")
            let (_, _, kept) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(kept["status"] as? String == "waiting", "a timer whose setting was turned off does not act")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.timers WHERE kind = 'auto_close'") == 0)

            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.outbox WHERE convert_from(payload, 'UTF8') LIKE '%notifyCustomer%'") == 0)
            try await Self.enableTimers(kit, close: 48, notify: true, version: 4)
            while try await kit.api.store.resyncDepartmentTimers() {}
            #expect(try await worker.runOne(now: Date().addingTimeInterval(25 * 3_600)) == false, "re-timed to the new 48 hours")
            #expect(try await worker.runOne(now: Date().addingTimeInterval(49 * 3_600)))
            let (_, _, closed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(closed["status"] as? String == "closed")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.outbox WHERE convert_from(payload, 'UTF8') LIKE '%"notifyCustomer":"true"%'
                """) == 1, "the auto-close event tells the mailer to notify the customer, as the department asks")
        }
    }

    @Test("Auto-delete leaves closed tickets with a resolution unless the department includes them")
    func autoDeleteResolved() async throws {
        try await TicketTestKit.run { client, kit in
            try await Self.enableTimers(kit, delete: 30)
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/comments", token: token, body: #"{"type":"resolution","body":"Replaced the fuser."}"#)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: token, body: #"{"status":"closed"}"#)
            let worker = Self.worker(kit)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(31 * 86_400)) == false, "its resolution keeps it")
            try await Self.enableTimers(kit, delete: 30, deleteResolved: true, version: 3)
            while try await kit.api.store.resyncDepartmentTimers() {}
            #expect(try await worker.runOne(now: Date().addingTimeInterval(31 * 86_400)))
            let (read, _, deleted) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(read == .ok && deleted["deletedAt"] != nil, "auto-deleted once the department includes tickets with resolutions")
            #expect(deleted["deletedBy"] == nil, "by the department's Auto-Delete, not by someone")
        }
    }

    @Test("Agents may not delete; a permitted delete hides the ticket and purges it after 90 days")
    func deleteAndPurge() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let agentToken = try await kit.token(agent, roles: ["Agent"])
            let adminID = UUID()
            let admin = try await kit.token(adminID, roles: ["Administrator"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let (denied, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)", token: agentToken)
            #expect(denied == .forbidden)
            let (deleted, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)", token: admin)
            #expect(deleted == .noContent)
            let (listed, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=all&status=closed_locked", token: admin)
            #expect(listed == .ok && (page["items"] as? [Any])?.isEmpty == true, "out of every list")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.agent_groups WHERE new_active > 0") == 0, "the agent's count is released")
            let worker = Self.worker(kit)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(89 * 86_400)) == false)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(91 * 86_400)))
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0)
            let (purged, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: admin)
            #expect(purged == .notFound, "a purged ticket is gone")
            #expect(try await kit.eventTypes().suffix(2) == ["ticket.deleted", "ticket.purged"])
        }
    }

    @Test("The purge period is a setting: shortened, deleted tickets and tasks go sooner; lengthened, a purge falling due is put off; 0 is a 422")
    func purgePeriodSetting() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let agentToken = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            let first = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let second = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let (_, _, task) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(first)/tasks", token: agentToken, body: #"{"subject":"Call back"}"#)
            let taskID = try #require(task["id"] as? String)
            #expect(try await TicketTestKit.send(client, .delete, "/api/v1/tickets/tasks/\(taskID)", token: admin).0 == .noContent)
            for id in [first, second] { #expect(try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)", token: admin).0 == .noContent) }
            let worker = Self.worker(kit)
            #expect(try await worker.keepHouse(purgesTimedFor: nil) == 90)

            let (read, headers, settings) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/settings", token: agentToken)
            #expect(read == .ok && (settings["settings"] as? [String: Any])?["purgeDeletedAfterDays"] as? Int == 90)
            let (refused, _, problem) = try await TicketTestKit.send(client, .patch, "/api/v1/tickets/settings", token: admin, body: #"{"purgeDeletedAfterDays":0}"#)
            #expect(refused == .unprocessableContent && "\(problem)".contains("purgeDeletedAfterDays"))
            let (changed, _, _) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/settings", token: admin, ifMatch: headers[.eTag], body: #"{"purgeDeletedAfterDays":30}"#)
            #expect(changed == .ok)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(31 * 86_400)) == false, "the timers were set for 90 days")
            #expect(try await worker.keepHouse(purgesTimedFor: 90) == 30)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(29 * 86_400)) == false)
            _ = try await kit.count("UPDATE {schema}.tasks SET deleted_at = now() - interval '31 days' RETURNING 1")
            _ = try await kit.count("UPDATE {schema}.tickets SET deleted_at = now() - interval '31 days' WHERE id = '\(first)' RETURNING 1")
            _ = try await worker.keepHouse(purgesTimedFor: nil)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tasks") == 0, "the deleted task went at 30 days")
            #expect(try await worker.runOne())
            #expect(try await worker.runOne() == false)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 1, "the ticket deleted 31 days ago went")

            let (_, latest, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/settings", token: admin)
            #expect(try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/settings", token: admin, ifMatch: latest[.eTag], body: #"{"purgeDeletedAfterDays":60}"#).0 == .ok)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(31 * 86_400)), "the timer, still set for 30 days, fires")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 1, "and is put off to 60 days, not purged")
            #expect(try await worker.runOne(now: Date().addingTimeInterval(59 * 86_400)) == false)
            #expect(try await worker.runOne(now: Date().addingTimeInterval(61 * 86_400)))
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0)
        }
    }

    @Test("A deleted ticket opens read-only for the agents who could read it until it is purged; its customer and other groups get 404")
    func deletedTicketReadOnly() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let agentToken = try await kit.token(agent, roles: ["Agent"])
            let adminID = UUID()
            let admin = try await kit.token(adminID, roles: ["Administrator"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let other = try await kit.secondGroupAgent()
            try await kit.agent(in: other.group, id: customer.id)
            let customerAsAgent = try await kit.token(customer.id, roles: ["Agent"])
            let (asCustomer, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: customerAsAgent)
            #expect(asCustomer == .ok, "an agent of another group reads their own ticket as its customer")
            let (deleted, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)", token: admin)
            #expect(deleted == .noContent)

            let (read, headers, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: agentToken)
            #expect(read == .ok)
            #expect(ticket["status"] as? String == "closed_locked" && ticket["deletedAt"] is String)
            #expect(ticket["deletedBy"] as? String == adminID.lowercased)
            #expect(headers[.eTag] != nil)
            let (timeline, _, items) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: agentToken)
            #expect(timeline == .ok && (items["items"] as? [Any])?.isEmpty == false, "its messages are there to read")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.ticket_reads") == 0, "reading a deleted ticket holds nothing")

            let before = try await kit.count("SELECT count(*)::int FROM {schema}.history")
            for (method, path, body, token) in [
                (HTTPRequest.Method.post, "replies", #"{"body":"Found it"}"#, agentToken), (.post, "comments", #"{"body":"Note"}"#, agentToken),
                (.put, "status", #"{"status":"active"}"#, agentToken), (.put, "priority", #"{"priority":"urgent"}"#, agentToken),
                (.get, "compose", "", agentToken), (.delete, "", "", admin),
            ] {
                let (refused, headers, problem) = try await TicketTestKit.send(
                    client, method, "/api/v1/tickets/\(id)" + (path.isEmpty ? "" : "/\(path)"), token: token, body: body)
                #expect(refused == .conflict, "\(method) \(path)")
                #expect(headers[.contentType] == "application/problem+json")
                #expect((problem["detail"] as? String)?.contains("deleted") == true)
            }
            let (bulk, _, outcome) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: agentToken, body: #"{"ticketIDs":["\#(id)"],"action":"priority","priority":"urgent"}"#)
            #expect(bulk == .ok)
            #expect((outcome["items"] as? [[String: Any]])?.first?["status"] as? Int == 409, "a bulk action refuses it as a single one does")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.history") == before, "nothing was written")

            let number = try #require(ticket["number"] as? String)
            let (byNumber, _, numbered) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/by-number/\(number)", token: agentToken)
            #expect(byNumber == .ok && numbered["id"] as? String == id && numbered["deletedAt"] is String, "its number opens it read-only too")
            let (otherByNumber, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/by-number/\(number)", token: other.token)
            #expect(otherByNumber == .notFound)

            let (customersView, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: customer.token)
            #expect(customersView == .notFound, "the portal no longer shows it")
            let (agentCustomersView, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: customerAsAgent)
            #expect(agentCustomersView == .notFound, "nor to its customer who is also an agent")
            let (otherGroup, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: other.token)
            #expect(otherGroup == .notFound, "deleting shows it to nobody new")
            let (otherChange, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/priority", token: other.token, body: #"{"priority":"urgent"}"#)
            #expect(otherChange == .notFound, "nor says it exists")
        }
    }
}

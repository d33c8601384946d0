import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Transfer, take, pin and merge", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketHandlingTests {
    @Test("A transfer moves the ticket to the new group's round robin with a Transfer comment; idle time is kept; without a new group it stays in its own")
    func transfer() async throws {
        try await TicketTestKit.run { client, kit in
            let first = try await kit.agent()
            let level2 = UUID()
            try await kit.identity("group.created", ["id": level2.lowercased, "departmentID": kit.departmentID.lowercased, "name": "Level 2"])
            let second = try await kit.agent(in: level2)
            let token = try await kit.token(first, roles: ["Agent"])
            let ticket = try await kit.submit(client, token: try await kit.customer().token)
            let id = try #require(ticket["id"] as? String)
            let essay = String(repeating: "x", count: 100_001)
            let (tooLong, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(level2.lowercased)","comment":"\#(essay)"}"#)
            #expect(tooLong == .unprocessableContent, "a transfer's comment is at most as long as a comment")
            let (moved, _, transferred) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(level2.lowercased)","comment":"Needs level 2"}"#)
            #expect(moved == .ok)
            #expect(transferred["groupID"] as? String == level2.lowercased)
            #expect(transferred["agentID"] as? String == second.lowercased)
            #expect(transferred["idleSince"] as? String == ticket["idleSince"] as? String, "idle time is not reset")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.comments WHERE type = 'transfer'") == 1)
            #expect(try await kit.count("SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(first.lowercased)'") == 0)
            let third = try await kit.agent(in: level2)
            let (within, _, colleague) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: try await kit.administratorToken(), body: #"{"agentID":"\#(third.lowercased)"}"#)
            #expect(within == .ok, "a transfer without a new group stays in the ticket's group")
            #expect(colleague["groupID"] as? String == level2.lowercased && colleague["agentID"] as? String == third.lowercased)
            let (unknown, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: try await kit.token(second, roles: ["Agent"]), body: #"{"groupID":"\#(UUID().uuidString)"}"#)
            #expect(unknown == .unprocessableContent)
        }
    }

    @Test("A transfer that closes the ticket passes the close guards of the department it goes to, not those of the one it leaves")
    func transferClosesUnderTheNewDepartment() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let (guarded, guardedGroup) = (UUID(), UUID())
            try await kit.identity("department.created", [
                "id": guarded.lowercased, "brandID": kit.brandID.lowercased, "name": "Billing", "frontLineGroupID": guardedGroup.lowercased,
                "version": 1, "settings": ["tickets": ["requireResolutionToClose": true]],
            ])
            try await kit.identity("group.created", ["id": guardedGroup.lowercased, "departmentID": guarded.lowercased, "name": "Billing Front Line"])
            let colleague = try await kit.agent(in: guardedGroup)
            let token = try await kit.token(agent, roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)

            let (refused, _, problem) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(guardedGroup.lowercased)","status":"closed"}"#)
            #expect(refused == .unprocessableContent)
            #expect((problem["detail"] as? String)?.contains("resolution") == true)
            let (_, _, unchanged) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(unchanged["departmentID"] as? String == kit.departmentID.lowercased, "the refused transfer moved nothing")
            #expect(unchanged["status"] as? String == "active")

            let (moved, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(guardedGroup.lowercased)"}"#)
            #expect(moved == .ok)
            let (back, _, closed) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: try await kit.token(colleague, roles: ["Agent"]),
                body: #"{"groupID":"\#(kit.frontLineID.lowercased)","status":"closed"}"#)
            #expect(back == .ok, "the department it goes to does not ask for a resolution")
            #expect(closed["status"] as? String == "closed")
        }
    }

    @Test("A transfer with Pin Ticket pins the ticket to the agent who receives it; one that ends in the queue is nobody's pin")
    func transferPins() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (staffed, receiver) = try await SendVariantTests.levelTwo(kit)
            let empty = UUID()
            try await kit.identity("group.created", ["id": empty.lowercased, "departmentID": kit.departmentID.lowercased, "name": "Nobody yet"])
            let customer = try await kit.customer()
            let first = try #require(try await kit.submit(client, token: customer.token, subject: "One")["id"] as? String)
            let (_, _, pinned) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(first)/transfer", token: token, body: #"{"groupID":"\#(staffed.lowercased)","pin":true}"#)
            #expect(pinned["agentID"] as? String == receiver.lowercased && pinned["pinned"] as? Bool == true)
            let second = try #require(try await kit.submit(client, token: customer.token, subject: "Two")["id"] as? String)
            let (moved, _, queued) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(second)/transfer", token: token, body: #"{"groupID":"\#(empty.lowercased)","pin":true}"#)
            #expect(moved == .ok)
            #expect(queued["agentID"] == nil && queued["pinned"] as? Bool == false)
        }
    }

    @Test("A Waiting ticket transferred by round robin reaches an agent at their Max Tickets, which it does not count toward; an Active one waits in the queue")
    func waitingTransferIgnoresMax() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let full = UUID()
            try await kit.identity("group.created", ["id": full.lowercased, "departmentID": kit.departmentID.lowercased, "name": "Full"])
            let busy = try await kit.agent(in: full, maxTickets: 1)
            let customer = try await kit.customer()
            let transfer = #"{"groupID":"\#(full.lowercased)"}"#
            var moved: [[String: Any]] = []
            for (subject, variant) in [("Fills the room", "active"), ("Waits for the customer", "waiting"), ("No room left", "active")] {
                let id = try #require(try await kit.submit(client, token: customer.token, subject: subject)["id"] as? String)
                _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"On it.","sendVariant":"\#(variant)"}"#)
                let (status, _, ticket) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: transfer)
                #expect(status == .ok)
                moved.append(ticket)
            }
            #expect(moved[0]["agentID"] as? String == busy.lowercased, "the first Active ticket fills their one slot")
            #expect(moved[1]["agentID"] as? String == busy.lowercased && moved[1]["status"] as? String == "waiting", "a Waiting one is no new ticket")
            #expect(moved[2]["agentID"] == nil, "another Active one waits in the queue")
        }
    }

    @Test("Changes made along with another announce themselves too: a transfer's and a follow-up's comments, a pin lost to a take or a transfer, the status a removed follow-up restores")
    func sideEffectsAreEvents() async throws {
        try await TicketTestKit.run { client, kit in
            let owner = try await kit.agent()
            let token = try await kit.token(owner, roles: ["Agent"])
            let (level2, second) = try await SendVariantTests.levelTwo(kit)
            let customer = try await kit.customer()
            func events(after work: () async throws -> Void) async throws -> [String] {
                let before = try await kit.eventTypes().count
                try await work()
                return Array(try await kit.eventTypes().dropFirst(before))
            }
            let id = try #require(try await kit.submit(client, token: customer.token, subject: "One")["id"] as? String)
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/pin", token: token, body: #"{"pinned":true}"#).0 == .ok)
            let transferred = try await events {
                _ = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(level2.lowercased)","comment":"Level 2 please"}"#)
            }
            #expect(transferred.contains("ticket.comment_added") && transferred.contains("ticket.unpinned"), "\(transferred)")

            let other = try #require(try await kit.submit(client, token: customer.token, subject: "Two")["id"] as? String)
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(other)/pin", token: token, body: #"{"pinned":true}"#).0 == .ok)
            let secondToken = try await kit.token(second, roles: ["Agent"])
            try await kit.identity("agent.membership_changed", [
                "groupID": kit.frontLineID.lowercased, "departmentID": kit.departmentID.lowercased, "userID": second.lowercased,
                "ticketHandling": "pull", "excludedChannels": [String](), "ticketsActive": true,
            ])
            let taken = try await events { _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(other)/take", token: secondToken) }
            #expect(taken.contains("ticket.unpinned"), "\(taken)")

            let scheduled = try await events {
                _ = try await TicketTestKit.send(
                    client, .put, "/api/v1/tickets/\(other)/follow-up", token: secondToken, body: #"{"at":"2030-01-01T10:00:00Z","note":"Call Monday"}"#)
            }
            #expect(scheduled.contains("ticket.comment_added"), "\(scheduled)")
            let removed = try await events { _ = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(other)/follow-up", token: secondToken) }
            #expect(removed == ["ticket.followup_removed", "ticket.status_changed"], "Waiting back to Active")
        }
    }

    @Test("Pull-from-queue agents are never assigned automatically but take from the queue")
    func pullFromQueue() async throws {
        try await TicketTestKit.run { client, kit in
            let puller = try await kit.agent(handling: "pull")
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let token = try await kit.token(puller, roles: ["Agent"])
            let (_, _, queue) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=queue", token: token)
            #expect((queue["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            let (took, _, taken) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/take", token: token)
            #expect(took == .ok)
            #expect(taken["agentID"] as? String == puller.lowercased)
            let (_, _, mine) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine", token: token)
            #expect((mine["items"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test("Take makes a colleague's Waiting or Closed ticket an Active one of the taker's; Closed and Locked stays as it is")
    func takeMakesActive() async throws {
        try await TicketTestKit.run { client, kit in
            let owner = try await kit.agent()
            let ownerToken = try await kit.token(owner, roles: ["Agent"])
            let customer = try await kit.customer()
            var ids: [String] = []
            for (subject, status) in [("Waiting", "waiting"), ("Closed", "closed"), ("Locked", "closed_locked")] {
                let id = try #require(try await kit.submit(client, token: customer.token, subject: subject)["id"] as? String)
                #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: ownerToken, body: #"{"status":"\#(status)"}"#).0 == .ok)
                ids.append(id)
            }
            let taker = try await kit.agent(handling: "pull")
            let token = try await kit.token(taker, roles: ["Agent"])
            for (id, expected) in zip(ids, ["active", "active", "closed_locked"]) {
                let (took, _, taken) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/take", token: token)
                #expect(took == .ok)
                #expect(taken["agentID"] as? String == taker.lowercased)
                #expect(taken["status"] as? String == expected)
            }
            #expect(try await kit.count("SELECT coalesce(sum(n), 0)::int FROM {schema}.ticket_counts WHERE scope = 'agent' AND status = 'active' AND scope_id = '\(taker.lowercased)'") == 2,
                "the view counts follow")
            #expect(try await kit.eventTypes().filter { $0 == "ticket.status_changed" }.count == 5)
        }
    }

    @Test("A pinned ticket stays with its inactive owner when the customer replies")
    func pinned() async throws {
        try await TicketTestKit.run { client, kit in
            let owner = try await kit.agent()
            let token = try await kit.token(owner, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let (pinned, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/pin", token: token, body: #"{"pinned":true}"#)
            #expect(pinned == .ok)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Wait","sendVariant":"waiting"}"#)
            try await kit.setActive(owner, false)
            _ = try await kit.agent()
            let (_, _, reply) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Back"}"#)
            #expect(reply["agentID"] as? String == owner.lowercased)
        }
    }

    @Test("Merging keeps the primary, moves the others' messages and newest draft, forwards their numbers, and refuses more than ten")
    func merge() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            var tickets: [[String: Any]] = []
            for index in 0..<3 { tickets.append(try await kit.submit(client, token: customer.token, subject: "Part \(index)")) }
            let ids = tickets.compactMap { $0["id"] as? String }
            for (index, text) in [(1, "<p>Older reply</p>"), (2, "<p>Half-written reply</p>")] {
                let (drafted, _, _) = try await TicketTestKit.send(
                    client, .put, "/api/v1/tickets/\(ids[index])/draft", token: token, body: #"{"bodyHTML":"\#(text)"}"#)
                #expect(drafted == .ok)
            }
            let (merged, _, primary) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(ids[0])","ticketIDs":["\#(ids[1])","\#(ids[2])"]}"#)
            #expect(merged == .ok)
            let (_, _, draft) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[0])/draft", token: token)
            #expect(draft["bodyHTML"] as? String == "<p>Half-written reply</p>", "the newest draft of the merged tickets goes on in the primary")
            #expect(primary["subject"] as? String == "Part 0")
            #expect(primary["messagesIn"] as? Int == 3)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[0])/timeline", token: token)
            #expect((timeline["items"] as? [[String: Any]])?.count == 3)
            let (gone, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[1])", token: token)
            #expect(gone == .notFound)
            let oldNumber = try #require(tickets[1]["number"] as? String)
            let (forwarded, _, found) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/by-number/\(oldNumber)", token: token)
            #expect(forwarded == .ok)
            #expect(found["id"] as? String == ids[0])
            let many = (0..<10).map { _ in #""\#(UUID().uuidString)""# }.joined(separator: ",")
            let (tooMany, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(ids[0])","ticketIDs":[\#(many)]}"#)
            #expect(tooMany == .unprocessableContent)
            #expect(try await kit.count("SELECT new_active FROM {schema}.agent_groups") == 1, "only the primary still counts")
        }
    }

    @Test("Merging two tickets of one customer into another customer's ticket lets that customer share it once")
    func mergeSharesOneCustomerOnce() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (owner, sharer) = (try await kit.customer(), try await kit.customer())
            let primary = try #require(try await kit.submit(client, token: owner.token, subject: "Mine")["id"] as? String)
            var others: [String] = []
            for subject in ["Theirs", "Theirs again"] { others.append(try #require(try await kit.submit(client, token: sharer.token, subject: subject)["id"] as? String)) }
            let (merged, _, answer) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(primary)","ticketIDs":["\#(others[0])","\#(others[1])"]}"#)
            #expect(merged == .ok, "\(answer)")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.ticket_participants WHERE ticket_id = '\(primary)'") == 1)
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(primary)", token: sharer.token).0 == .ok)
        }
    }

    @Test("A deleted ticket is not merged, either way round (409, nothing written); rebalancing a group the directory does not hold is a 422")
    func mergeRefusesDeletedAndRebalanceUnknownGroup() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let customer = try await kit.customer()
            let live = try #require(try await kit.submit(client, token: customer.token, subject: "Live")["id"] as? String)
            let deleted = try #require(try await kit.submit(client, token: customer.token, subject: "Deleted")["id"] as? String)
            #expect(try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(deleted)", token: admin).0 == .noContent)
            for (primary, other) in [(live, deleted), (deleted, live)] {
                let (status, headers, _) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/merge", token: admin, body: #"{"primaryID":"\#(primary)","ticketIDs":["\#(other)"]}"#)
                #expect(status == .conflict && headers[.contentType] == "application/problem+json")
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.forwarders") == 0)
            let (unknown, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance", token: admin, body: #"{"groupID":"\#(UUID().lowercased)"}"#)
            #expect(unknown == .unprocessableContent)
        }
    }

    @Test("Merging frees the Max Tickets room a merged ticket held, which the queue fills, and the primary is idle since the newest merged message")
    func mergeFreesRoomAndKeepsTheNewestIdle() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent(maxTickets: 2)
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            var tickets: [[String: Any]] = []
            for index in 0..<3 { tickets.append(try await kit.submit(client, token: customer.token, subject: "Part \(index)")) }
            let ids = tickets.compactMap { $0["id"] as? String }
            #expect(tickets.map { $0["agentID"] as? String } == [agent.lowercased, agent.lowercased, nil], "the third waits in the queue")
            try await ResponseClockTests.backdate(kit, ids[0], minutes: 60)
            let (merged, _, primary) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(ids[0])","ticketIDs":["\#(ids[1])"]}"#)
            #expect(merged == .ok, "\(primary)")
            #expect(primary["idleSince"] as? String == tickets[1]["idleSince"] as? String, "the merged ticket's message is the newest")
            let (_, _, third) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[2])", token: token)
            #expect(third["agentID"] as? String == agent.lowercased, "the room the merged ticket held went to the queue")
            #expect(try await kit.count("SELECT new_active FROM {schema}.agent_groups") == 2)
        }
    }

    @Test("Ten tickets merge at once; the merged ones' comments and history join the primary's, whose status stays, and an old number reaches the last primary after a second merge")
    func mergeJoinsTheStreams() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            var tickets: [[String: Any]] = []
            for index in 0..<10 { tickets.append(try await kit.submit(client, token: customer.token, subject: "Part \(index)")) }
            let ids = tickets.compactMap { $0["id"] as? String }
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[1])/status", token: token, body: #"{"status":"waiting"}"#).0 == .ok)
            let (commented, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ids[1])/comments", token: token, body: #"{"body":"Checked the cable"}"#)
            #expect(commented == .created)
            let others = ids.dropFirst().map { #""\#($0)""# }.joined(separator: ",")
            let (merged, _, primary) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(ids[0])","ticketIDs":[\#(others)]}"#)
            #expect(merged == .ok, "the primary and nine others are ten, the most")
            #expect(primary["status"] as? String == "active", "the primary's status, not a merged ticket's")
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[0])/timeline", token: token)
            #expect("\(timeline["items"] ?? "")".contains("Checked the cable"), "the merged ticket's comment is on the primary")
            let (_, _, history) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[0])/history?limit=100", token: token)
            let actions = ((history["items"] as? [[String: Any]]) ?? []).filter { $0["action"] as? String == "ticket.status_changed" }
            #expect(actions.contains { ($0["details"] as? [String: String])?["to"] == "waiting" }, "and so is its history")

            let last = try #require(try await kit.submit(client, token: customer.token, subject: "Later")["id"] as? String)
            #expect(try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(last)","ticketIDs":["\#(ids[0])"]}"#).0 == .ok)
            let oldest = try #require(tickets[1]["number"] as? String)
            let (found, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/by-number/\(oldest)", token: token)
            #expect(found == .ok && ticket["id"] as? String == last, "a number merged twice forwards to the last primary")
        }
    }

    @Test("Merging moves the merged tickets' attachments, time logs (named in ticket.merged) and Idempotency-Keys to the primary")
    func mergeKeepsWork() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let primaryID = try #require(try await kit.submit(client, token: customer.token, subject: "Printer")["id"] as? String)
            let submission = #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Printer again","body":"Still smoking."}"#
            let keyed: HTTPFields = [IdempotentRequestTests.key: "printer-again-1"]
            let (_, _, other) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: customer.token, body: submission, headers: keyed)
            let otherID = try #require(other["id"] as? String)
            let (uploaded, _) = try await AttachmentTests.upload(
                client, "/api/v1/tickets/\(otherID)/attachments?filename=photo.pdf", token: customer.token, bytes: Array("%PDF-1.4".utf8))
            #expect(uploaded == .created)
            let (logged, _, log) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(otherID)/time-logs", token: token, body: #"{"minutes":15}"#)
            #expect(logged == .created)
            let (_, _, task) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(otherID)/tasks", token: token, body: #"{"subject":"Order toner"}"#)

            let (merged, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(primaryID)","ticketIDs":["\#(otherID)"]}"#)
            #expect(merged == .ok)
            let (_, _, attachments) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(primaryID)/attachments", token: token)
            #expect((attachments["items"] as? [[String: Any]])?.compactMap { $0["filename"] as? String } == ["photo.pdf"])
            let (_, _, logs) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(primaryID)/time-logs", token: token)
            #expect((logs["items"] as? [[String: Any]])?.compactMap { $0["minutes"] as? Int } == [15])
            let (_, _, history) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(primaryID)/history", token: token)
            let told = (history["items"] as? [[String: Any]])?.first { $0["action"] as? String == "ticket.merged" }?["details"] as? [String: String]
            #expect(told?["timeLogIDs"] == log["id"] as? String, "a report keeping time by ticket learns where the merged ticket's time went")
            #expect(told?["taskIDs"] == task["id"] as? String, "and where its tasks went")
            let (again, headers, replayed) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: customer.token, body: submission, headers: keyed)
            #expect(again == .created)
            #expect(headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(replayed["id"] as? String == primaryID, "a retried submission of a merged ticket answers with the ticket it became part of")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 1)
        }
    }

    @Test("When tickets of several customers are merged, every one of them sees, answers and lists the merged ticket; others still do not")
    func mergedCustomersShareThePrimary() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (lee, sam, kim, stranger) = (try await kit.customer(), try await kit.customer(), try await kit.customer(), try await kit.customer())
            let primaryID = try #require(try await kit.submit(client, token: lee.token, subject: "Outage")["id"] as? String)
            let samID = try #require(try await kit.submit(client, token: sam.token, subject: "Outage too")["id"] as? String)
            let kimID = try #require(try await kit.submit(client, token: kim.token, subject: "Outage three")["id"] as? String)
            #expect(try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(samID)","ticketIDs":["\#(kimID)"]}"#).0 == .ok)
            #expect(try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(primaryID)","ticketIDs":["\#(samID)"]}"#).0 == .ok)

            for customer in [lee, sam, kim] {
                let (read, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(primaryID)/timeline", token: customer.token)
                #expect(read == .ok, "a merged customer reads the primary, even two merges on")
                let (_, _, list) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=customer", token: customer.token)
                #expect(((list["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == [primaryID])
            }
            let (answered, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(primaryID)/messages", token: kim.token, body: #"{"body":"Still down"}"#)
            #expect(answered == .created)
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(primaryID)", token: stranger.token).0 == .notFound)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.ticket_participants") == 2, "the primary's own customer is not a participant")
        }
    }

    @Test("Recent lists what an agent touched, on every status or its tab's; Recently Transferred what left their list, including tickets taken by others")
    func recentViews() async throws {
        try await TicketTestKit.run { client, kit in
            let owner = try await kit.agent()
            let ownerToken = try await kit.token(owner, roles: ["Agent"])
            let colleague = try await kit.agent(handling: "pull")
            let colleagueToken = try await kit.token(colleague, roles: ["Agent"])
            let customer = try await kit.customer()
            let first = try #require(try await kit.submit(client, token: customer.token, subject: "One")["id"] as? String)
            let second = try #require(try await kit.submit(client, token: customer.token, subject: "Two")["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(first)/comments", token: ownerToken, body: #"{"body":"Looking"}"#)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(second)/comments", token: ownerToken, body: #"{"body":"Also"}"#)
            let (recentStatus, _, recent) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=recent", token: ownerToken)
            #expect(recentStatus == .ok, "\(recent)")
            #expect((recent["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [second, first], "newest first")
            let (waited, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(second)/replies", token: ownerToken, body: #"{"body":"Try again","sendVariant":"waiting"}"#)
            #expect(waited == .created)
            for (tab, listed) in [("active", [first]), ("waiting", [second]), ("closed", [])] {
                let (_, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=recent&status=\(tab)", token: ownerToken)
                #expect((page["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == listed, "Recent's \(tab) tab")
            }
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(first)/take", token: colleagueToken)
            let (_, _, transferred) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=recently_transferred", token: ownerToken)
            #expect((transferred["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [first])
            let (_, _, theirs) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=recent", token: colleagueToken)
            #expect((theirs["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [first])
        }
    }

    @Test("Rebalancing spreads a group's unanswered tickets over its active agents; pinned and answered ones stay")
    func rebalance() async throws {
        try await TicketTestKit.run { client, kit in
            let (first, second, firstToken, ids) = try await kit.busyAndIdleAgents(client, tickets: 6)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[0])/pin", token: firstToken, body: #"{"pinned":true}"#)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ids[1])/replies", token: firstToken, body: #"{"body":"On it","sendVariant":"active"}"#)
            try await kit.setActive(second, true)
            let manager = try await kit.agent(handling: "pull")
            let managerToken = try await kit.token(manager, roles: ["Agent", "Manager"])
            let (denied, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance", token: firstToken, body: #"{"groupID":"\#(kit.frontLineID.lowercased)"}"#)
            #expect(denied == .forbidden)
            let (done, _, result) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance", token: managerToken, body: #"{"groupID":"\#(kit.frontLineID.lowercased)"}"#)
            #expect(done == .ok)
            #expect(result["moved"] as? Int == 3, "six active tickets end three and three; the pinned and the answered one count for the first agent")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(first.lowercased)'") == 3)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(second.lowercased)'") == 3)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(first.lowercased)' AND id IN ('\(ids[0])', '\(ids[1])')") == 2)
        }
    }

    @Test("A manager's rebalance leaves the tickets an agent is reading or writing a response in with them")
    func rebalanceKeepsHeldTickets() async throws {
        try await TicketTestKit.run { client, kit in
            let (first, second, firstToken, ids) = try await kit.busyAndIdleAgents(client, tickets: 4)
            _ = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[0])", token: firstToken)
            let (drafted, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[1])/draft", token: firstToken, body: #"{"bodyHTML":"<p>Let me</p>"}"#)
            #expect(drafted == .ok)
            try await kit.setActive(second, true)
            let manager = try await kit.token(try await kit.agent(handling: "pull"), roles: ["Agent", "Manager"])
            let (done, _, result) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance", token: manager, body: #"{"groupID":"\#(kit.frontLineID.lowercased)"}"#)
            #expect(done == .ok)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(first.lowercased)' AND id IN ('\(ids[0])', '\(ids[1])')") == 2)
            let moved = try #require(result["moved"] as? Int)
            let received = try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(second.lowercased)'")
            #expect(moved >= 1 && moved == received)
        }
    }

    @Test("Bulk Get From Queue takes the queued tickets and refuses one another agent has (409); bulk status changes each ticket")
    func bulkGetFromQueue() async throws {
        try await TicketTestKit.run { client, kit in
            let puller = try await kit.agent(handling: "pull")
            let colleague = try await kit.agent(handling: "pull")
            let token = try await kit.token(puller, roles: ["Agent"])
            let customer = try await kit.customer()
            var ids: [String] = []
            for index in 0..<3 { ids.append(try #require(try await kit.submit(client, token: customer.token, subject: "Q\(index)")["id"] as? String)) }
            #expect(try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ids[2])/take", token: try await kit.token(colleague, roles: ["Agent"])).0 == .ok)
            let all = ids.map { #""\#($0)""# }.joined(separator: ",")
            let (done, _, result) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: token, body: #"{"ticketIDs":[\#(all)],"action":"take"}"#)
            #expect(done == .ok)
            #expect((result["items"] as? [[String: Any]])?.compactMap { $0["status"] as? Int } == [200, 200, 409])
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(puller.lowercased)'") == 2)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(colleague.lowercased)'") == 1, "the colleague keeps theirs")
            let taken = ids.prefix(2).map { #""\#($0)""# }.joined(separator: ",")
            let (_, _, changed) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: token, body: #"{"ticketIDs":[\#(taken)],"action":"status","status":"waiting"}"#)
            #expect((changed["items"] as? [[String: Any]])?.compactMap { $0["status"] as? Int } == [200, 200])
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE status = 'waiting'") == 2)
        }
    }

    @Test("Bulk actions report each ticket's outcome; splitting a customer's message makes a new ticket of it, an agent's cannot be split")
    func bulkAndSplit() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let first = try #require(try await kit.submit(client, token: customer.token, subject: "One")["id"] as? String)
            let second = try #require(try await kit.submit(client, token: customer.token, subject: "Two")["id"] as? String)
            let missing = UUID().uuidString.lowercased()
            let (done, _, result) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: token,
                body: #"{"ticketIDs":["\#(first)","\#(second)","\#(missing)"],"action":"priority","priority":"urgent"}"#)
            #expect(done == .ok)
            #expect((result["items"] as? [[String: Any]])?.compactMap { $0["status"] as? Int } == [200, 200, 404])
            let (_, _, urgent) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(first)", token: token)
            #expect(urgent["priority"] as? String == "urgent")
            let (denied, _, deletion) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: token, body: #"{"ticketIDs":["\#(first)"],"action":"delete"}"#)
            #expect(denied == .ok)
            #expect((deletion["items"] as? [[String: Any]])?.first?["status"] as? Int == 403)

            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(first)/messages", token: customer.token, body: #"{"body":"Also, the scanner is broken."}"#)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(first)/timeline", token: token)
            let messageID = try #require((timeline["items"] as? [[String: Any]])?.compactMap { ($0["message"] as? [String: Any])?["id"] as? String }.first)
            let (split, _, newTicket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(first)/messages/\(messageID)/split", token: token, body: #"{"subject":"Scanner broken"}"#)
            #expect(split == .created)
            #expect(newTicket["subject"] as? String == "Scanner broken")
            #expect(newTicket["customerEmail"] as? String == urgent["customerEmail"] as? String)
            #expect(try await kit.eventTypes().contains("ticket.split"))

            let (_, _, replied) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(first)/replies", token: token, body: #"{"body":"On it."}"#)
            let (_, _, answered) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(first)/timeline", token: token)
            let replyID = try #require(
                (answered["items"] as? [[String: Any]])?.compactMap { $0["message"] as? [String: Any] }.first { $0["direction"] as? String == "out" }?["id"] as? String)
            #expect(replied["messagesOut"] as? Int == 1)
            let before = try await kit.count("SELECT count(*)::int FROM {schema}.tickets")
            let (agentMessage, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(first)/messages/\(replyID)/split", token: token, body: #"{"subject":"Mine"}"#)
            #expect(agentMessage == .unprocessableContent, "only a customer's message becomes a ticket")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == before)
        }
    }

    @Test("A split message keeps whom the customer copied, so Reply All on the new ticket copies them too")
    func splitKeepsCopies() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let (created, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: token,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"Called in","body":"Router and printer.","incoming":true,"cc":["boss@customer.example"]}"#)
            #expect(created == .created)
            let id = try #require(ticket["id"] as? String)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let messageID = try #require((timeline["items"] as? [[String: Any]])?.compactMap { ($0["message"] as? [String: Any])?["id"] as? String }.first)
            let (split, _, newTicket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages/\(messageID)/split", token: token, body: #"{"subject":"Printer"}"#)
            #expect(split == .created)
            let newID = try #require(newTicket["id"] as? String)
            let (_, _, newTimeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(newID)/timeline", token: token)
            let first = try #require((newTimeline["items"] as? [[String: Any]])?.compactMap { $0["message"] as? [String: Any] }.first)
            #expect(first["cc"] as? [String] == ["boss@customer.example"])
        }
    }

    @Test("A split message becomes a ticket whatever fields agents must fill to send, owned by the splitting agent only when they belong to its group")
    func splitKeepsTheCustomersMessage() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let admin = try await kit.administratorToken()
            let fieldID = try await kit.soleTemplateField(
                client, admin: admin, definition: #"{"name":"Serial","dataType":"text"}"#,
                placement: #""visibility":"agents","requiredByUsers":false,"requiredForSend":true,"requiredForClose":false,"showInCompose":true"#)
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token, subject: "Laptop")["id"] as? String)
            for text in ["The charger is broken too.", "And the mouse."] {
                _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"\#(text)"}"#)
            }
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let messages = (timeline["items"] as? [[String: Any]])?.compactMap { ($0["message"] as? [String: Any])?["id"] as? String } ?? []
            #expect(messages.count == 3)

            let (byAgent, _, mine) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages/\(messages[0])/split", token: token, body: "")
            #expect(byAgent == .created, "the customer's message is not refused for a field agents fill later, and the body may be left out")
            #expect(mine["agentID"] as? String == agent.lowercased, "the splitting member keeps it")
            let (byAdmin, _, theirs) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages/\(messages[1])/split", token: admin, body: "{}")
            #expect(byAdmin == .created)
            #expect(theirs["agentID"] as? String == agent.lowercased, "an administrator outside the group leaves it to the round robin")

            let (reply, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"On it."}"#)
            #expect(reply == .unprocessableContent, "an agent's own send still needs the field")
        }
    }
}

import Database
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit
import Testing

@testable import TicketsApp

@Suite("Rebalance rules")
struct RebalanceRuleTests {
    static func input(_ changes: (inout RebalanceRuleInput) -> Void = { _ in }) -> RebalanceRuleInput {
        var input = RebalanceRuleInput(name: "Shift change", groupID: UUID().uuidString)
        changes(&input)
        return input
    }

    @Test("A rule takes the documented defaults: hold 30/10/20 minutes, pinned after 2 hours but off, every hour")
    func defaults() throws {
        let rule = try RebalanceRules.rule(from: Self.input(), id: "r", version: 1)
        #expect(rule.holdAfterComposeMinutes == 30 && rule.holdAfterReadMinutes == 10 && rule.holdAfterAssignedMinutes == 20)
        #expect(rule.rebalancePinnedAfterMinutes == 120 && !rule.rebalancePinned)
        #expect(rule.onInterval && rule.intervalMinutes == 60 && !rule.onSchedule && !rule.onAgentStart && !rule.onAgentStop)
    }

    @Test("A rule that names another trigger does not also run every hour unless it says so (rules are not an hourly reshuffle)")
    func intervalOnlyByDefaultAlone() throws {
        #expect(!(try RebalanceRules.rule(from: Self.input { $0.onAgentStart = true }, id: "r", version: 1)).onInterval)
        #expect(!(try RebalanceRules.rule(from: Self.input { $0.onSchedule = true; $0.schedule = ["08:00"] }, id: "r", version: 1)).onInterval)
        #expect(try RebalanceRules.rule(from: Self.input { $0.onAgentStop = true; $0.onInterval = true }, id: "r", version: 1).onInterval)
    }

    @Test("At most three times a day, each a real time of day once, in a real time zone, and some way to run; all problems reported at once")
    func validation() {
        let input = Self.input {
            $0.onSchedule = true
            $0.schedule = ["07:00", "12:00", "17:00", "22:00"]
            $0.timeZone = "Mars/Olympus"
            $0.intervalMinutes = 0
        }
        #expect(throws: Problem.self) { try RebalanceRules.rule(from: input, id: "r", version: 1) }
        do {
            _ = try RebalanceRules.rule(from: input, id: "r", version: 1)
        } catch let problem as Problem {
            #expect(Set(problem.errors.map(\.field)) == ["schedule", "timeZone", "intervalMinutes"])
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: Problem.self) { try RebalanceRules.rule(from: Self.input { $0.onSchedule = true; $0.schedule = ["25:00"] }, id: "r", version: 1) }
        #expect(throws: Problem.self, "a time of day counts once") {
            try RebalanceRules.rule(from: Self.input { $0.onSchedule = true; $0.schedule = ["07:00", "7:00"] }, id: "r", version: 1)
        }
        #expect(throws: Problem.self, "a rule that would never run") { try RebalanceRules.rule(from: Self.input { $0.onInterval = false }, id: "r", version: 1) }
        #expect((try? RebalanceRules.rule(from: Self.input { $0.onInterval = false; $0.onAgentStop = true }, id: "r", version: 1)) != nil)
    }

    @Test("The next run is the interval from now or the next scheduled time in the rule's time zone, whichever is first; an edit keeps a run made due")
    func nextRun() throws {
        let now = try Date("2026-12-01T06:30:00Z", strategy: .iso8601)
        let hourly = try RebalanceRules.rule(from: Self.input(), id: "r", version: 1)
        #expect(RebalanceRules.nextRun(of: hourly, after: now) == now.addingTimeInterval(3600))
        let scheduled = try RebalanceRules.rule(
            from: Self.input { $0.onInterval = false; $0.onSchedule = true; $0.schedule = ["08:00", "16:00"]; $0.timeZone = "Europe/Berlin" }, id: "r",
            version: 1)
        #expect(RebalanceRules.nextRun(of: scheduled, after: now) == (try Date("2026-12-01T07:00:00Z", strategy: .iso8601)), "08:00 in Berlin is 07:00 UTC")
        let onlyOnAgents = try RebalanceRules.rule(from: Self.input { $0.onInterval = false; $0.onAgentStart = true }, id: "r", version: 1)
        #expect(RebalanceRules.nextRun(of: onlyOnAgents, after: now) == nil)
        let due = now.addingTimeInterval(-5)
        #expect(RebalanceRules.nextRun(ofEdited: hourly, pending: due, sameGroup: true, after: now) == due, "an edit keeps the run an agent's start made due")
        #expect(RebalanceRules.nextRun(ofEdited: hourly, pending: due, sameGroup: false, after: now) == now.addingTimeInterval(3600))
        #expect(RebalanceRules.nextRun(ofEdited: hourly, pending: now.addingTimeInterval(600), sameGroup: true, after: now) == now.addingTimeInterval(3600))
    }

    @Test("An agent going active runs the group's rule: unanswered tickets spread out, held and pinned ones stay")
    func agentStartRunsTheRule() async throws {
        try await TicketTestKit.run { client, kit in
            let (first, second, firstToken, ids) = try await kit.busyAndIdleAgents(client, tickets: 6)
            let admin = try await kit.administratorToken()
            let (created, _, rule) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance-rules", token: admin,
                body: #"{"name":"Shift change","groupID":"\#(kit.frontLineID.lowercased)","onInterval":false,"onAgentStart":true,"holdAfterAssignedMinutes":0}"#)
            #expect(created == .created)
            #expect(rule["holdAfterReadMinutes"] as? Int == 10)
            let (denied, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance-rules", token: firstToken, body: #"{"name":"Mine","groupID":"\#(kit.frontLineID.lowercased)"}"#)
            #expect(denied == .forbidden)
            let (invalid, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance-rules", token: admin, body: #"{"name":"","groupID":"nope"}"#)
            #expect(invalid == .unprocessableContent)

            _ = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[0])", token: firstToken)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[1])/pin", token: firstToken, body: #"{"pinned":true}"#)
            #expect(try await kit.api.store.runDueRebalanceRule() == nil, "nothing is due before an agent starts")
            try await kit.setActive(second, true)
            let moved = try #require(try await kit.api.store.runDueRebalanceRule())
            #expect(moved == 3, "four of six could move (one read, one pinned): the tickets end three and three")
            let (_, _, transferred) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=recently_transferred", token: firstToken)
            #expect((transferred["items"] as? [[String: Any]])?.count == 3, "the one of four the rebalance gave back to them never left their list")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(second.lowercased)'") == 3)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(first.lowercased)' AND id IN ('\(ids[0])', '\(ids[1])')") == 2)
            #expect(try await kit.api.store.runDueRebalanceRule() == nil, "a run is not repeated until the next trigger")
            #expect(try await kit.lastEventDetails("ticket.queued")["fromAgentID"] == first.lowercased, "a rebalanced ticket names the owner it left")

            let ruleID = try #require(rule["id"] as? String)
            let (stale, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/rebalance-rules/\(ruleID)", token: admin, ifMatch: "\"7\"",
                body: #"{"name":"Renamed","groupID":"\#(kit.frontLineID.lowercased)"}"#)
            #expect(stale == .preconditionFailed)
            let (deleted, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/rebalance-rules/\(ruleID)", token: admin)
            #expect(deleted == .noContent)
        }
    }

    @Test("A ticket a colleague is reading is held too: viewing a ticket holds it for that agent, not only for its owner")
    func colleaguesReadHolds() async throws {
        try await TicketTestKit.run { client, kit in
            let (first, second, _, ids) = try await kit.busyAndIdleAgents(client, tickets: 6)
            let admin = try await kit.administratorToken()
            let (created, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance-rules", token: admin,
                body: #"{"name":"Shift change","groupID":"\#(kit.frontLineID.lowercased)","onInterval":false,"onAgentStart":true,"holdAfterAssignedMinutes":0}"#)
            #expect(created == .created)
            let colleague = try await kit.token(try await kit.agent(handling: "pull"), roles: ["Agent"])
            for id in ids.prefix(2) { #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: colleague).0 == .ok) }
            try await kit.setActive(second, true)
            #expect(try await kit.api.store.runDueRebalanceRule() == 3, "four of six could move: the tickets end three and three")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(first.lowercased)' AND id IN ('\(ids[0])', '\(ids[1])')
                """) == 2, "the two the colleague is reading stay")
        }
    }

    @Test("A rule on an interval runs when it has passed; tickets assigned within Hold After Assigned and pinned ones touched within Rebalance Pinned After stay until then")
    func intervalAndHoldTimes() async throws {
        try await TicketTestKit.run { client, kit in
            let (first, second, firstToken, ids) = try await kit.busyAndIdleAgents(client, tickets: 4)
            try await kit.setActive(second, true)
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[0])/pin", token: firstToken, body: #"{"pinned":true}"#).0 == .ok)
            let (created, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance-rules", token: try await kit.administratorToken(),
                body: #"""
                    {"name":"Hourly","groupID":"\#(kit.frontLineID.lowercased)","intervalMinutes":60,"holdAfterReadMinutes":0,"holdAfterAssignedMinutes":90,
                     "rebalancePinned":true,"rebalancePinnedAfterMinutes":120}
                    """#)
            #expect(created == .created)
            let now = Date()
            func run(after minutes: Double) async throws -> Int? { try await kit.api.store.runDueRebalanceRule(now: now.addingTimeInterval(minutes * 60)) }
            #expect(try await run(after: 0) == nil, "not due before its interval")
            #expect(try await run(after: 61) == 0, "due, but every ticket was assigned within the 90 minutes that hold it")
            #expect(try await run(after: 100) == nil, "the next run is an interval after the last")
            #expect(try await run(after: 122) == 2, "past both hold times every ticket may move: they end two and two")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(first.lowercased)'") == 2)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE pinned") == 0, "the pinned one was taken back too")
        }
    }

    @Test("A rule that rebalances pinned tickets unpins each one it moves: a ticket in the queue is nobody's pin")
    func movedPinsAreDropped() async throws {
        try await TicketTestKit.run { client, kit in
            let (_, second, firstToken, ids) = try await kit.busyAndIdleAgents(client, tickets: 2)
            let admin = try await kit.administratorToken()
            let (created, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance-rules", token: admin,
                body: #"""
                    {"name":"Pins too","groupID":"\#(kit.frontLineID.lowercased)","onInterval":false,"onAgentStart":true,"holdAfterAssignedMinutes":0,
                     "rebalancePinned":true,"rebalancePinnedAfterMinutes":0}
                    """#)
            #expect(created == .created)
            for id in ids {
                #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/pin", token: firstToken, body: #"{"pinned":true}"#).0 == .ok)
            }
            try await kit.setActive(second, true)
            #expect(try await kit.api.store.runDueRebalanceRule() == 1, "one of the two goes to the agent who started")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE pinned") == 0, "neither keeps a pin it lost")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.history WHERE action = 'ticket.unpinned'") == 2)
        }
    }

    @Test("A rule that names agents rebalances among them: the group's other agents get none of the tickets")
    func namedAgentsOnly() async throws {
        try await TicketTestKit.run { client, kit in
            let (first, second, _, _) = try await kit.busyAndIdleAgents(client, tickets: 6)
            let bystander = try await kit.agent()
            let (created, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance-rules", token: try await kit.administratorToken(),
                body: #"{"name":"Pair","groupID":"\#(kit.frontLineID.lowercased)","agentIDs":["\#(first.lowercased)","\#(second.lowercased)"],"onInterval":false,"onAgentStart":true,"holdAfterReadMinutes":0,"holdAfterAssignedMinutes":0}"#)
            #expect(created == .created)
            try await kit.setActive(second, true)
            #expect(try await kit.api.store.runDueRebalanceRule() == 3)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(first.lowercased)'") == 3)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(second.lowercased)'") == 3)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(bystander.lowercased)'") == 0)
        }
    }

    @Test("A rule for an unknown group or naming agents outside its group is a 422; a deleted group's rules and signatures go with it")
    func rulesNameTheirGroupsMembers() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let member = try await kit.agent()
            let outsider = try await kit.secondGroupAgent().agent
            let rules = "/api/v1/tickets/rebalance-rules"
            let (unknown, _, unknownProblem) = try await TicketTestKit.send(
                client, .post, rules, token: admin, body: #"{"name":"Nowhere","groupID":"\#(UUID().lowercased)"}"#)
            #expect(unknown == .unprocessableContent)
            #expect((unknownProblem["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["groupID"])
            let (foreign, _, foreignProblem) = try await TicketTestKit.send(
                client, .post, rules, token: admin,
                body: #"{"name":"Pair","groupID":"\#(kit.frontLineID.lowercased)","agentIDs":["\#(member.lowercased)","\#(outsider.lowercased)"]}"#)
            #expect(foreign == .unprocessableContent, "\(foreignProblem)")
            #expect((foreignProblem["errors"] as? [[String: Any]])?.compactMap { $0["message"] as? String } == ["\(outsider.lowercased) is not an agent of the group"])
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.rebalance_rules") == 0, "nothing saved")
            let (created, _, _) = try await TicketTestKit.send(
                client, .post, rules, token: admin, body: #"{"name":"Pair","groupID":"\#(kit.frontLineID.lowercased)","agentIDs":["\#(member.lowercased)"]}"#)
            #expect(created == .created)
            let (signed, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/signatures", token: admin, body: #"{"groupID":"\#(kit.frontLineID.lowercased)","html":"<p>Front line</p>"}"#)
            #expect(signed == .created)
            try await kit.identity("group.deleted", ["groupID": kit.frontLineID.lowercased])
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.rebalance_rules") == 0)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.signatures") == 0)
        }
    }

    @Test("Start and stop rules run when an agent starts or stops receiving the group's tickets: not for a second session, an unchanged status or a group they are Inactive in")
    func startAndStopTriggers() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let inactive = try await kit.agent(active: false)
            let (created, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance-rules", token: try await kit.administratorToken(),
                body: #"{"name":"Shifts","groupID":"\#(kit.frontLineID.lowercased)","onInterval":false,"onAgentStart":true,"onAgentStop":true}"#)
            #expect(created == .created)
            func runs(after type: String, _ session: [String: Any]) async throws -> Bool {
                try await kit.identity(type, session)
                return try await kit.api.store.runDueRebalanceRule() != nil
            }
            let session: [String: Any] = ["userID": agent.lowercased, "groupIDs": [kit.frontLineID.lowercased]]
            #expect(try await !runs(after: "agent.signed_out", session.merging(["stillSignedIn": true]) { $1 }), "another session is still open")
            #expect(try await runs(after: "agent.signed_out", session), "the last session ends: they stop receiving tickets")
            #expect(try await !runs(after: "agent.signed_out", session), "already signed out")
            #expect(try await runs(after: "agent.signed_in", session))
            #expect(try await !runs(after: "agent.signed_in", session), "a second session starts nothing")

            try await kit.setActive(agent, true)
            #expect(try await kit.api.store.runDueRebalanceRule() == nil, "already Active")
            try await kit.setActive(agent, false)
            #expect(try await kit.api.store.runDueRebalanceRule() != nil)

            let idle: [String: Any] = ["userID": inactive.lowercased, "groupIDs": [kit.frontLineID.lowercased]]
            #expect(try await !runs(after: "agent.signed_out", idle), "they received none of the group's tickets")
            #expect(try await !runs(after: "agent.signed_in", idle), "nor do they now")

            _ = try await kit.agent()
            #expect(try await kit.api.store.runDueRebalanceRule() != nil, "a new Active member starts receiving tickets")
        }
    }

    @Test("A ticket open in its owner's window is held; a window left open for half a day is not")
    func openWindowsHoldTickets() async throws {
        try await TicketTestKit.run { client, kit in
            let (first, second, firstToken, ids) = try await kit.busyAndIdleAgents(client, tickets: 4)
            let (created, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/rebalance-rules", token: try await kit.administratorToken(),
                body: #"{"name":"Shift change","groupID":"\#(kit.frontLineID.lowercased)","onInterval":false,"onAgentStart":true,"holdAfterReadMinutes":0,"holdAfterAssignedMinutes":0}"#)
            #expect(created == .created)
            let (opened, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ids[0])/views", token: firstToken)
            #expect(opened == .created)
            let (abandoned, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ids[1])/views", token: firstToken)
            #expect(abandoned == .created)
            try await kit.database.client.query(PostgresQuery(
                unsafeSQL: "UPDATE \(kit.database.table("ticket_views")) SET opened_at = opened_at - interval '13 hours' WHERE ticket_id = '\(ids[1])'")
            ).consume()

            try await kit.setActive(second, true)
            #expect(try await kit.api.store.runDueRebalanceRule() == 2, "three could move; round robin gives the second agent two")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(first.lowercased)' AND id = '\(ids[0])'") == 1)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(second.lowercased)'") == 2)
            func requeued(_ id: String) async throws -> Int {
                try await kit.count("SELECT count(*)::int FROM {schema}.history WHERE ticket_id = '\(id)' AND action = 'ticket.queued'")
            }
            #expect(try await requeued(ids[0]) == 0, "the open window holds its ticket")
            #expect(try await requeued(ids[1]) == 1, "a window open for 13 hours is taken as abandoned")
        }
    }
}

import Foundation
import Testing
import TicketsApp

@Suite("Follow-up rules: scheduled, due, done")
struct FollowUpRulesTests {
    static let scheduled = FollowUp(
        at: Date(timeIntervalSince1970: 1_900_000_000), note: "Call back", groupID: nil, agentID: "a", priority: .high, pin: true)

    @Test("A follow-up whose time has come keeps its values, is marked due and has no timer left")
    func firing() {
        let due = FollowUpRules.fired(Self.scheduled)
        #expect(due.due)
        #expect(due.at == Self.scheduled.at && due.note == "Call back" && due.priority == .high && due.pin)
        #expect(FollowUpRules.timerAt(Self.scheduled.at, due: false) == Self.scheduled.at)
        #expect(FollowUpRules.timerAt(due.at, due: true) == nil)
        #expect(FollowUpRules.countStatus(Self.scheduled) == "scheduled")
        #expect(FollowUpRules.countStatus(due) == "due")
    }

    @Test("A scheduled follow-up goes with the ticket to whoever now has it, in its new group; a due one is left as it is")
    func handedOver() {
        var planned = Self.scheduled
        planned.groupID = "g2"
        let moved = FollowUpRules.handedOver(planned, to: "b")
        #expect(moved?.agentID == "b" && moved?.groupID == nil, "to the new agent, where the ticket now is")
        #expect(moved?.at == planned.at && moved?.note == "Call back" && moved?.priority == .high && moved?.pin == true)
        #expect(FollowUpRules.handedOver(planned, to: nil)?.agentID == nil, "to the queue: the round robin at its time")
        let due = FollowUpRules.fired(planned)
        #expect(FollowUpRules.handedOver(due, to: "b") == due)
        #expect(FollowUpRules.handedOver(nil, to: "b") == nil)
    }

    @Test("The agent dealing with the ticket ends a due follow-up and leaves a scheduled one")
    func agentAction() {
        #expect(FollowUpRules.afterAgentAction(FollowUpRules.fired(Self.scheduled)) == nil)
        #expect(FollowUpRules.afterAgentAction(Self.scheduled) == Self.scheduled)
        #expect(FollowUpRules.afterAgentAction(nil) == nil)
        #expect(FollowUpRules.done(FollowUpRules.fired(Self.scheduled), cause: "reply")?.details["cause"] == "reply")
        #expect(FollowUpRules.done(FollowUpRules.fired(Self.scheduled), cause: "reply")?.type == "ticket.followup_done")
        #expect(FollowUpRules.done(Self.scheduled, cause: "reply") == nil, "a scheduled follow-up goes on")
    }

    @Test("A customer's message suspends a scheduled follow-up and leaves a due one for the agent")
    func customerMessage() {
        let suspended = FollowUpRules.afterCustomerMessage(Self.scheduled)
        #expect(suspended.followUp == nil && suspended.suspended)
        let due = FollowUpRules.fired(Self.scheduled)
        let kept = FollowUpRules.afterCustomerMessage(due)
        #expect(kept.followUp == due && !kept.suspended)
        #expect(FollowUpRules.afterCustomerMessage(nil).suspended == false)
    }

    @Test("Closing and locking a ticket removes its follow-up; other statuses keep it")
    func closedAndLocked() {
        #expect(FollowUpRules.kept(Self.scheduled, status: .closedLocked) == nil)
        for status in [TicketStatus.active, .waiting, .closed] { #expect(FollowUpRules.kept(Self.scheduled, status: status) == Self.scheduled) }
    }

    @Test("A due follow-up is counted in the Follow-ups view as due, a scheduled one as scheduled")
    func counts() throws {
        let ticket = Ticket(
            id: "t", number: "N", brandID: "b", departmentID: "d", groupID: "g", agentID: "a", customerUserID: nil, customerEmail: "c@x.example",
            subject: "S", status: .active, priority: .normal, pinned: false, messagesIn: 1, messagesOut: 0, createdAt: Date(), idleSince: Date(),
            closedAt: nil, followUp: FollowUpRules.fired(Self.scheduled), version: 1)
        var scheduled = ticket
        scheduled.followUp = Self.scheduled
        let delta = CountPlacement.delta(from: CountPlacement(scheduled), to: CountPlacement(ticket))
        #expect(delta[CountCell(scope: "followups", scopeID: "a", status: "scheduled")] == -1)
        #expect(delta[CountCell(scope: "followups", scopeID: "a", status: "due")] == 1)
    }

    @Test("An event written before the due marker reads as a scheduled follow-up")
    func olderEvents() throws {
        let json = #"{"at":"2030-03-17T17:46:40Z","pin":false,"note":"Call"}"#
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let followUp = try decoder.decode(FollowUp.self, from: Data(json.utf8))
        #expect(!followUp.due && followUp.note == "Call")
    }
}

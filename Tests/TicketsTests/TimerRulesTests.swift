import Foundation
import Testing
import TicketsApp

@Suite("Ticket timer rules")
struct TimerRulesTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let policy = TimerPolicy(autoCloseHours: 24, autoLockHours: 48, autoDeleteDays: 30)

    @Test("A Waiting ticket auto-closes the hours after it was marked Waiting, unless a follow-up is scheduled")
    func autoClose() {
        let due = TimerRules.due(status: .waiting, closedAt: nil, statusSince: start, followUpAt: nil, deletedAt: nil, policy: policy)
        #expect(due == [.autoClose: start.addingTimeInterval(24 * 3_600)])
        let followUp = start.addingTimeInterval(72 * 3_600)
        #expect(TimerRules.due(status: .waiting, closedAt: nil, statusSince: start, followUpAt: followUp, deletedAt: nil, policy: policy) == [.followUp: followUp])
    }

    @Test("An agent's or a rule's action that leaves a ticket Waiting starts its wait again; the customer's and the system's do not")
    func actionsRestartWaiting() {
        #expect(TimerRules.restartsWaiting(actorKind: "agent", status: .waiting))
        #expect(TimerRules.restartsWaiting(actorKind: "automation", status: .waiting))
        #expect(!TimerRules.restartsWaiting(actorKind: "agent", status: .active), "only a Waiting ticket has a wait")
        #expect(!TimerRules.restartsWaiting(actorKind: "customer", status: .waiting))
        #expect(!TimerRules.restartsWaiting(actorKind: "system", status: .waiting))
    }

    @Test("A Closed ticket locks and is deleted after the department's times; one with a resolution only when the department includes it")
    func lockAndDelete() {
        let closed = TimerRules.due(status: .closed, closedAt: start, statusSince: start, followUpAt: nil, deletedAt: nil, policy: policy)
        #expect(closed == [.autoLock: start.addingTimeInterval(48 * 3_600), .autoDelete: start.addingTimeInterval(30 * 86_400)])
        let resolved = TimerRules.due(status: .closedLocked, closedAt: start, statusSince: start, followUpAt: nil, deletedAt: nil, hasResolution: true, policy: policy)
        #expect(resolved.isEmpty)
        var including = policy
        including.autoDeleteResolved = true
        #expect(TimerRules.due(status: .closedLocked, closedAt: start, statusSince: start, followUpAt: nil, deletedAt: nil, hasResolution: true, policy: including)
            == [.autoDelete: start.addingTimeInterval(30 * 86_400)])
    }

    @Test("An unlocked ticket locks the hours after its unlocking, and is still deleted the days after it was first closed")
    func unlocked() {
        let unlocked = start.addingTimeInterval(400 * 3_600)
        let due = TimerRules.due(status: .closed, closedAt: start, statusSince: unlocked, followUpAt: nil, deletedAt: nil, policy: policy)
        #expect(due == [.autoLock: unlocked.addingTimeInterval(48 * 3_600), .autoDelete: start.addingTimeInterval(30 * 86_400)])
    }

    @Test("A deleted ticket has only its purge, 90 days after deletion")
    func purge() {
        #expect(TimerRules.due(status: .closedLocked, closedAt: start, statusSince: start, followUpAt: nil, deletedAt: start, policy: policy)
            == [.purge: start.addingTimeInterval(90 * 86_400)])
    }
}

import Foundation
import Testing
import TicketsApp

@Suite("Round robin rules")
struct RoundRobinTests {
    static func slot(
        _ handling: AgentSlot.Handling, active: Bool = true, newActive: Int = 0, max: Int? = nil, overall: Int = 0, overallMax: Int? = nil,
        allocated: Int = 0, id: UUID = UUID()
    ) -> AgentSlot {
        AgentSlot(
            agentID: id, handling: handling, active: active, newActive: newActive, groupMax: max, overallNewActive: overall, overallMax: overallMax,
            allocated: allocated, lastAssignedAt: nil)
    }

    @Test("Primary agents get new tickets before secondary agents")
    func primaryFirst() {
        let secondary = Self.slot(.secondary)
        let primary = Self.slot(.primary, allocated: 5)
        #expect(RoundRobin.pick([secondary, primary])?.agentID == primary.agentID)
    }

    @Test("Secondary agents get tickets once every primary agent is at Max Tickets, or none is active")
    func secondaryOverflow() {
        let secondary = Self.slot(.secondary)
        #expect(RoundRobin.pick([Self.slot(.primary, newActive: 3, max: 3), secondary])?.agentID == secondary.agentID)
        #expect(RoundRobin.pick([Self.slot(.primary, active: false), secondary])?.agentID == secondary.agentID)
    }

    @Test("The overall Max Tickets overrides a larger group value")
    func overallMax() {
        let full = Self.slot(.primary, newActive: 2, max: 15, overall: 10, overallMax: 10)
        #expect(RoundRobin.pick([full]) == nil)
    }

    @Test("Pull-from-queue and inactive agents are never picked; nobody eligible means the queue")
    func neverPicked() {
        #expect(RoundRobin.pick([Self.slot(.pull), Self.slot(.primary, active: false)]) == nil)
    }

    @Test("Within a tier the agent with the fewest tickets since the pool reset wins")
    func fewestFirst() {
        let busy = Self.slot(.primary, allocated: 4)
        let light = Self.slot(.primary, allocated: 1)
        #expect(RoundRobin.pick([busy, light])?.agentID == light.agentID)
    }

    @Test("A pool reset sets each agent's allocation to their open, active tickets")
    func poolReset() {
        let returning = Self.slot(.primary, allocated: 0)
        let working = Self.slot(.primary, allocated: 40)
        let reset = RoundRobin.resetPool([returning, working], activeTickets: [working.agentID: 3])
        #expect(reset.map(\.allocated) == [0, 3])
    }
}

@Suite("Round robin for tickets written together")
struct BatchRoundRobinTests {
    @Test("A batch takes turns exactly as tickets arriving one at a time would, up to each agent's Max Tickets")
    func turnsAndLimits() {
        let group = UUID()
        let first = RoundRobinTests.slot(.primary, max: 2)
        let second = RoundRobinTests.slot(.primary, max: 1, allocated: 1)
        let backup = RoundRobinTests.slot(.secondary, max: 1)
        let (agents, assigned) = RoundRobin.distribute(Array(repeating: group, count: 5), slots: [group: [first, second, backup]], from: Date())
        #expect(agents == [first.agentID, second.agentID, first.agentID, backup.agentID, nil])
        #expect(assigned[GroupAgent(groupID: group, agentID: first.agentID)] == 2)
        #expect(assigned[GroupAgent(groupID: group, agentID: second.agentID)] == 1)
        #expect(assigned[GroupAgent(groupID: group, agentID: backup.agentID)] == 1)
    }

    @Test("An agent in two groups of one batch counts every ticket toward the overall Max Tickets")
    func overallMaxAcrossGroups() {
        let (sales, support) = (UUID(), UUID())
        let agent = UUID()
        let inSales = RoundRobinTests.slot(.primary, overallMax: 2, id: agent)
        let inSupport = RoundRobinTests.slot(.primary, overallMax: 2, id: agent)
        let (agents, _) = RoundRobin.distribute([sales, support, sales], slots: [sales: [inSales], support: [inSupport]], from: Date())
        #expect(agents == [agent, agent, nil], "the third ticket waits in the queue")
    }
}

import Foundation

/// One agent's standing in a group at the moment a ticket is distributed.
public struct AgentSlot: Sendable, Equatable {
    public enum Handling: String, Sendable {
        case pull, primary, secondary
    }

    public var agentID: UUID
    public var handling: Handling
    /// Active for tickets in this group (and not excluded from the channel).
    public var active: Bool
    /// New, active tickets distributed to the agent in this group (the group Max Tickets counts these).
    public var newActive: Int
    public var groupMax: Int?
    /// New, active tickets across all groups and the overall Max Tickets, which overrides a larger group value.
    public var overallNewActive: Int
    public var overallMax: Int?
    /// Tickets handed to the agent since the pool was last reset: round robin evens this out.
    public var allocated: Int
    public var lastAssignedAt: Date?

    public init(
        agentID: UUID, handling: Handling, active: Bool, newActive: Int, groupMax: Int?, overallNewActive: Int, overallMax: Int?,
        allocated: Int, lastAssignedAt: Date?
    ) {
        self.agentID = agentID
        self.handling = handling
        self.active = active
        self.newActive = newActive
        self.groupMax = groupMax
        self.overallNewActive = overallNewActive
        self.overallMax = overallMax
        self.allocated = allocated
        self.lastAssignedAt = lastAssignedAt
    }

    /// Below both the group and the overall Max Tickets (no value means no limit).
    public var hasRoom: Bool {
        newActive < (groupMax ?? Int.max) && overallNewActive < (overallMax ?? Int.max)
    }
}

/// Round robin: primary agents get new tickets first; secondary agents only when no primary agent can take one
/// (all at their limit, or none active); Pull from Queue agents never; inactive agents never. Within a tier the
/// agent with the fewest tickets since the last pool reset wins, then the one who waited longest, then by id.
public enum RoundRobin {
    /// `respectingMax` false: a ticket that is not new to the agent (a follow-up firing by round robin), which "does
    /// not follow max ticket limit" [S001:2933], may go to an agent at their Max Tickets.
    public static func pick(_ slots: [AgentSlot], respectingMax: Bool = true) -> AgentSlot? {
        for tier in [AgentSlot.Handling.primary, .secondary] {
            let eligible = slots.filter { $0.handling == tier && $0.active && ($0.hasRoom || !respectingMax) }
            if let chosen = eligible.min(by: precedes) { return chosen }
        }
        return nil
    }

    static func precedes(_ a: AgentSlot, _ b: AgentSlot) -> Bool {
        if a.allocated != b.allocated { return a.allocated < b.allocated }
        let aTime = a.lastAssignedAt ?? .distantPast
        let bTime = b.lastAssignedAt ?? .distantPast
        if aTime != bTime { return aTime < bTime }
        return a.agentID.uuidString < b.agentID.uuidString
    }

    /// The pool reset when an agent goes active in a group: each agent's allocation becomes their count of open,
    /// active tickets there, so a returning agent is not flooded and a late one still catches up.
    public static func resetPool(_ slots: [AgentSlot], activeTickets: [UUID: Int]) -> [AgentSlot] {
        slots.map { slot in
            var reset = slot
            reset.allocated = activeTickets[slot.agentID] ?? 0
            return reset
        }
    }
}

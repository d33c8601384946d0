import Foundation

/// An agent's place in a group: the key of the counters a batch of assignments moves.
public struct GroupAgent: Hashable, Sendable {
    public var groupID: UUID
    public var agentID: UUID

    public init(groupID: UUID, agentID: UUID) {
        self.groupID = groupID
        self.agentID = agentID
    }
}

extension RoundRobin {
    /// Round robin for new tickets written together: each ticket (by its group, in order) goes to whom
    /// ``pick(_:)`` chooses after the tickets before it were counted, exactly as if they had come one at a time.
    /// Answers the agent of each ticket (nil: the queue) and how many tickets each agent got in each group.
    public static func distribute(_ groups: [UUID], slots: [UUID: [AgentSlot]], from moment: Date) -> (agents: [UUID?], assigned: [GroupAgent: Int]) {
        var standing = slots
        var agents: [UUID?] = []
        var assigned: [GroupAgent: Int] = [:]
        for (position, group) in groups.enumerated() {
            guard let chosen = pick(standing[group] ?? []) else {
                agents.append(nil)
                continue
            }
            agents.append(chosen.agentID)
            assigned[GroupAgent(groupID: group, agentID: chosen.agentID), default: 0] += 1
            for (slotGroup, groupSlots) in standing {
                standing[slotGroup] = groupSlots.map { slot in
                    guard slot.agentID == chosen.agentID else { return slot }
                    var counted = slot
                    counted.overallNewActive += 1
                    if slotGroup == group {
                        counted.allocated += 1
                        counted.newActive += 1
                        counted.lastAssignedAt = moment.addingTimeInterval(Double(position) / 1_000_000)
                    }
                    return counted
                }
            }
        }
        return (agents, assigned)
    }
}

import Foundation

/// The agent a ticket being distributed again already belongs to, in the same group (a transfer back to its own
/// group). Getting it back is not receiving a ticket "from a different user" [S001:2921]: the round robin weighs
/// them without the slot this ticket holds, and keeping it adds nothing to their Max Tickets count.
public struct TicketHolder: Sendable, Equatable {
    public var agentID: UUID
    /// The ticket counts toward the holder's Max Tickets now.
    public var holdsSlot: Bool

    public init(agentID: UUID, holdsSlot: Bool) {
        self.agentID = agentID
        self.holdsSlot = holdsSlot
    }

    /// `slot` as the round robin should weigh it: the holder's without this ticket's slot.
    public func discounted(_ slot: AgentSlot) -> AgentSlot {
        guard slot.agentID == agentID, holdsSlot else { return slot }
        var free = slot
        free.newActive = max(free.newActive - 1, 0)
        free.overallNewActive = max(free.overallNewActive - 1, 0)
        return free
    }
}

import Foundation

/// The agent a ticket being distributed again already belongs to, in the same group (a transfer back to its own
/// group). Getting it back is not receiving a ticket "from a different user" [S001:2921]: keeping it adds nothing
/// to their Max Tickets count, so the round robin finds room for it with them even at their limit.
struct TicketHolder: Sendable, Equatable {
    var agentID: UUID

    init(agentID: UUID) {
        self.agentID = agentID
    }

    /// `slot` as the round robin should weigh it: the holder always has room for the ticket they hold (the room
    /// counts only decide eligibility; the order goes by allocation).
    func discounted(_ slot: AgentSlot) -> AgentSlot {
        guard slot.agentID == agentID else { return slot }
        var free = slot
        free.newActive = 0
        free.overallNewActive = 0
        return free
    }
}

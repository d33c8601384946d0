import Foundation

/// What becomes of a ticket's follow-up. At its time a scheduled follow-up fires (the ticket turns Active for its
/// agent) and stays on the ticket marked due: the red marker of the lists and a place in the Follow-ups view, until
/// the agent deals with the ticket. A customer's message suspends a scheduled one; a due one stays, the agent still
/// owes it. Closing and locking or deleting a ticket removes any follow-up.
public enum FollowUpRules {
    /// The follow-up once its time has come: the same values, marked due.
    public static func fired(_ followUp: FollowUp) -> FollowUp {
        var due = followUp
        due.due = true
        return due
    }

    /// When the follow-up's timer fires: only a scheduled follow-up has one.
    public static func timerAt(_ at: Date?, due: Bool) -> Date? {
        due ? nil : at
    }

    /// What an agent's dealing with the ticket (a reply, a status change, a take, a transfer, a new follow-up or
    /// removing it) leaves: a due follow-up is done; a scheduled one stays.
    public static func afterAgentAction(_ followUp: FollowUp?) -> FollowUp? {
        followUp?.due == true ? nil : followUp
    }

    /// What a scheduled follow-up becomes when the ticket changes hands (a transfer or a take): it goes with the ticket
    /// to whoever now has it, in the group it is now in (`agent` nil: the round robin of that group at its time), so it
    /// is "handled by someone" [S001:3134] and does not take the ticket back to the agent it left, who may be away
    /// [S001:3192]. A due follow-up is left to ``afterAgentAction(_:)``.
    public static func handedOver(_ followUp: FollowUp?, to agent: String?) -> FollowUp? {
        guard var followUp, !followUp.due else { return followUp }
        followUp.agentID = agent
        followUp.groupID = nil
        return followUp
    }

    /// The event of an agent's action that ends a due follow-up (`cause`: the action), nil when none ends.
    public static func done(_ followUp: FollowUp?, cause: String) -> (type: String, details: [String: String])? {
        guard let followUp, followUp.due else { return nil }
        return ("ticket.followup_done", ["dueAt": followUp.at.formatted(.iso8601), "cause": cause])
    }

    /// What a customer's message, or closing the ticket themselves, leaves: a scheduled follow-up is suspended, a
    /// due one stays.
    public static func afterCustomerMessage(_ followUp: FollowUp?) -> (followUp: FollowUp?, suspended: Bool) {
        guard let followUp, !followUp.due else { return (followUp, false) }
        return (nil, true)
    }

    /// What a status leaves: a Closed and Locked ticket keeps no follow-up.
    public static func kept(_ followUp: FollowUp?, status: TicketStatus) -> FollowUp? {
        status == .closedLocked ? nil : followUp
    }

    /// The Follow-ups view's count cell of a follow-up: `scheduled` or `due`.
    public static func countStatus(_ followUp: FollowUp) -> String {
        followUp.due ? "due" : "scheduled"
    }
}

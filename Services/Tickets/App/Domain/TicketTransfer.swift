import Foundation

/// A transfer as the Transfer dialog (or Send and Transfer) describes it: the new group (its department and brand
/// follow), a named agent or the group's round robin, and optionally a new priority, a new status ("usually Active"),
/// pinning to the receiving agent and a Transfer comment.
public struct TicketTransfer: Sendable, Equatable {
    /// The new group; nil keeps the ticket's own ("If the ticket should be transferred to a new group, select it",
    /// S001:3232): a transfer to another agent of the same group, or back to its round robin.
    public var groupID: UUID?
    public var agentID: UUID?
    public var comment: String?
    public var priority: TicketPriority?
    public var status: TicketStatus?
    public var pin: Bool

    public init(groupID: UUID?, agentID: UUID?, comment: String?, priority: TicketPriority? = nil, status: TicketStatus? = nil, pin: Bool = false) {
        self.groupID = groupID
        self.agentID = agentID
        self.comment = comment
        self.priority = priority
        self.status = status
        self.pin = pin
    }

    /// Whether the receiving agent counts the ticket against their Max Tickets: a ticket transferred to them that
    /// is Active is a ticket received.
    public static func countsTowardMax(status: TicketStatus) -> Bool { status == .active }
}

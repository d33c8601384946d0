/// Where a ticket is counted: the views agents see beside their lists (My Tickets, Follow-ups, Queue, each
/// group, department and brand, and each agent's tickets by department) by status. Counts move with every change
/// instead of being computed per request.
public struct CountPlacement: Sendable, Equatable {
    public var agentID: String?
    public var groupID: String
    public var departmentID: String
    public var brandID: String
    public var status: TicketStatus
    /// The Follow-ups view's cell of the ticket's follow-up (`scheduled`, `due`), nil without one.
    public var followUp: String?

    public init(_ ticket: Ticket) {
        agentID = ticket.agentID
        groupID = ticket.groupID
        departmentID = ticket.departmentID
        brandID = ticket.brandID
        status = ticket.status
        followUp = ticket.followUp.map(FollowUpRules.countStatus)
    }

    /// The (scope, scope id, status) cells this placement adds one to.
    public var cells: [CountCell] {
        var cells = [
            CountCell(scope: "group", scopeID: groupID, status: status.rawValue),
            CountCell(scope: "department", scopeID: departmentID, status: status.rawValue),
            CountCell(scope: "brand", scopeID: brandID, status: status.rawValue),
        ]
        if let agentID {
            cells.append(CountCell(scope: "agent", scopeID: agentID, status: status.rawValue))
            cells.append(CountCell(scope: Self.agentInScope(agentID), scopeID: departmentID, status: status.rawValue))
            if let followUp { cells.append(CountCell(scope: "followups", scopeID: agentID, status: followUp)) }
        } else {
            cells.append(CountCell(scope: "queue", scopeID: groupID, status: status.rawValue))
        }
        return cells
    }

    /// The scope counting an agent's tickets by department (the departments By Agent checks a manager manages).
    public static func agentInScope(_ agentID: String) -> String { "agent_in:" + agentID.lowercased() }

    /// The changes to the counts when a ticket moves from `before` to `after` (nil: not counted, e.g. deleted).
    public static func delta(from before: CountPlacement?, to after: CountPlacement?) -> [CountCell: Int] {
        guard before != after else { return [:] }
        var delta: [CountCell: Int] = [:]
        for cell in before?.cells ?? [] { delta[cell, default: 0] -= 1 }
        for cell in after?.cells ?? [] { delta[cell, default: 0] += 1 }
        return delta.filter { $0.value != 0 }
    }
}

public struct CountCell: Hashable, Sendable {
    public var scope: String
    public var scopeID: String
    public var status: String

    public init(scope: String, scopeID: String, status: String) {
        self.scope = scope
        self.scopeID = scopeID
        self.status = status
    }
}

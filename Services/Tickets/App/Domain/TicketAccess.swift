import Auth
import Contracts
import Foundation

/// Who sees a ticket: administrators (and roles scoped to everything) all; managers the tickets of departments
/// where they belong to a group; agents the tickets of their groups ("agents and managers MUST be part of a
/// group"); a customer only their own: those they submitted, and every ticket submitted under their address once
/// they confirmed it ("all of the tickets that have been submitted under the user's email address"). Plain
/// functions; a ticket one may not see answers 404.
public struct TicketCaller: Sendable {
    public var principal: Principal
    public var groups: Set<String>
    public var departments: Set<String>
    /// Departments that "allow managers outside of this department to view its contents".
    public var openDepartments: Set<String>
    /// Departments that "allow all agents to find items in this department using advanced search", where the
    /// caller found (or is about to find) a ticket: filled only by the routes that need it.
    public var searchableDepartments: Set<String> = []
    /// The caller's confirmed address, lower case (nil when unconfirmed, and for agents).
    public var verifiedEmail: String?
    /// Tickets the caller shares as the customer of a ticket merged into them: filled only by the routes that need it.
    public var sharedTickets: Set<String> = []
    /// The groups of the brand chosen in the brand dropdown ("Viewing Tickets by Brand"), which narrow the Queue; nil
    /// for every brand. Filled only by the list route.
    public var brandGroups: Set<String>?
    /// The brand of the portal a visitor lists their tickets on ("brand-specific web portals" [S001:5746]): their own
    /// and their organization's lists keep to its tickets. Nil for agents, and for a request that names no brand.
    public var portalBrand: UUID?

    public init(principal: Principal, groups: Set<String>, departments: Set<String>, openDepartments: Set<String> = []) {
        self.principal = principal
        self.groups = groups
        self.departments = departments
        self.openDepartments = openDepartments
    }

    /// Departments whose tickets the caller sees as a manager: their own and those open to outside managers.
    public var managedDepartments: Set<String> {
        principal.scope == .memberDepartments ? departments.union(openDepartments) : []
    }

    /// Departments whose tickets the caller works on as a manager: those where they belong to a group. A department
    /// open to outside managers only lets them "view its contents" (and comment).
    public var ownManagedDepartments: Set<String> {
        principal.scope == .memberDepartments ? departments : []
    }

    public var seesEverything: Bool { principal.isSystemAdministrator || principal.scope == .everything }

    /// Whether the caller sees the Queue: its list, its counts and Get From Queue. "Without View Queue, the agent sees
    /// no queue, only tickets assigned to them by round robin" [S001:6565]; Access the Queue grants it too.
    public var seesQueue: Bool {
        Authorization.allows(principal, .tickets, "View Queue") || Authorization.allows(principal, .tickets, "Access the Queue")
    }

    /// The caller's user id as ids are kept: lower case.
    public var userID: String { principal.userID.lowercased() }

    /// An employee acting on tickets (holds the Tickets feature at all).
    public var isAgent: Bool { seesEverything || Authorization.allows(principal, .tickets, "Reply") }

    public func canRead(_ ticket: Ticket) -> Bool {
        canChange(ticket) || (isAgent && (managedDepartments.contains(ticket.departmentID) || searchableDepartments.contains(ticket.departmentID)))
    }

    /// Whether the caller may act on a ticket they can read. A department open to every agent's advanced search
    /// shows its tickets read-only: its managers' peers (managers) may change them, agents only add comments. A
    /// department open to outside managers shows them its tickets read-only.
    public func canChange(_ ticket: Ticket) -> Bool {
        if seesEverything { return true }
        if isCustomer(of: ticket) { return true }
        guard isAgent else { return false }
        if ownManagedDepartments.contains(ticket.departmentID) { return true }
        // Without View Queue an agent "would only see tickets assigned to them via Round Robin" [S001:6565]: not the
        // group's queued tickets, nor its other agents'.
        if groups.contains(ticket.groupID) { return seesQueue || ticket.agentID?.lowercased() == userID }
        return principal.scope == .memberDepartments && searchableDepartments.contains(ticket.departmentID)
    }

    /// Who may list a whole group, department or brand: members of the group who see the Queue (its list holds the
    /// queued tickets); managers of the department (and of its groups: `groupDepartment` is the group's department,
    /// when the caller is no member); administrators everything.
    public func mayList(_ view: TicketView, _ id: String, groupDepartment: String? = nil) -> Bool {
        if seesEverything { return true }
        switch view {
        case .group: return (groups.contains(id) && seesQueue) || groupDepartment.map(managedDepartments.contains) == true
        case .department: return managedDepartments.contains(id)
        default: return false
        }
    }

    /// All Tickets: administrators (every ticket) and managers (the tickets of the departments where they belong to a
    /// group: "all departments the agent is part of"; a department open to outside managers stays under By Department).
    public var mayListAll: Bool { seesEverything || !ownManagedDepartments.isEmpty }

    /// By Agent: anyone their own list; administrators any agent's; managers the list of an agent all of whose
    /// departments they manage ("managers can only view tickets for the groups/departments in which they belong").
    public func mayListAgent(_ agentID: String, departments agentDepartments: Set<String>) -> Bool {
        if seesEverything || agentID == principal.userID { return true }
        return !agentDepartments.isEmpty && agentDepartments.isSubset(of: managedDepartments)
    }

    /// By Agent is offered in installations with fewer agents than this.
    public static let byAgentLimit = 500

    /// Whether the ticket is the caller's as its customer: they submitted it, it was submitted under their confirmed
    /// address, or a ticket of theirs was merged into it.
    public func isCustomer(of ticket: Ticket) -> Bool {
        ticket.customerUserID == principal.userID || (verifiedEmail != nil && ticket.customerEmail.lowercased() == verifiedEmail)
            || sharedTickets.contains(ticket.id)
    }

    /// Whether the caller may see a brand's tickets in its portal, whose View Ticket Requires is `requirement`: agents
    /// always; a portal visitor who holds that role ("Everyone" anyone signed in, "Nobody" no one).
    public func mayViewPortalTickets(requiring requirement: String) -> Bool {
        PortalAccess.admits(requirement, principal, employee: isAgent)
    }

    /// Whether the caller reads the ticket as its customer (no comments, no internal details).
    public func readsAsCustomer(_ ticket: Ticket) -> Bool {
        !isAgent || (isCustomer(of: ticket) && !groups.contains(ticket.groupID) && !seesEverything)
    }

    /// The ticket as this caller is shown it: a customer sees ``Ticket/customersView``.
    public func shown(_ ticket: Ticket) -> Ticket {
        readsAsCustomer(ticket) ? ticket.customersView : ticket
    }
}

extension Ticket {
    /// The ticket as its customer (or a reader of its link) sees it: without the agent's follow-up (its time, note
    /// and plans are the agent's, like comments) and the Timing alerts the agent is warned of.
    public var customersView: Ticket {
        var shown = self
        shown.followUp = nil
        shown.idleAlert = .none
        shown.durationAlert = .none
        return shown
    }
}

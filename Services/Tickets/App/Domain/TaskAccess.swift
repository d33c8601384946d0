import Auth
import Contracts
import Foundation

/// Who sees a task, as a plain function: administrators (and roles scoped to everything) all; its agent and the
/// agent who made it; whoever can read the ticket it belongs to or is related to; managers the tasks of agents in
/// the departments they manage ("managers can view and track tasks for their departments"). A task one may not
/// see answers 404.
public enum TaskAccess {
    /// `ticketsReadable`: whether the caller can read a ticket the task belongs to or is related to;
    /// `agentDepartments`: the departments the task's agent works in.
    public static func canRead(_ task: TaskItem, by caller: TicketCaller, ticketsReadable: Bool, agentDepartments: Set<String>) -> Bool {
        allows(task, caller, byTickets: ticketsReadable, managing: caller.managedDepartments, agentDepartments: agentDepartments)
    }

    /// Who may change a task (and log time on it, delete it): as ``canRead(_:by:ticketsReadable:agentDepartments:)``,
    /// but by tickets the caller may change and the departments they manage themselves: a department open to outside
    /// managers is read-only to them, its tasks too. `ticketsChangeable`: whether the caller can change a ticket the
    /// task belongs to or is related to.
    public static func canChange(_ task: TaskItem, by caller: TicketCaller, ticketsChangeable: Bool, agentDepartments: Set<String>) -> Bool {
        allows(task, caller, byTickets: ticketsChangeable, managing: caller.ownManagedDepartments, agentDepartments: agentDepartments)
    }

    /// An agent with the Tasks feature: everything for those who see everything; a task of tickets that allow it, their
    /// own or one they made, or of an agent of a department in `managing`.
    private static func allows(
        _ task: TaskItem, _ caller: TicketCaller, byTickets: Bool, managing: Set<String>, agentDepartments: Set<String>
    ) -> Bool {
        guard caller.isAgent, Authorization.allows(caller.principal, .tasks, "View") else { return false }
        if caller.seesEverything || byTickets { return true }
        let me = caller.userID
        if task.agentID == me || task.createdBy == me { return true }
        return !managing.isDisjoint(with: agentDepartments)
    }

    /// Who may list another agent's tasks (the By Agent view): administrators, and managers of a department the
    /// agent works in.
    public static func mayList(agentDepartments: Set<String>, by caller: TicketCaller) -> Bool {
        caller.seesEverything || !caller.managedDepartments.isDisjoint(with: agentDepartments)
    }
}

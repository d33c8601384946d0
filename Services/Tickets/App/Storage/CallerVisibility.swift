import Contracts
import Foundation
import PostgresNIO

/// The tickets an agent sees, as SQL over `tickets`: every one for those who see everything, otherwise those of their
/// groups (only their own there without View Queue, as ``TicketCaller/canChange(_:)``) and, for managers, of their
/// departments (``TicketSearch/visibilityTerms(_:)`` is the index's form, whose hits are checked against the ticket).
enum CallerVisibility {
    /// Appends the two parameters ``clause(groups:departments:for:)`` reads: the groups (NULL for everything) and the departments.
    static func append(_ caller: TicketCaller, to binds: inout PostgresBindings) {
        binds.append(caller.seesEverything ? nil : caller.groups.compactMap(UUID.init(parsing:)))
        binds.append(caller.seesEverything ? [] : caller.managedDepartments.compactMap(UUID.init(parsing:)))
    }

    /// The condition for `caller`, with the parameters' numbers.
    static func clause(groups: Int, departments: Int, for caller: TicketCaller) -> String {
        let own = caller.seesQueue ? "" : UUID(parsing: caller.userID).map { " AND agent_id = '\($0.lowercased)'::uuid" } ?? " AND false"
        return "($\(groups)::uuid[] IS NULL OR (group_id = ANY($\(groups))\(own)) OR department_id = ANY($\(departments)::uuid[]))"
    }
}

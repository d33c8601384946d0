import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Loads the caller's memberships and the ticket of the path, answering 404 for a ticket the caller may not see.
struct TicketRequestAccess: Sendable {
    let store: TicketStore

    /// The caller with the groups and departments they belong to (from tickets' copy of identity's memberships).
    func caller(_ context: ServiceRequestContext, required: Bool) async throws -> TicketCaller? {
        guard let principal = context.principal else {
            if required { throw Problem.unauthorized("Sign in first.") }
            return nil
        }
        var memberships: [(group: UUID, department: UUID)] = []
        if let userID = UUID(parsing: principal.userID) { memberships = try await store.memberships(of: userID) }
        let open = principal.scope == .memberDepartments ? try await store.departmentsOpenToOutsideManagers() : []
        var caller = TicketCaller(
            principal: principal, groups: Set(memberships.map { $0.group.lowercased }), departments: Set(memberships.map { $0.department.lowercased }),
            openDepartments: Set(open.map(\.lowercased)))
        // A key acts only through the permissions it was given; what a customer does on the portal is no permission, so
        // a key without an agent's would otherwise act as its owner's customer self (their tickets, replies, uploads).
        // Where anyone may come without signing in, it comes as anyone does.
        if principal.signedInWithApiKey && !caller.isAgent {
            guard required else { return nil }
            throw Problem.forbidden("An API key acts through the permissions it was given; a customer's own tickets are for the customer signed in.")
        }
        // Only a customer who holds the verified-address role can have confirmed it; tickets' copy of identity's users
        // says whether the address they have now is the one they confirmed.
        if !caller.isAgent, principal.roles.contains(PredefinedRoles.registeredUserWithVerifiedEmail), let userID = UUID(parsing: principal.userID) {
            caller.verifiedEmail = try await store.verifiedEmail(of: userID)
        }
        // A customer is on one brand's portal: its tickets only, whichever route names them (by id, by number, in lists).
        if !caller.isAgent { caller.portalBrand = context.brandID.flatMap(UUID.init(parsing:)) }
        return caller
    }

    /// What a route does with the ticket of its path.
    enum Intent {
        /// Shows it (or what hangs off it) as the caller reads it: a customer sees the customer's view.
        case read
        /// Shows what only its agents see (comments, history, drafts, time logs…): 404 for whoever reads it as its
        /// customer.
        case agentRead
        /// What its customer does with it: writes to it, attaches a file, asks to close it (its agents may too).
        case customer
        /// Adds a comment: allowed wherever an agent can read the ticket, but not to an agent who reads it as its customer.
        case comment
        /// Anything else: an agent's work on it.
        case change
    }

    /// The ticket of the path when the caller may see it (404 otherwise, so its existence does not leak) and may
    /// do `intent` with it (403 for a ticket they only see read-only).
    func readable(_ context: ServiceRequestContext, for intent: Intent = .change) async throws -> (Ticket, TicketCaller) {
        guard let caller = try await caller(context, required: true) else { throw Problem.unauthorized("Sign in first.") }
        guard let text = context.parameters.get("id"), let id = UUID(parsing: text) else { throw Problem.notFound("No such ticket.") }
        return try await readable(id, caller: caller, for: intent)
    }

    /// Ticket `id` when `caller` may see it and do `intent` with it, as ``readable(_:for:)`` decides for the ticket of
    /// a path: also for a ticket named by its number and for each ticket of a bulk action.
    func readable(_ id: UUID, caller: TicketCaller, for intent: Intent) async throws -> (Ticket, TicketCaller) {
        guard let ticket = try await store.find(id) else {
            guard caller.isAgent, let ticket = try await store.deletedTicket(id) else { throw Problem.notFound("No such ticket.") }
            return try await readable(deleted: ticket, caller: caller, for: intent)
        }
        return try await readable(ticket, caller: caller, for: intent)
    }

    /// ``readable(_:caller:for:)`` for a ticket already read (not deleted).
    func readable(_ ticket: Ticket, caller: TicketCaller, for intent: Intent) async throws -> (Ticket, TicketCaller) {
        // A brand's portal shows that brand's tickets only, by id as in its lists ("brand-specific web portals" [S001:5746]).
        if !caller.isAgent, let brand = caller.portalBrand, brand.lowercased != ticket.brandID { throw Problem.notFound("No such ticket.") }
        var caller = caller
        try await widen(&caller, toSearchable: ticket)
        if !caller.canRead(ticket), !caller.isAgent, try await store.isParticipant(ticket, caller: caller) {
            caller.sharedTickets.insert(ticket.id)
        }
        // The brand's View Ticket Requires is checked only for a ticket the caller could otherwise see, so that its 403
        // never tells a visitor that someone else's ticket exists.
        if !caller.canRead(ticket), !caller.isAgent, try await store.isOrganizationTicket(ticket, caller: caller) {
            try await checkPortal(caller, brand: UUID(parsing: ticket.brandID))
            // An organization's ticket, shown to a member with "View Organization Tickets in Portal": to read only.
            if intent == .agentRead { throw Problem.notFound("No such ticket.") }
            guard intent == .read else { throw Problem.forbidden("Your organization's tickets are shown to you to read; their customers answer them.") }
            return (ticket, caller)
        }
        guard caller.canRead(ticket) else { throw Problem.notFound("No such ticket.") }
        try await checkPortal(caller, brand: UUID(parsing: ticket.brandID))
        try Self.check(intent, of: ticket, by: caller)
        return (ticket, caller)
    }

    /// Whether `caller`, who can read `ticket`, may do `intent` with it. An agent who is the ticket's customer and
    /// reads it as such (it is not in their groups) has their customer's part only: agents' work on it is its group's.
    static func check(_ intent: Intent, of ticket: Ticket, by caller: TicketCaller) throws {
        switch intent {
        case .read:
            return
        case .agentRead:
            guard !caller.readsAsCustomer(ticket) else { throw Problem.notFound("No such ticket.") }
        case .customer, .comment, .change:
            if intent != .customer, caller.isAgent, caller.readsAsCustomer(ticket) {
                throw Problem.forbidden("You are this ticket's customer: you write to it, attach files and may close it; the agents of its group do the rest.")
            }
            if intent != .comment, !caller.canChange(ticket) {
                throw Problem.forbidden("This ticket's department shows it to you read-only: you may add comments.")
            }
        }
    }

    /// A portal visitor sees a brand's tickets (their own, those shared with them, their organization's) only with the
    /// role its View Ticket Requires names: 403 otherwise, for the list as for each ticket. Agents always see them.
    func checkPortal(_ caller: TicketCaller, brand: UUID?) async throws {
        guard !caller.isAgent, let brand else { return }
        let requirement = try await store.portalSettings(brand: brand).viewTicketsRequires
        guard caller.mayViewPortalTickets(requiring: requirement) else {
            throw Problem.forbidden(
                requirement == PortalAccess.nobody
                    ? "This portal does not show tickets; their replies reach you by email."
                    : "This portal shows tickets to visitors with the role \(requirement).")
        }
    }

    /// A deleted ticket, until it is purged, opens read-only for the agents who could read it before (Advanced Search
    /// with "Only deleted items" finds it): anything else done to it answers 409, since a deleted ticket is no longer
    /// actionable. Its customer (an agent too, where they read it as its customer), and everyone else, get 404; callers
    /// who are not agents never get here.
    private func readable(deleted ticket: Ticket, caller: TicketCaller, for intent: Intent) async throws -> (Ticket, TicketCaller) {
        var caller = caller
        try await widen(&caller, toSearchable: ticket)
        guard caller.canRead(ticket), !caller.readsAsCustomer(ticket) else { throw Problem.notFound("No such ticket.") }
        guard intent == .read || intent == .agentRead else { throw Problem.conflict("This ticket was deleted: it can be read until it is purged, not changed.") }
        return (ticket, caller)
    }

    /// Lets an agent read a ticket of a department whose items all agents may find (read-only), when nothing else lets
    /// them read it.
    private func widen(_ caller: inout TicketCaller, toSearchable ticket: Ticket) async throws {
        guard !caller.canRead(ticket), caller.isAgent, try await store.departmentsSearchableByAllAgents().contains(ticket.departmentID) else { return }
        caller.searchableDepartments.insert(ticket.departmentID)
    }

    /// A follow-up the caller may schedule: Follow-up, and what it does to the ticket when it comes due besides (its
    /// New Group and New Agent move it): ``checkMoves(of:group:owner:by:agentsShown:)``.
    func allowedFollowUp(_ body: FollowUpRequest, by caller: TicketCaller, group: String, owner: String?) async throws -> FollowUp {
        try Authorization.require(caller.principal, .tickets, "Follow-up")
        try Self.requireParts(priority: body.priority != nil, pin: body.pin == true, of: caller)
        let followUp = try TicketInput.followUp(body, scheduledBy: caller.principal.userID)
        try Self.checkMoves(of: followUp, group: group, owner: owner, by: caller, agentsShown: try await agentsShown(for: followUp))
        return followUp
    }

    /// Whether the follow-up may name its New Agent: always when it names none, else as Show Agents When Transferring says.
    func agentsShown(for followUp: FollowUp?) async throws -> Bool {
        try await agentsShown(namingAgent: followUp?.agentID != nil)
    }

    /// Whether a move may go to the agent it names: always when it names none, else as Show Agents When Transferring says.
    private func agentsShown(namingAgent: Bool) async throws -> Bool {
        guard namingAgent else { return true }
        return try await store.settings().showAgentsWhenTransferring == .always
    }

    /// A follow-up that will put the ticket (in `group`, with `owner`) in another group, or give it to another agent
    /// than its owner, transfers it when due and needs what a transfer needs (to a named agent only while
    /// `agentsShown`: Show Agents When Transferring); one that gives it to the caller takes it. Auto-assign in the
    /// ticket's own group is the follow-up's own option, as is keeping it with its owner.
    static func checkMoves(of followUp: FollowUp, group: String, owner: String?, by caller: TicketCaller, agentsShown: Bool) throws {
        let otherGroup = followUp.groupID.map { UUID(parsing: $0) != UUID(parsing: group) } ?? false
        let newAgent = followUp.agentID.flatMap(UUID.init(parsing:)).flatMap { $0 == owner.flatMap(UUID.init(parsing:)) ? nil : $0 }
        if let newAgent, newAgent == UUID(parsing: caller.principal.userID), !otherGroup {
            return try Authorization.require(caller.principal, .tickets, "Take")
        }
        guard otherGroup || newAgent != nil else { return }
        try Authorization.require(caller.principal, .tickets, "Transfer")
        try Authorization.require(caller.principal, .distribution, "Transfer Work Items")
        guard newAgent != nil else { return }
        try Authorization.require(caller.principal, .distribution, "Transfer Work Items to Specific Agents")
        guard agentsShown else { throw agentsHidden }
    }

    /// What an action sets besides its own work (a transfer's or a follow-up's new status, priority or pin, a reply that
    /// marks the ticket Active, Closed or Closed and Locked) needs the permission that setting it alone needs: a role
    /// without Change Status does not close tickets through Send and Close.
    static func requireParts(status: Bool = false, priority: Bool = false, pin: Bool = false, of caller: TicketCaller) throws {
        if status { try Authorization.require(caller.principal, .tickets, "Change Status") }
        if priority { try Authorization.require(caller.principal, .tickets, "Change Priority") }
        if pin { try Authorization.require(caller.principal, .tickets, "Pin") }
    }

    /// A transfer, or a follow-up's New Agent, that names an agent while Show Agents When Transferring is Never.
    static let agentsHidden = Problem.unprocessable(
        "Transfers go to a group here: Show Agents When Transferring is off.", errors: [.init(field: "agentID", message: "not allowed")])

    /// A transfer the caller may make: Tickets' Transfer (Full Control has it, Modify does not) and Distribution's
    /// Transfer Work Items, and to a named agent only with Transfer Work Items to Specific Agents when Show Agents
    /// When Transferring is on.
    func allowedTransfer(_ body: TransferRequest, by caller: TicketCaller) async throws -> TicketTransfer {
        try Authorization.require(caller.principal, .tickets, "Transfer")
        try Authorization.require(caller.principal, .distribution, "Transfer Work Items")
        try Self.requireParts(status: body.status != nil, priority: body.priority != nil, pin: body.pin == true, of: caller)
        let transfer = try TicketInput.transfer(body)
        if transfer.agentID != nil {
            try Authorization.require(caller.principal, .distribution, "Transfer Work Items to Specific Agents")
            guard try await agentsShown(namingAgent: true) else { throw Self.agentsHidden }
        }
        return transfer
    }
}

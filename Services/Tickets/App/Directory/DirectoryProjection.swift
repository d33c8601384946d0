import Contracts
import Database
import Foundation
import Logging
import PostgresNIO

/// Keeps tickets' copies of departments, groups and agents from `identity.events`, and acts on what changes
/// distribution: an agent going active resets the group's pool and drains its queue; a new membership or a
/// higher limit drains it too. Runs inside the idempotent consumer's transaction.
public struct DirectoryProjection: Sendable {
    let database: Database
    let store: TicketStore
    let distributor: Distributor
    let userComments: UserCommentProjection
    let commands: TicketCommandHandler

    public init(database: Database) {
        self.database = database
        self.store = TicketStore(database: database)
        self.distributor = Distributor(database: database)
        self.userComments = UserCommentProjection(database: database)
        self.commands = TicketCommandHandler(store: store, logger: database.logger)
    }

    public func apply(_ type: String, _ bytes: [UInt8], on connection: PostgresConnection) async throws {
        switch type {
        case "department.created", "department.updated":
            let department = try decode(IdentityPayloads.Department.self, bytes)
            try await upsert(department, on: connection)
            // A customer's message that named the department before tickets knew it is taken now.
            if let id = UUID(parsing: department.id) { try await commands.runParked(for: id, on: connection) }
        case "department.deleted":
            let deleted = try decode(IdentityPayloads.DepartmentDeleted.self, bytes)
            try await execute("DELETE FROM \(database.table("departments")) WHERE id = $1", [deleted.departmentID], on: connection)
            try await execute("DELETE FROM \(database.table("signatures")) WHERE department_id = $1", [deleted.departmentID], on: connection)
            // Its groups went with it (identity announces no group.deleted for them); their tickets go with the department's.
            for group in deleted.groupIDs { try await forget(group: group, on: connection) }
            try await store.scheduleRemoval(ofDepartment: deleted.departmentID, moveTo: deleted.moveItemsTo, on: connection)
            try await DepartmentSuccession(database: database).remember(deleted: deleted.departmentID, moveTo: deleted.moveItemsTo, on: connection)
            // A command that named the department after tickets forgot it goes where its tickets went.
            if let id = UUID(parsing: deleted.departmentID) { try await commands.runParked(for: id, on: connection) }
        case "group.created", "group.updated":
            let group = try decode(IdentityPayloads.Group.self, bytes)
            var binds = PostgresBindings()
            binds.append(UUID(parsing: group.id))
            binds.append(UUID(parsing: group.departmentID))
            binds.append(group.name)
            // The department it had, if tickets knew the group: a group moved to another department takes its tickets.
            var known = PostgresBindings()
            known.append(UUID(parsing: group.id))
            let before = try await connection.firstValue(
                PostgresQuery(unsafeSQL: "SELECT department_id FROM \(database.table("groups")) WHERE id = $1 FOR UPDATE", binds: known),
                as: UUID.self, logger: database.logger)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("groups")) (id, department_id, name) VALUES ($1, $2, $3)
                    ON CONFLICT (id) DO UPDATE SET department_id = $2, name = $3
                    """, binds: binds), logger: database.logger
            ).consume()
            if let before, let id = UUID(parsing: group.id), let department = UUID(parsing: group.departmentID), before != department {
                try await moved(group: id, to: department, on: connection)
            }
        case "group.deleted":
            let group = try decode(IdentityPayloads.GroupDeleted.self, bytes)
            try await forget(group: group.groupID, on: connection)
            if let department = group.departmentID { try await store.scheduleRemoval(ofGroup: group.groupID, department: department, on: connection) }
        case "agent.membership_changed":
            try await membership(try decode(IdentityPayloads.Membership.self, bytes), on: connection)
        case "agent.membership_removed":
            let removed = try decode(IdentityPayloads.MembershipRemoved.self, bytes)
            guard let group = UUID(parsing: removed.groupID), let agent = UUID(parsing: removed.userID) else { return }
            try await removeMembership(of: agent, from: group, on: connection)
        case "agent.status_changed":
            try await status(try decode(IdentityPayloads.StatusChanged.self, bytes), on: connection)
        case SettingsEventType.managementChanged:
            try await store.applyManagementSettings(try decode(VersionedSettings<ManagementSettings>.self, bytes), on: connection)
        case "agent.signed_in", "agent.signed_out":
            // Rules that run "when an agent starts (stops) receiving tickets" run for the groups where that happened:
            // not for a second session's sign-in or sign-out, nor for groups the agent is Inactive in.
            let session = try decode(IdentityPayloads.AgentSession.self, bytes)
            let groups = session.groupIDs.compactMap(UUID.init(parsing:))
            guard let agent = UUID(parsing: session.userID) else { return }
            if type == "agent.signed_out" {
                let stopped = session.stillSignedIn == true ? [] : try await store.agentSignedOut(agent, groups: groups, on: connection)
                if session.handOff == true { try await store.handOff(agent: agent, on: connection) }
                try await store.triggerRebalanceRules(groups: stopped, started: false, on: connection)
            } else {
                let started = try await store.agentSignedIn(agent, groups: groups, on: connection)
                try await store.triggerRebalanceRules(groups: started, started: true, on: connection)
            }
        case "user.created", "user.updated":
            let user = try decode(IdentityPayloads.UserChanged.self, bytes)
            // Every group's agents before any agent's own row: the order every transaction keeps, a batch of new
            // tickets' check included, so that this write of the agent's row cannot deadlock with one.
            var memberOf: [UUID] = []
            if let agent = UUID(parsing: user.userID) { memberOf = try await store.groups(of: agent, limitedOverall: false, on: connection) }
            if !memberOf.isEmpty { _ = try await distributor.lockedSlots(in: memberOf, on: connection) }
            var binds = PostgresBindings()
            binds.append(UUID(parsing: user.userID))
            binds.append(user.maxTickets)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("agents")) (id, overall_max_tickets) VALUES ($1, $2)
                    ON CONFLICT (id) DO UPDATE SET overall_max_tickets = $2
                    """, binds: binds), logger: database.logger
            ).consume()
            try await store.rememberUser(
                id: user.userID, email: user.email, emailVerified: user.emailVerified ?? false, displayName: user.displayName, on: connection)
            if let phones = user.phones { try await store.rememberPhones(phones, of: user.userID, on: connection) }
            // A raised (or removed) overall Max Tickets makes room in each of the agent's groups: their queues move on.
            for group in memberOf { try await store.drainQueue(of: group, on: connection) }
        case "user.registered":
            // A portal sign-up: identity announces it as this alone, and its later user.email_verified needs the row.
            let user = try decode(IdentityPayloads.Registered.self, bytes)
            try await store.rememberUser(id: user.id, email: user.email, emailVerified: false, displayName: user.displayName, on: connection)
        case "user.email_verified":
            let verified = try decode(IdentityPayloads.EmailVerified.self, bytes)
            try await store.rememberVerifiedEmail(of: verified.userID, email: verified.email, on: connection)
        case "organization.created", "organization.updated", "organization.deleted", "organization.member_added", "organization.member_removed":
            try await store.rememberOrganization(
                try decode(IdentityPayloads.Organization.self, bytes), deleted: type == "organization.deleted", on: connection)
        case BrandEventType.created, BrandEventType.updated:
            try await store.rememberBrand(try decode(BrandSnapshot.self, bytes), on: connection)
        case "brand.settings_changed":
            try await store.rememberBrandSettings(try decode(IdentityPayloads.BrandSettingsChanged.self, bytes), on: connection)
        case "user.deleted":
            let user = try decode(IdentityPayloads.UserChanged.self, bytes)
            // A deleted agent's Active tickets go to the other agents of their groups (or the queue), pinned ones too;
            // their Waiting tickets move on the customer's reply, as an inactive owner's do.
            if let agent = UUID(parsing: user.userID) { try await store.handOff(agent: agent, includingPinned: true, on: connection) }
            try await execute("DELETE FROM \(database.table("agent_groups")) WHERE agent_id = $1", [user.userID], on: connection)
            try await execute("DELETE FROM \(database.table("user_phones")) WHERE user_id = $1", [user.userID], on: connection)
            try await userComments.apply(type, bytes, on: connection)
        case "user.comment_added", "user.comment_changed", "user.comment_deleted":
            try await userComments.apply(type, bytes, on: connection)
        default:
            return
        }
    }

    private func upsert(_ department: IdentityPayloads.Department, on connection: PostgresConnection) async throws {
        let tickets = department.settings?.tickets
        var binds = PostgresBindings()
        binds.append(UUID(parsing: department.id))
        binds.append(UUID(parsing: department.brandID))
        binds.append(department.name)
        binds.append(UUID(parsing: department.frontLineGroupID))
        binds.append(department.hiddenFromPortal ?? false)
        binds.append(tickets?.newTicketsInPortal ?? "Everyone")
        binds.append(tickets?.requireResolutionToClose ?? false)
        binds.append(tickets?.autoCloseEnabled == true ? tickets?.autoCloseAfterHours : nil)
        binds.append(tickets?.autoLockEnabled == true ? tickets?.autoLockAfterHours : nil)
        binds.append(tickets?.autoDeleteEnabled == true ? tickets?.autoDeleteAfterDays : nil)
        binds.append(department.version ?? 1)
        binds.append(tickets?.customFieldTemplateID.flatMap(UUID.init(parsing:)))
        binds.append(department.settings?.timeLogsBillableByDefault ?? false)
        binds.append(department.settings?.allowOutsideManagersToView ?? false)
        binds.append(department.settings?.allowAllAgentsAdvancedSearch ?? false)
        binds.append(tickets?.requireAllTasksCompletedToClose ?? false)
        binds.append(tickets?.includeTicketsWithResolutionsInAutoDelete ?? false)
        binds.append(tickets?.notifyCustomerOnAutoClose ?? false)
        binds.append(tickets?.requireVerifiedEmailToStartTickets ?? false)
        binds.append(tickets?.searchKnowledgeBaseBeforeSubmission ?? true)
        binds.append(tickets?.messageBeforeSubmission ?? "")
        binds.append(tickets?.messageAfterSubmission ?? "")
        binds.append(tickets?.surveyToOfferWhenClosed.flatMap { $0.isEmpty ? nil : $0 })
        binds.append(department.language ?? "en")
        let departments = database.table("departments")
        let before = try await store.timerPolicy(ofDepartment: department.id, on: connection)
        let id = UUID(parsing: department.id)
        var brandBefore: UUID?
        if let id { brandBefore = try await store.department(id, on: connection)?.brandID }
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(departments) (id, brand_id, name, front_line_group_id, hidden_from_portal, new_tickets_in_portal,
                    require_resolution_to_close, auto_close_hours, auto_lock_hours, auto_delete_days, version, template_id, time_logs_billable,
                    open_to_outside_managers, open_to_all_agents_search, require_tasks_completed_to_close, auto_delete_resolved, notify_on_auto_close,
                    require_verified_email, search_knowledge_base, message_before_submission, message_after_submission, survey_when_closed, language)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
                ON CONFLICT (id) DO UPDATE SET brand_id = $2, name = $3, front_line_group_id = $4, hidden_from_portal = $5,
                    new_tickets_in_portal = $6, require_resolution_to_close = $7, auto_close_hours = $8, auto_lock_hours = $9,
                    auto_delete_days = $10, version = $11, template_id = $12, time_logs_billable = $13,
                    open_to_outside_managers = $14, open_to_all_agents_search = $15, require_tasks_completed_to_close = $16,
                    auto_delete_resolved = $17, notify_on_auto_close = $18, require_verified_email = $19, search_knowledge_base = $20,
                    message_before_submission = $21, message_after_submission = $22, survey_when_closed = $23, language = $24
                WHERE \(departments).version <= $11
                """, binds: binds), logger: database.logger
        ).consume()
        if let before, before != (try await store.timerPolicy(ofDepartment: department.id, on: connection)) {
            try await store.scheduleTimerResync(ofDepartment: department.id, on: connection)
        }
        // Moved to another brand (an event older than what tickets holds changes nothing): its tickets follow.
        if let id, let brandBefore, let brandNow = try await store.department(id, on: connection)?.brandID, brandNow != brandBefore {
            try await store.scheduleBrandMove(ofDepartment: department.id, on: connection)
        }
    }

    private func membership(_ membership: IdentityPayloads.Membership, on connection: PostgresConnection) async throws {
        guard let group = UUID(parsing: membership.groupID), let agent = UUID(parsing: membership.userID) else { return }
        // Keyed by the agent, the membership can arrive after its group's deletion (keyed by the group): it is stale.
        guard try await !isDeleted(group: group, on: connection) else { return }
        var binds = PostgresBindings()
        binds.append(group)
        binds.append(agent)
        binds.append(UUID(parsing: membership.departmentID))
        binds.append(membership.ticketHandling)
        binds.append(membership.maxTickets)
        binds.append(membership.excludedChannels.contains("tickets"))
        binds.append(membership.ticketsActive)
        // The group's agent rows before this one's is written: the order every transaction keeps (a batch of new
        // tickets' check, a pool reset), so that this write cannot deadlock with one of them.
        _ = try await distributor.lockedSlots(in: group, on: connection)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                WITH agent AS (INSERT INTO \(database.table("agents")) (id) VALUES ($2) ON CONFLICT (id) DO NOTHING),
                before AS (SELECT active AND NOT excluded AS active, handling FROM \(database.table("agent_groups")) WHERE group_id = $1 AND agent_id = $2)
                INSERT INTO \(database.table("agent_groups")) (group_id, agent_id, department_id, handling, max_tickets, excluded, active)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (group_id, agent_id) DO UPDATE SET department_id = $3, handling = $4, max_tickets = $5, excluded = $6, active = $7
                RETURNING $7 AND NOT $6, coalesce((SELECT active FROM before), false),
                    coalesce((SELECT signed_out FROM \(database.table("agents")) WHERE id = $2), false),
                    coalesce((SELECT handling FROM before) = 'pull' AND $4 <> 'pull', false)
                """, binds: binds), logger: database.logger)
        var (activeNow, activeBefore, signedOut, leftPull) = (false, false, false, false)
        for try await row in rows.decode((Bool, Bool, Bool, Bool).self) { (activeNow, activeBefore, signedOut, leftPull) = row }
        // A new Active member changes the pool as going active does, and so does an Active member who stops pulling
        // from the queue and joins the round robin: their allocation starts from their open tickets, not from when
        // the pool last reset [S001:2925].
        if activeNow && (!activeBefore || leftPull) { try await distributor.resetPool(in: group, on: connection) }
        if activeNow != activeBefore && !signedOut { try await store.triggerRebalanceRules(groups: [group], started: activeNow, on: connection) }
        try await store.drainQueue(of: group, on: connection)
    }

    /// An agent removed from a group: their Active tickets there, pinned ones too, go to the group's other agents or
    /// its queue (a pin to someone outside the group could never hold); their Waiting ones move on at the customer's
    /// reply, as an inactive owner's do. The group's agent rows are taken first, as in ``membership(_:on:)``.
    private func removeMembership(of agent: UUID, from group: UUID, on connection: PostgresConnection) async throws {
        _ = try await distributor.lockedSlots(in: group, on: connection)
        var binds = PostgresBindings()
        binds.append(group)
        binds.append(agent)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                DELETE FROM \(database.table("agent_groups")) WHERE group_id = $1 AND agent_id = $2
                RETURNING active AND NOT excluded AND NOT coalesce((SELECT signed_out FROM \(database.table("agents")) WHERE id = $2), false)
                """, binds: binds), logger: database.logger)
        var wasReceiving = false
        for try await receiving in rows.decode(Bool.self) { wasReceiving = receiving }
        try await store.handOff(agent: agent, group: group, includingPinned: true, on: connection)
        if wasReceiving { try await store.triggerRebalanceRules(groups: [group], started: false, on: connection) }
    }

    /// Active/Inactive for tickets in a group; going active resets the pool and drains the queue. The group's agent
    /// rows are taken first, as in ``membership(_:on:)``.
    private func status(_ change: IdentityPayloads.StatusChanged, on connection: PostgresConnection) async throws {
        guard change.channel == "tickets", let group = UUID(parsing: change.groupID), let agent = UUID(parsing: change.userID) else { return }
        _ = try await distributor.lockedSlots(in: group, on: connection)
        var binds = PostgresBindings()
        binds.append(group)
        binds.append(agent)
        binds.append(change.active)
        // A row when the status changed: whether the agent, signed in and not excluded, starts or stops receiving
        // the group's tickets by it.
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("agent_groups")) SET active = $3 WHERE group_id = $1 AND agent_id = $2 AND active IS DISTINCT FROM $3
                RETURNING NOT excluded AND NOT coalesce((SELECT signed_out FROM \(database.table("agents")) WHERE id = $2), false)
                """, binds: binds),
            logger: database.logger)
        var (changed, receivingChanged) = (false, false)
        for try await value in rows.decode(Bool.self) { (changed, receivingChanged) = (true, value) }
        if !change.active, change.handOff == true { try await store.handOff(agent: agent, group: group, on: connection) }
        if receivingChanged { try await store.triggerRebalanceRules(groups: [group], started: change.active, on: connection) }
        guard change.active else { return }
        // Going active changes the pool [S001:2925]; an Active agent saved Active again (My Groups re-saved) does not.
        if changed { try await distributor.resetPool(in: group, on: connection) }
        try await store.drainQueue(of: group, on: connection)
    }

    /// A group moved to another department: its memberships count there from now on, a signature that named the
    /// group in its old department names it in the new one (and that department's brand, once known; unless the new
    /// one has a signature for the group already), and its tickets follow it batch by batch.
    private func moved(group id: UUID, to department: UUID, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(department)
        try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table("agent_groups")) SET department_id = $2 WHERE group_id = $1", binds: binds),
            logger: database.logger
        ).consume()
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("signatures")) s SET department_id = $2,
                    brand_id = CASE WHEN s.brand_id IS NULL THEN NULL
                        ELSE coalesce((SELECT d.brand_id FROM \(database.table("departments")) d WHERE d.id = $2), s.brand_id) END
                WHERE s.group_id = $1 AND s.department_id IS NOT NULL AND s.department_id <> $2
                  AND NOT EXISTS (SELECT 1 FROM \(database.table("signatures")) o WHERE o.group_id = $1 AND o.department_id = $2)
                """, binds: binds), logger: database.logger
        ).consume()
        try await store.scheduleDepartmentMove(ofGroup: id, to: department, on: connection)
    }

    /// A deleted group, its memberships, and its rebalance rules and signatures, which could never apply again; the
    /// group is remembered as deleted.
    private func forget(group id: String, on connection: PostgresConnection) async throws {
        try await execute("INSERT INTO \(database.table("deleted_groups")) (id) VALUES ($1) ON CONFLICT (id) DO NOTHING", [id], on: connection)
        for table in ["groups", "agent_groups", "rebalance_rules", "signatures"] {
            try await execute("DELETE FROM \(database.table(table)) WHERE \(table == "groups" ? "id" : "group_id") = $1", [id], on: connection)
        }
    }

    private func isDeleted(group: UUID, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(group)
        let deleted = try await connection.firstValue(
            PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(database.table("deleted_groups")) WHERE id = $1)", binds: binds),
            as: Bool.self, logger: database.logger)
        return deleted ?? false
    }

    private func execute(_ sql: String, _ ids: [String], on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        for id in ids { binds.append(UUID(parsing: id)) }
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger).consume()
    }

    private func decode<P: Decodable>(_ type: P.Type, _ bytes: [UInt8]) throws -> P {
        try JSONDecoder().decode(IdentityPayloads.Envelope<P>.self, from: Data(bytes)).data
    }
}

import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Departments, groups and the agent–group relationships, with agent status; every change is an event.
public struct StructureRepository: Sendable {
    let database: Database
    let events: IdentityEvents

    public init(database: Database) {
        self.database = database
        self.events = IdentityEvents(database: database)
    }

    /// Creates a department together with its front-line group: a department never exists without one.
    /// `validate` sees the department before anything is written.
    public func createDepartment(
        _ request: CreateDepartmentRequest, name: String, brandID: UUID, settings: DepartmentSettings = DepartmentSettings(),
        validate: (Department) throws -> Void = { _ in }
    ) async throws -> (Department, Group) {
        let departmentID = UUIDv7.generate()
        let groupID = UUIDv7.generate()
        let group = Group(
            id: groupID.uuidString.lowercased(), departmentID: departmentID.uuidString.lowercased(),
            name: try request.frontLineGroupName?.trimmingCharacters(in: .whitespaces).nonEmpty.map { try StructureController.name($0) }
                ?? "\(name) Front Line",
            timeEstimates: TimeEstimates(), version: 1)
        let department = Department(
            id: group.departmentID, brandID: brandID.uuidString.lowercased(), name: name, frontLineGroupID: group.id,
            language: request.language ?? "en", emailAddress: request.emailAddress, hiddenFromPortal: request.hiddenFromPortal ?? false,
            liveChatEnabled: request.liveChatEnabled ?? true, settings: settings, version: 1)
        try validate(department)
        return try await create(department, frontLine: group)
    }

    /// Inserts a department and its front-line group in one transaction and publishes both, each with the people
    /// fields' default values it was not given.
    func create(_ department: Department, frontLine group: Group) async throws -> (Department, Group) {
        var department = department
        var group = group
        return try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(UUID(parsing: department.id))
            binds.append(UUID(parsing: department.brandID))
            binds.append(department.name)
            binds.append(UUID(parsing: group.id))
            binds.append(department.language)
            binds.append(department.emailAddress)
            binds.append(department.hiddenFromPortal)
            binds.append(department.liveChatEnabled)
            binds.append(try JSONColumn.encode(department.settings))
            binds.append(try JSONColumn.encode(department.customFields))
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("departments"))
                        (id, brand_id, name, front_line_group_id, language, email_address, hidden_from_portal, live_chat_enabled, settings,
                         custom_fields)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb) RETURNING custom_fields::text
                    """, binds: binds), logger: database.logger)
            department.customFields = try await Self.customFields(inserted: rows)
            group.customFields = try await insert(group, on: connection)
            try await publish("department.created", subject: department.id, brandID: department.brandID, data: department, on: connection)
            try await publish("group.created", subject: group.id, brandID: department.brandID, data: group, on: connection)
            return (department, group)
        }
    }

    /// Inserts and publishes a group, with the people fields' default values it was not given; answers it as stored.
    public func createGroup(_ group: Group) async throws -> Group {
        var group = group
        return try await database.transaction { connection in
            try await translatingUniqueViolation(into: Problem.conflict("The department has a group named \(group.name).")) {
                group.customFields = try await insert(group, on: connection)
            }
            try await publish("group.created", subject: group.id, brandID: nil, data: group, on: connection)
            return group
        }
    }

    /// Departments ordered by name then id; `visibleTo` (department ids) narrows the list for non-administrators.
    public func departments(brandID: UUID? = nil, visibleTo: [UUID]? = nil, page: PageRequest = PageRequest(limit: PageRequest.maximumLimit)) async throws -> Page<Department> {
        try await pageByName(ownerColumn: "brand_id", owner: brandID, visibleTo: visibleTo, page: page, key: { [$0.name.lowercased(), $0.id] }) {
            try await departmentRows($0, $1, on: $2)
        }
    }

    /// One page ordered by `lower(name), id` on rows whose `ownerColumn` is `owner` (any when nil) and whose id is in
    /// `visibleTo` (any when nil).
    private func pageByName<Item: Codable & Sendable>(
        ownerColumn: String, owner: UUID?, visibleTo: [UUID]?, page: PageRequest, key: (Item) -> [String],
        rows: (String, PostgresBindings, PostgresConnection) async throws -> [Item]
    ) async throws -> Page<Item> {
        var conditions = QueryConditions()
        conditions.require(owner) { "\(ownerColumn) = \($0)" }
        conditions.require(visibleTo) { "id = ANY(\($0))" }
        try conditions.after(page.cursor, as: [.text, .uuid]) { "(lower(name), id) > (\($0[0]), \($0[1]))" }
        let limit = conditions.bind(page.limit + 1)
        let found = try await database.client.withConnection { connection in
            try await rows("\(conditions.whereClause) ORDER BY lower(name), id LIMIT \(limit)", conditions.binds, connection)
        }
        return Page.from(fetched: found, limit: page.limit, key: key)
    }

    public func department(_ id: UUID) async throws -> Department? {
        try await database.client.withConnection { try await department(id, on: $0, lock: false) }
    }

    func department(_ id: UUID, on connection: PostgresConnection, lock: Bool) async throws -> Department? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await departmentRows("WHERE id = $1\(lock ? " FOR UPDATE" : "")", binds, on: connection).first
    }

    private func departmentRows(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [Department] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, brand_id, name, front_line_group_id, language, email_address, hidden_from_portal, live_chat_enabled,
                       settings::text, custom_fields::text, version
                FROM \(database.table("departments")) \(tail)
                """, binds: binds), logger: database.logger)
        var result: [Department] = []
        for try await (id, brand, name, front, language, email, hidden, chat, settings, fields, version)
            in rows.decode((UUID, UUID, String, UUID, String, String?, Bool, Bool, String, String, Int).self)
        {
            result.append(Department(
                id: id.uuidString.lowercased(), brandID: brand.uuidString.lowercased(), name: name, frontLineGroupID: front.uuidString.lowercased(),
                language: language, emailAddress: email, hiddenFromPortal: hidden, liveChatEnabled: chat,
                settings: try MergePatch.decode(settings, over: DepartmentSettings()),
                customFields: try JSONColumn.decode([String: String].self, from: fields), version: version))
        }
        return result
    }

    /// Groups ordered by name then id, optionally of one department and narrowed to `visibleTo` group ids.
    public func groups(
        in departmentID: UUID? = nil, visibleTo: [UUID]? = nil, page: PageRequest = PageRequest(limit: PageRequest.maximumLimit)
    ) async throws -> Page<Group> {
        try await pageByName(ownerColumn: "department_id", owner: departmentID, visibleTo: visibleTo, page: page, key: { [$0.name.lowercased(), $0.id] }) {
            try await groupRows($0, $1, on: $2)
        }
    }

    public func group(_ id: UUID) async throws -> Group? {
        try await database.client.withConnection { try await group(id, on: $0, lock: false) }
    }

    /// The ids of every group of a department, read on `connection`.
    func groupIDs(in departmentID: UUID, on connection: PostgresConnection) async throws -> Set<String> {
        var binds = PostgresBindings()
        binds.append(departmentID)
        return Set(try await groupRows("WHERE department_id = $1", binds, on: connection).map(\.id))
    }

    func group(_ id: UUID, on connection: PostgresConnection, lock: Bool) async throws -> Group? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await groupRows("WHERE id = $1\(lock ? " FOR UPDATE" : "")", binds, on: connection).first
    }

    private func groupRows(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [Group] {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT id, department_id, name, time_estimates::text, custom_fields::text, version FROM \(database.table("groups")) \(tail)",
                binds: binds),
            logger: database.logger)
        var result: [Group] = []
        for try await (id, department, name, estimates, fields, version) in rows.decode((UUID, UUID, String, String, String, Int).self) {
            result.append(Group(
                id: id.uuidString.lowercased(), departmentID: department.uuidString.lowercased(), name: name,
                timeEstimates: try MergePatch.decode(estimates, over: TimeEstimates()),
                customFields: try JSONColumn.decode([String: String].self, from: fields), version: version))
        }
        return result
    }

    /// Adds an agent to a group or changes the relationship's settings.
    public func setMembership(group: Group, userID: UUID, request: MembershipRequest) async throws -> Membership {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(UUID(parsing: group.id))
            binds.append(userID)
            binds.append((request.ticketHandling ?? .primary).rawValue)
            binds.append((request.chatHandling ?? .primary).rawValue)
            binds.append(request.maxTickets)
            binds.append((request.excludedChannels ?? []).map(\.rawValue))
            binds.append(request.autoInactiveMinutes)
            binds.append(request.handOffOnAutoInactive ?? false)
            binds.append(request.goActiveOnLogin ?? false)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("group_members"))
                        (group_id, user_id, ticket_handling, chat_handling, max_tickets, excluded_channels, auto_inactive_minutes,
                         hand_off_on_auto_inactive, go_active_on_login)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    ON CONFLICT (group_id, user_id) DO UPDATE SET ticket_handling = $3, chat_handling = $4, max_tickets = $5,
                        excluded_channels = $6, auto_inactive_minutes = $7, hand_off_on_auto_inactive = $8, go_active_on_login = $9
                    """, binds: binds), logger: database.logger
            ).consume()
            guard let membership = try await memberships(of: userID, on: connection).first(where: { $0.groupID == group.id }) else {
                throw Problem.notFound("No such membership.")
            }
            try await publish("agent.membership_changed", subject: membership.userID, brandID: nil, data: membership, on: connection)
            return membership
        }
    }

    public func memberships(of userID: UUID) async throws -> [Membership] {
        try await database.client.withConnection { try await memberships(of: userID, on: $0) }
    }

    public func members(of groupID: UUID) async throws -> [Membership] {
        try await database.client.withConnection { connection in
            try await membershipRows("WHERE m.group_id = $1", groupID, on: connection)
        }
    }

    /// Sets Active/Inactive for one channel in one group and publishes `agent.status_changed`.
    public func setStatus(_ change: StatusChange, of userID: UUID, by actor: String) async throws -> AgentStatusChanged {
        try await database.transaction { try await setStatus(change, of: userID, by: actor, on: $0) }
    }

    /// Marks a signing-in agent Active where their membership says "go active upon login" and publishes
    /// `agent.signed_in` with their groups; nothing for users in no group.
    public func signedIn(_ userID: UUID) async throws {
        try await database.transaction { connection in
            try await setSignedIn(userID, true, on: connection)
            let memberships = try await memberships(of: userID, on: connection)
            guard !memberships.isEmpty else { return }
            for membership in memberships where membership.goActiveOnLogin {
                for channel in Channel.allCases where !membership.excludedChannels.contains(channel) {
                    let active = channel == .tickets ? membership.ticketsActive : membership.chatsActive
                    guard !active else { continue }
                    _ = try await setStatus(
                        StatusChange(groupID: membership.groupID, channel: channel, active: true), of: userID, by: membership.userID, on: connection)
                }
            }
            let session = AgentSession(userID: userID.uuidString.lowercased(), groupIDs: memberships.map(\.groupID))
            try await publish("agent.signed_in", subject: session.userID, brandID: nil, data: session, on: connection)
        }
    }

    /// Publishes `agent.signed_out` for an agent in any group, so tickets can hand off their unpinned work when
    /// the agent chose to (`handOff`) and, unless another session is still open (`stillSignedIn`), stop giving them
    /// new tickets until they sign in again.
    public func signedOut(_ userID: UUID, handOff: Bool = false, stillSignedIn: Bool = false) async throws {
        try await database.transaction { connection in
            try await setSignedIn(userID, stillSignedIn, on: connection)
            try await announceSignedOut(userID, handOff: handOff, stillSignedIn: stillSignedIn, on: connection)
        }
    }

    /// `agent.signed_out` with the agent's groups; nothing for users in no group.
    func announceSignedOut(_ userID: UUID, handOff: Bool, stillSignedIn: Bool, on connection: PostgresConnection) async throws {
        let memberships = try await memberships(of: userID, on: connection)
        guard !memberships.isEmpty else { return }
        let session = AgentSession(
            userID: userID.uuidString.lowercased(), groupIDs: memberships.map(\.groupID), handOff: handOff, stillSignedIn: stillSignedIn)
        try await publish("agent.signed_out", subject: session.userID, brandID: nil, data: session, on: connection)
    }

    func setStatus(
        _ change: StatusChange, of userID: UUID, by actor: String, handOff: Bool? = nil, on connection: PostgresConnection
    ) async throws -> AgentStatusChanged {
        guard let membership = try await memberships(of: userID, on: connection).first(where: { $0.groupID == change.groupID }) else {
            throw Problem.notFound("The agent is not a member of this group.")
        }
        guard !membership.excludedChannels.contains(change.channel) else {
            throw Problem.conflict("The agent is excluded from \(change.channel.rawValue) in this group.")
        }
        var binds = PostgresBindings()
        binds.append(change.active)
        binds.append(UUID(parsing: change.groupID))
        binds.append(userID)
        let column = change.channel == .tickets ? "tickets_active" : "chats_active"
        try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table("group_members")) SET \(column) = $1 WHERE group_id = $2 AND user_id = $3", binds: binds),
            logger: database.logger
        ).consume()
        let event = AgentStatusChanged(
            userID: membership.userID, groupID: membership.groupID, departmentID: membership.departmentID, channel: change.channel,
            active: change.active, changedBy: actor, handOff: handOff)
        try await publish("agent.status_changed", subject: event.userID, brandID: nil, data: event, on: connection)
        return event
    }

    public func setAvailability(_ available: Bool, of userID: UUID, by actor: String) async throws -> AgentAvailabilityChanged {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(userID)
            binds.append(available)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("agent_presence")) (user_id, available) VALUES ($1, $2)
                    ON CONFLICT (user_id) DO UPDATE SET available = $2, changed_at = now()
                    """, binds: binds), logger: database.logger
            ).consume()
            let event = AgentAvailabilityChanged(userID: userID.uuidString.lowercased(), available: available, changedBy: actor)
            try await publish("agent.availability_changed", subject: event.userID, brandID: nil, data: event, on: connection)
            return event
        }
    }

    func memberships(of userID: UUID, on connection: PostgresConnection) async throws -> [Membership] {
        try await membershipRows("WHERE m.user_id = $1", userID, on: connection)
    }

    private func membershipRows(_ filter: String, _ id: UUID, on connection: PostgresConnection) async throws -> [Membership] {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT m.group_id, g.department_id, m.user_id, m.ticket_handling, m.chat_handling, m.max_tickets, m.excluded_channels,
                       m.tickets_active, m.chats_active, m.auto_inactive_minutes, m.hand_off_on_auto_inactive, m.go_active_on_login
                FROM \(database.table("group_members")) m JOIN \(database.table("groups")) g ON g.id = m.group_id \(filter)
                ORDER BY g.department_id, m.group_id
                """, binds: binds), logger: database.logger)
        var result: [Membership] = []
        for try await (group, department, user, tickets, chats, max, excluded, ticketsActive, chatsActive, autoInactive, handOff, goActive)
            in rows.decode((UUID, UUID, UUID, String, String, Int?, [String], Bool, Bool, Int?, Bool, Bool).self)
        {
            result.append(Membership(
                groupID: group.uuidString.lowercased(), departmentID: department.uuidString.lowercased(), userID: user.uuidString.lowercased(),
                ticketHandling: WorkHandling(rawValue: tickets) ?? .primary, chatHandling: WorkHandling(rawValue: chats) ?? .primary,
                maxTickets: max, excludedChannels: excluded.compactMap(Channel.init(rawValue:)), ticketsActive: ticketsActive,
                chatsActive: chatsActive, autoInactiveMinutes: autoInactive, handOffOnAutoInactive: handOff, goActiveOnLogin: goActive))
        }
        return result
    }

    /// Inserts the group; answers its people field values as stored (with the fields' defaults it was not given).
    func insert(_ group: Group, on connection: PostgresConnection) async throws -> [String: String] {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: group.id))
        binds.append(UUID(parsing: group.departmentID))
        binds.append(group.name)
        binds.append(try JSONColumn.encode(group.timeEstimates))
        binds.append(try JSONColumn.encode(group.customFields))
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(database.table("groups")) (id, department_id, name, time_estimates, custom_fields)
                    VALUES ($1, $2, $3, $4::jsonb, $5::jsonb) RETURNING custom_fields::text
                    """, binds: binds),
            logger: database.logger)
        return try await Self.customFields(inserted: rows)
    }

    /// The people field values an `INSERT … RETURNING custom_fields::text` answered.
    static func customFields(inserted rows: PostgresRowSequence) async throws -> [String: String] {
        for try await text in rows.decode(String.self) { return try JSONColumn.decode([String: String].self, from: text) }
        return [:]
    }

    func publish<P: Codable & Sendable>(_ type: String, subject: String, brandID: String?, data: P, on connection: PostgresConnection) async throws {
        try await events.publish(type, subject: subject, brandID: brandID, data: data, on: connection)
    }
}

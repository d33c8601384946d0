import Auth
import Contracts
import Database
import Fleet
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Search
import ServiceKit
import Testing
import TestSupport
@testable import TicketsApp

/// The tickets routes on a fresh database, with the directory fed the way identity.events would feed it.
struct TicketTestKit: Sendable {
    let database: Database
    let tokens: TokenService
    let api: TicketsAPI
    var indexer: TicketIndexer? = nil
    let brandID = UUID()
    let departmentID = UUID()
    let frontLineID = UUID()

    /// `schema` other than the service's own runs prepared statements unprepared (``ScopedViewStatement``). The
    /// CAPTCHA is off unless `captcha` says otherwise, so that the suites' customers submit without solving one.
    ///
    /// After the body, every ticket's `list_json` and the view counts must be current; a suite that writes tickets'
    /// rows by hand (bulk copies, direct updates of what counts) passes `countsKept: false`, since kept counts follow
    /// changes made through the store only.
    static func run(
        schema: String = "tickets", index: (@Sendable () throws -> SearchIndex)? = nil, captcha: CaptchaMode = .none, countsKept: Bool = true,
        _ body: @escaping @Sendable (any TestClientProtocol, TicketTestKit) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshSchema(schema) { database in
            try await MigrationRunner(database: database, migrations: TicketMigrations.all).run()
            try await database.client.query(
                PostgresQuery(unsafeSQL: "UPDATE \(database.table("identity_settings")) SET captcha = '\(captcha.rawValue)'"), logger: database.logger
            ).consume()
            let tokens = await TokenService(secret: TokenService.developmentSecret, captchaDifficulty: 8)
            let searchIndex = try index?()
            var kit = TicketTestKit(database: database, tokens: tokens, api: TicketsAPI(database: database, tokens: tokens, index: searchIndex))
            kit.indexer = searchIndex.map { TicketIndexer(index: $0, database: database) }
            let ready = kit
            try await ready.seedDirectory()
            let router = ServiceRouter.make(metrics: HTTPMetrics(), checks: [])
            ready.api.addRoutes(to: router)
            try await Application(router: router).test(.router) { client in try await body(client, ready) }
            try await ready.expectListJSONCurrent()
            if countsKept { try await ready.expectCountsCurrent() }
        }
    }

    /// The view counts kept with each change (`ticket_counts`) are what counting the tickets gives now, cell by cell:
    /// whatever the suite did, no change of a ticket left a count behind.
    func expectCountsCurrent() async throws {
        let drift = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                WITH live AS (SELECT * FROM \(database.table("tickets")) WHERE deleted_at IS NULL),
                counted AS (
                    SELECT scope, scope_id, status, count(*) AS n FROM (
                        SELECT 'group' AS scope, group_id AS scope_id, status FROM live
                        UNION ALL SELECT 'department', department_id, status FROM live
                        UNION ALL SELECT 'brand', brand_id, status FROM live
                        UNION ALL SELECT 'agent', agent_id, status FROM live WHERE agent_id IS NOT NULL
                        UNION ALL SELECT 'agent_in:' || agent_id, department_id, status FROM live WHERE agent_id IS NOT NULL
                        UNION ALL SELECT 'queue', group_id, status FROM live WHERE agent_id IS NULL
                        UNION ALL SELECT 'followups', agent_id, CASE WHEN follow_up_due THEN 'due' ELSE 'scheduled' END
                            FROM live WHERE agent_id IS NOT NULL AND follow_up_at IS NOT NULL) cells
                    GROUP BY scope, scope_id, status),
                kept AS (
                    SELECT scope, scope_id, status, sum(n) AS n FROM \(database.table("ticket_counts"))
                    GROUP BY scope, scope_id, status HAVING sum(n) <> 0)
                SELECT scope || ' ' || scope_id || ' ' || status || ': kept ' || coalesce(k.n, 0) || ', counted ' || coalesce(c.n, 0)
                FROM counted c FULL JOIN kept k USING (scope, scope_id, status) WHERE c.n IS DISTINCT FROM k.n
                """),
            logger: database.logger)
        var cells: [String] = []
        for try await cell in drift.decode(String.self) { cells.append(cell) }
        #expect(cells.isEmpty, "view counts that drifted from the tickets: \(cells.prefix(5))")
    }

    /// Every ticket's `list_json` is what `ticket_json` writes of it now (whatever the suite did, no statement changed a
    /// column the lists show without rewriting the JSON), and, for up to a thousand listed tickets, what the ticket
    /// writes itself (``Ticket/write(to:)``, `/` apart): the migration's SQL writes every member as Swift does for the
    /// tickets the suite made (``TicketListJSON``). Suites of many thousand generated tickets repeat a few shapes.
    func expectListJSONCurrent() async throws {
        let stale = try await count("SELECT count(*)::int FROM {schema}.tickets t WHERE list_json IS DISTINCT FROM {schema}.ticket_json(t)")
        #expect(stale == 0, "tickets whose list_json is stale")
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT \(TicketStore.columns), list_json FROM \(database.table("tickets")) WHERE deleted_at IS NULL ORDER BY id LIMIT 1000
                """),
            logger: database.logger)
        var differing: [String] = []
        for try await row in rows {
            let ticket = try api.store.decodeTicket(row)
            let kept = try row.makeRandomAccess()[TicketStore.columnCount].decode(String.self)
            if kept != String(decoding: ticket.json.bytes, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/") { differing.append(kept) }
        }
        #expect(differing.isEmpty, "tickets whose list_json is not what they write themselves: \(differing.prefix(3))")
    }

    /// The kit's department with its front-line group, as identity announces them.
    func seedDirectory() async throws {
        try await identity("department.created", [
            "id": departmentID.lowercased, "brandID": brandID.lowercased, "name": "Support", "frontLineGroupID": frontLineID.lowercased,
            "hiddenFromPortal": false, "version": 1,
        ])
        try await identity("group.created", ["id": frontLineID.lowercased, "departmentID": departmentID.lowercased, "name": "Front Line"])
    }

    /// Another brand (`Acme`) with one department and its front-line group, as identity announces them; the kit's brand
    /// is named `Demo Co`.
    func otherBrandDepartment() async throws -> (brand: UUID, department: UUID, group: UUID) {
        let (brand, department, group) = (UUID(), UUID(), UUID())
        try await identity(BrandEventType.created, ["id": brandID.lowercased, "name": "Demo Co", "hostnames": ["demo.localhost"], "version": 1])
        try await identity(BrandEventType.created, ["id": brand.lowercased, "name": "Acme", "hostnames": ["acme.localhost"], "version": 1])
        try await identity("department.created", [
            "id": department.lowercased, "brandID": brand.lowercased, "name": "Acme Support", "frontLineGroupID": group.lowercased,
            "hiddenFromPortal": false, "version": 1,
        ])
        try await identity("group.created", ["id": group.lowercased, "departmentID": department.lowercased, "name": "Acme Front Line"])
        return (brand, department, group)
    }

    /// Applies one identity event to the directory, as the consumer does.
    func identity(_ type: String, _ data: [String: Any]) async throws {
        let envelope: [String: Any] = ["specversion": "1.0", "id": UUIDv7.generate().lowercased, "type": type, "source": "identity", "data": data]
        let bytes = Array(try JSONSerialization.data(withJSONObject: envelope))
        try await database.transaction { connection in try await api.directory.apply(type, bytes, on: connection) }
    }

    /// Announces the kit's department again with these settings (the parts a test names), as identity's
    /// `department.updated` does.
    func departmentSettings(_ settings: [String: Any], version: Int) async throws {
        try await identity("department.updated", [
            "id": departmentID.lowercased, "brandID": brandID.lowercased, "name": "Support", "frontLineGroupID": frontLineID.lowercased,
            "version": version, "settings": settings,
        ])
    }

    /// Announces the kit brand's settings document (the parts a test names), as identity's `brand.settings_changed` does.
    func brandSettings(_ settings: [String: Any], version: Int) async throws {
        try await identity("brand.settings_changed", ["brandID": brandID.lowercased, "version": version, "settings": settings])
    }

    /// An agent in `group` with the given handling, Active for tickets unless told otherwise.
    @discardableResult
    func agent(
        in group: UUID? = nil, handling: String = "primary", maxTickets: Int? = nil, active: Bool = true, overallMax: Int? = nil, id: UUID = UUID()
    ) async throws -> UUID {
        try await identity("user.updated", ["userID": id.lowercased, "maxTickets": overallMax as Any])
        try await identity("agent.membership_changed", [
            "groupID": (group ?? frontLineID).lowercased, "departmentID": departmentID.lowercased, "userID": id.lowercased,
            "ticketHandling": handling, "maxTickets": maxTickets as Any, "excludedChannels": [String](), "ticketsActive": active,
        ])
        return id
    }

    /// A second group of the kit's department with one agent, who sees none of the front-line group's tickets.
    func secondGroupAgent() async throws -> (group: UUID, agent: UUID, token: String) {
        let group = UUID()
        try await identity("group.created", ["id": group.lowercased, "departmentID": departmentID.lowercased, "name": "Second Line"])
        let agent = try await agent(in: group)
        return (group, agent, try await token(agent, roles: ["Agent"]))
    }

    func setActive(_ agent: UUID, _ active: Bool, in group: UUID? = nil) async throws {
        try await identity("agent.status_changed", [
            "userID": agent.lowercased, "groupID": (group ?? frontLineID).lowercased, "departmentID": departmentID.lowercased, "channel": "tickets",
            "active": active,
        ])
    }

    /// A bearer token for a principal holding `roles` (their documented permissions combined).
    func token(_ userID: UUID, roles: [String], email: String? = nil) async throws -> String {
        try await tokens.sign(principal(userID, roles: roles, email: email))
    }

    /// A "Referrer" dropdown field (Magazine, TV) in a template of the kit's department, visible to both and required
    /// nowhere, as an administrator makes it; answers the field's id.
    func referrerField(_ client: any TestClientProtocol, admin: String) async throws -> String {
        try await soleTemplateField(client, admin: admin, definition: #"{"name":"Referrer","dataType":"dropdown","options":["Magazine","TV"]}"#)
    }

    /// Defines a custom field (`definition`, the body of its POST) and gives the kit's department a template holding
    /// it alone, placed with `placement`'s visibility and requirements; answers the field's id.
    func soleTemplateField(
        _ client: any TestClientProtocol, admin: String, definition: String,
        placement: String = #""visibility":"both","requiredByUsers":false,"requiredForSend":false,"requiredForClose":false,"showInCompose":false"#
    ) async throws -> String {
        let (_, _, field) = try await Self.send(client, .post, "/api/v1/tickets/custom-fields", token: admin, body: definition)
        let fieldID = try #require(field["id"] as? String)
        let (_, _, template) = try await Self.send(
            client, .post, "/api/v1/tickets/templates", token: admin, body: #"{"name":"Support","fields":[{"fieldID":"\#(fieldID)",\#(placement)}]}"#)
        try await departmentSettings(["tickets": ["customFieldTemplateID": try #require(template["id"] as? String)]], version: 2)
        return fieldID
    }

    /// A system administrator's token.
    func administratorToken() async throws -> String {
        var principal = principal(UUID(), roles: ["Administrator"])
        principal.isSystemAdministrator = true
        return try await tokens.sign(principal)
    }

    func principal(_ userID: UUID, roles: [String], email: String? = nil) -> Principal {
        Self.principal(userID, roles: roles, email: email)
    }

    /// A principal holding `roles` with their documented permissions combined, as identity's tokens carry them.
    static func principal(_ userID: UUID, roles: [String], email: String? = nil) -> Principal {
        let definitions = ([PredefinedRoles.everyone] + roles).compactMap(PredefinedRoles.named)
        return Principal(
            userID: userID.lowercased, email: email ?? "\(userID.lowercased.prefix(8))@example.com", sessionID: UUID().uuidString, roles: roles,
            isSystemAdministrator: false, permissions: EffectivePermissions.combine(definitions), scope: AccessScope.of(roleNames: roles))
    }

    /// The caller the routes would build for this agent, with their groups from the directory copy.
    func caller(_ userID: UUID, roles: [String]) async throws -> TicketCaller {
        let memberships = try await api.store.memberships(of: userID)
        return TicketCaller(
            principal: principal(userID, roles: roles), groups: Set(memberships.map { $0.group.lowercased }),
            departments: Set(memberships.map { $0.department.lowercased }))
    }

    func customer(_ id: UUID = UUID()) async throws -> (id: UUID, token: String) {
        (id, try await token(id, roles: [PredefinedRoles.registeredUser], email: "customer-\(id.lowercased.prefix(6))@customer.example"))
    }

    static func send(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?, ifMatch: String? = nil, body: String = "",
        headers extra: HTTPFields = [:]
    ) async throws -> (HTTPResponse.Status, HTTPFields, [String: Any]) {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let ifMatch { headers[.ifMatch] = ifMatch }
        return try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: body)) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any]
            return (response.status, response.headers, object ?? [:])
        }
    }

    /// Submits a portal ticket to the kit's department; answers the ticket JSON.
    func submit(_ client: any TestClientProtocol, token: String, subject: String = "Printer on fire") async throws -> [String: Any] {
        let (status, _, ticket) = try await Self.send(
            client, .post, "/api/v1/tickets", token: token,
            body: #"{"departmentID":"\#(departmentID.lowercased)","subject":"\#(subject)","body":"It smokes."}"#)
        #expect(status == .created)
        return ticket
    }

    /// For rebalancing: an active agent holding `count` new tickets of one customer, and an inactive agent of the
    /// same group.
    func busyAndIdleAgents(
        _ client: any TestClientProtocol, tickets count: Int
    ) async throws -> (busy: UUID, idle: UUID, busyToken: String, tickets: [String]) {
        let busy = try await agent()
        let idle = try await agent(active: false)
        let customer = try await customer()
        var tickets: [String] = []
        for index in 0..<count { tickets.append(try #require(try await submit(client, token: customer.token, subject: "T\(index)")["id"] as? String)) }
        return (busy, idle, try await token(busy, roles: ["Agent"]), tickets)
    }

    /// Gives the kit's department a template of two text fields: Referrer, which customers must fill to submit, and
    /// Serial number, which agents must fill to close; `settings` are the department's other Tickets settings. Answers
    /// the fields' ids.
    func requiredFieldsTemplate(
        _ client: any TestClientProtocol, settings: [String: Any] = [:]
    ) async throws -> (referrer: String, serial: String) {
        let admin = try await administratorToken()
        let (_, _, referrer) = try await Self.send(client, .post, "/api/v1/tickets/custom-fields", token: admin, body: #"{"name":"Referrer","dataType":"text"}"#)
        let (_, _, serial) = try await Self.send(client, .post, "/api/v1/tickets/custom-fields", token: admin, body: #"{"name":"Serial number","dataType":"text"}"#)
        let referrerID = try #require(referrer["id"] as? String)
        let serialID = try #require(serial["id"] as? String)
        let (_, _, template) = try await Self.send(
            client, .post, "/api/v1/tickets/templates", token: admin,
            body: #"{"name":"Support","fields":[{"fieldID":"\#(referrerID)","visibility":"both","requiredByUsers":true,"requiredForSend":false,"requiredForClose":false,"showInCompose":false},{"fieldID":"\#(serialID)","visibility":"agents","requiredByUsers":false,"requiredForSend":false,"requiredForClose":true,"showInCompose":false}]}"#)
        try await identity("department.updated", [
            "id": departmentID.lowercased, "brandID": brandID.lowercased, "name": "Support", "frontLineGroupID": frontLineID.lowercased,
            "version": 2, "settings": ["tickets": settings.merging(["customFieldTemplateID": try #require(template["id"] as? String)]) { $1 }],
        ])
        return (referrerID, serialID)
    }

    func count(_ sql: String) async throws -> Int {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: "{schema}", with: database.schema)))
        for try await value in rows.decode(Int.self) { return value }
        return 0
    }

    /// What every instance's index feed does with the events written after outbox row `position`: re-indexes the
    /// tickets they name, so those gone (purged, merged away) leave the index. Answers the last row read.
    @discardableResult
    func feedIndexFromOutbox(after position: Int64 = 0) async throws -> Int64 {
        let indexer = try #require(indexer)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT id, payload FROM \(database.table("outbox")) WHERE id > \(position) ORDER BY id"))
        var subjects: Set<UUID> = []
        var last = position
        for try await (id, payload) in rows.decode((Int64, ByteBuffer).self) {
            let header = try CloudEventCoding.decodeHeader(Array(buffer: payload))
            if indexer.changesDocument(header.type), let subject = UUID(uuidString: header.subject) { subjects.insert(subject) }
            last = id
        }
        try await indexer.reindex(subjects)
        try await indexer.index.commit()
        return last
    }

    /// The `data` of the last event of `type` in the outbox.
    func lastEventData(_ type: String) async throws -> [String: Any] {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT payload FROM \(database.table("outbox")) ORDER BY id DESC"))
        for try await payload in rows.decode(ByteBuffer.self) {
            let bytes = Array(buffer: payload)
            guard try CloudEventCoding.decodeHeader(bytes).type == type else { continue }
            let event = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
            return (event?["data"] as? [String: Any]) ?? [:]
        }
        return [:]
    }

    /// The `details` of the last event of `type` in the outbox.
    func lastEventDetails(_ type: String) async throws -> [String: String] {
        (try await lastEventData(type)["details"] as? [String: String]) ?? [:]
    }

    func eventTypes() async throws -> [String] {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT payload FROM \(database.table("outbox")) ORDER BY id"))
        var types: [String] = []
        for try await payload in rows.decode(ByteBuffer.self) { types.append(try CloudEventCoding.decodeHeader(Array(buffer: payload)).type) }
        return types
    }
}

extension UUID {
    var lowercased: String { uuidString.lowercased() }
}

import Auth
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

extension TicketComment: ResponseEncodable {}
extension ViewTree: ResponseEncodable {}

/// A department the portal offers for new tickets.
public struct PortalDepartment: Codable, Sendable, ResponseEncodable {
    public var id: String
    public var name: String
}

/// The ticket routes under `/api/v1/tickets`.
public struct TicketController: Sendable {
    let store: TicketStore
    let access: TicketRequestAccess
    let search: TicketSearch?
    /// New tickets arriving together are written together.
    let creation: GroupCommit<PendingTicket, Ticket>
    /// Checks the CAPTCHA that portal submitters passed: the built-in one's challenges, or Google reCAPTCHA's tokens.
    let captcha: CaptchaCheck
    /// Codes the links of forms sent with replies.
    let formLinks: FormLinks
    /// Checks the related items an agent's new ticket is written with, as `POST …/{id}/related` checks a link.
    let relatedItems: RelatedItemController
    /// The related items an agent's new ticket may be written with.
    static let maximumRelatedItems = 50

    public init(
        store: TicketStore, search: TicketSearch? = nil, creation: GroupCommit<PendingTicket, Ticket>, captcha: CaptchaCheck, formLinks: FormLinks
    ) {
        self.store = store
        self.creation = creation
        self.captcha = captcha
        self.formLinks = formLinks
        self.access = TicketRequestAccess(store: store)
        self.search = search
        self.relatedItems = RelatedItemController(store: store)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("departments") { _, context in
            let brand = context.brandID.flatMap(UUID.init(parsing:))
            return Items(items: try await store.portalDepartments(brandID: brand).map { PortalDepartment(id: $0.id.lowercased, name: $0.name) })
        }
        group.get("views") { request, context in
            guard let caller = try await access.caller(context, required: true), caller.isAgent else {
                throw Problem.forbidden("The ticket views are for agents.")
            }
            return try await store.viewTree(for: caller, brand: try Self.brand(request.uri.queryParameters))
        }
        group.post("", use: create)
        group.get("", use: list)
        group.get("{id}") { _, context in
            let (ticket, caller) = try await access.readable(context, for: .read)
            // "When an agent views a ticket, it is temporarily assigned to that agent": a rebalance leaves it be.
            if ticket.deletedAt == nil, !caller.readsAsCustomer(ticket), caller.isAgent, let agent = UUID(parsing: caller.principal.userID) {
                try await store.recordRead(of: try Self.id(ticket.id), by: agent)
            }
            return EditedResponse(headers: [.eTag: ticket.etag], response: caller.shown(ticket))
        }
        group.get("{id}/timeline") { request, context in
            let (ticket, caller) = try await access.readable(context, for: .read)
            let id = try Self.id(ticket.id)
            let page = try Self.timelinePage(request)
            // The customer has read the agents' replies: their Ticket Response alert for it is settled.
            if caller.isCustomer(of: ticket), let user = UUID(parsing: caller.principal.userID) { try await store.markRead(id, by: user) }
            return try await store.timeline(id, includeComments: !caller.readsAsCustomer(ticket), page: page)
        }
        group.get("alerts") { _, context in
            guard let caller = try await access.caller(context, required: true) else { throw Problem.unauthorized("Sign in first.") }
            try await access.checkPortal(caller, brand: caller.portalBrand)
            return Items(items: try await store.ticketResponseAlerts(caller: caller))
        }
        group.get("{id}/comments") { _, context in
            let (ticket, caller) = try await access.readable(context, for: .agentRead)
            let everyUserComment = Authorization.allows(caller.principal, .usersOrganizations, FeatureCatalog.view)
            return Items(items: try await store.commentsTab(try Self.id(ticket.id), allUserComments: everyUserComment))
        }
        group.get("{id}/history") { request, context in
            let (ticket, _) = try await access.readable(context, for: .agentRead)
            return try await store.history(try Self.id(ticket.id), page: try PageRequest(request))
        }
        group.post("{id}/messages") { request, context in
            let (ticket, caller) = try await access.readable(context, for: .customer)
            guard caller.isCustomer(of: ticket) else { throw Problem.forbidden("Only the ticket's customer writes to it here.") }
            let body = try await request.decodeJSON(CustomerMessageRequest.self, context: context)
            let (html, text) = try TicketInput.body(text: body.body, html: body.bodyHTML)
            let attachments = try (body.attachmentIDs ?? []).map { try TicketInput.uuid($0, field: "attachmentIDs") }
            let key = try RequestKey.message(body, ticketID: ticket.id, header: request.headers[.idempotencyKey], caller: caller.principal.userID)
            let (updated, replayed) = try await store.customerMessage(
                try Self.id(ticket.id), from: caller.principal.email, userID: caller.principal.userID, html: html, text: text,
                source: MessageSource.kept(givenHTML: body.bodyHTML, safeHTML: html), attachments: attachments, key: key,
                expectedVersion: try IfMatch.version(request))
            var response = EditedResponse(status: .created, headers: [.eTag: updated.etag], response: caller.shown(updated))
            if replayed { response.headers[Self.idempotentReplayed] = "true" }
            return response
        }
        group.post("{id}/replies") { request, context in
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Reply")
            let body = try await request.decodeJSON(ReplyRequest.self, context: context)
            try TicketInput.checkVariant(body)
            try TicketRequestAccess.requireParts(status: [.active, .closed, .closedLocked].contains(body.sendVariant), of: caller)
            let (html, text) = try TicketInput.body(text: body.body, html: body.bodyHTML)
            var followUp: FollowUp?
            if let requested = body.followUp { followUp = try await access.allowedFollowUp(requested, by: caller, group: ticket.groupID, owner: ticket.agentID) }
            var transfer: TicketTransfer?
            if let requested = body.transfer { transfer = try await access.allowedTransfer(requested, by: caller) }
            let recipients = try TicketInput.emails(body.to, field: "to")
            let copies = try TicketInput.emails(body.cc, field: "cc")
            let blind = try TicketInput.emails(body.bcc, field: "bcc")
            let reply = AgentReply(
                agentID: try Self.id(caller.principal.userID), agentAddress: caller.principal.email, to: recipients, cc: copies, bcc: blind,
                bodyHTML: html, bodyText: text, variant: body.sendVariant ?? .waiting, subject: try body.subject.map(TicketInput.subject), followUp: followUp,
                transfer: transfer,
                attachmentIDs: try (body.attachmentIDs ?? []).map { try TicketInput.uuid($0, field: "attachmentIDs") },
                publicScheme: PublicOrigin.scheme(of: request),
                form: try formSending(body.formID, request))
            let key = try RequestKey.reply(body, ticketID: ticket.id, header: request.headers[.idempotencyKey], caller: caller.principal.userID)
            let (updated, replayed) = try await store.reply(try Self.id(ticket.id), reply, expectedVersion: try IfMatch.version(request), key: key)
            var response = EditedResponse(status: .created, headers: [.eTag: updated.etag], response: updated)
            if replayed { response.headers[Self.idempotentReplayed] = "true" }
            return response
        }
        group.put("{id}/status") { request, context in
            struct Body: Decodable { var status: TicketStatus }
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Change Status")
            let body = try await request.decodeJSON(Body.self, context: context)
            let updated = try await store.setStatus(
                try Self.id(ticket.id), to: body.status, by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(headers: [.eTag: updated.etag], response: updated)
        }
        group.post("{id}/close") { request, context in
            let (ticket, caller) = try await access.readable(context, for: .customer)
            guard caller.isCustomer(of: ticket) else { throw Problem.forbidden("Only the ticket's customer asks to close it here.") }
            let updated = try await store.closeByCustomer(try Self.id(ticket.id), userID: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(headers: [.eTag: updated.etag], response: caller.shown(updated))
        }
        group.post("{id}/take") { request, context in
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Take")
            guard caller.groups.contains(ticket.groupID) || caller.seesEverything else {
                throw Problem.forbidden("Only members of the ticket's group take it.")
            }
            guard ticket.agentID != nil || caller.seesQueue else { throw Problem.forbidden("Taking from the Queue needs View Queue or Access the Queue.") }
            let updated = try await store.take(
                try Self.id(ticket.id), by: try Self.id(caller.principal.userID), expectedVersion: try IfMatch.version(request))
            return EditedResponse(headers: [.eTag: updated.etag], response: updated)
        }
        group.post("{id}/transfer") { request, context in
            let (ticket, caller) = try await access.readable(context)
            let transfer = try await access.allowedTransfer(try await request.decodeJSON(TransferRequest.self, context: context), by: caller)
            let updated = try await store.transfer(try Self.id(ticket.id), transfer, by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(headers: [.eTag: updated.etag], response: updated)
        }
        group.post("{id}/comments") { request, context in
            let (ticket, caller) = try await access.readable(context, for: .comment)
            let (type, text) = try TicketInput.comment(try await request.decodeJSON(CommentRequest.self, context: context), by: caller.principal)
            let (updated, comment) = try await store.comment(
                try Self.id(ticket.id), type: type, body: text, by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(status: .created, headers: [.eTag: updated.etag], response: comment)
        }
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Ticket> {
        let body = try await request.decodeJSON(CreateTicketRequest.self, context: context)
        let caller = try await access.caller(context, required: false)
        let departmentID = try TicketInput.uuid(body.departmentID, field: "departmentID")
        let subject = try TicketInput.subject(body.subject)
        let (html, text) = try TicketInput.body(text: body.body, html: body.bodyHTML)
        let key = try RequestKey.creation(
            body, header: request.headers[.idempotencyKey], caller: caller?.principal.userID, brandID: context.brandID)
        if let key {
            switch key.outcome(given: try await store.ticketWritten(by: key)) {
            case .write: break
            case .replay(let id): return try await replayed(id, to: caller)
            case .refuse: throw RequestKey.usedForAnotherRequest
            }
        }
        let attachments = try (body.attachmentIDs ?? []).map { try TicketInput.uuid($0, field: "attachmentIDs") }
        let claims = try (body.uploadClaims ?? []).map { try TicketInput.uuid($0, field: "uploadClaims") }
        if caller != nil, !claims.isEmpty {
            throw Problem.unprocessable(
                "uploadClaims name a visitor's uploads; a signed-in user's uploads are theirs.", errors: [.init(field: "uploadClaims", message: "only without signing in")])
        }
        if let caller, caller.isAgent, body.customerEmail != nil {
            try Authorization.require(caller.principal, .tickets, "Create")
            let groupID = try body.groupID.map { try TicketInput.uuid($0, field: "groupID") }
            let email = try TicketInput.email(body.customerEmail, field: "customerEmail")
            let creator = try Self.id(caller.principal.userID)
            let owner: UUID? = switch body.agentID {
            case nil: creator
            case "auto": nil
            case let agent: try TicketInput.uuid(agent, field: "agentID")
            }
            var opening = AgentOpening(
                agentID: creator, agentAddress: caller.principal.email, to: try TicketInput.emails(body.to, field: "to"),
                cc: try TicketInput.emails(body.cc, field: "cc"), bcc: try TicketInput.emails(body.bcc, field: "bcc"),
                publicScheme: PublicOrigin.scheme(of: request), ownerChosen: body.agentID != nil)
            if body.pin == true {
                try Authorization.require(caller.principal, .tickets, "Pin")
                opening.pin = true
            }
            if body.formID != nil, body.incoming == true {
                throw Problem.unprocessable(
                    "An incoming ticket is the customer's message; insert a form in an outbound ticket or a reply.",
                    errors: [.init(field: "formID", message: "not with incoming")])
            }
            opening.form = try formSending(body.formID, request)
            opening.comment = try body.comment.map { try TicketInput.comment($0, by: caller.principal) }
            if let requested = body.timeLog {
                try Authorization.require(caller.principal, .tickets, "Add Time Log")
                let checked = try TimeLogRules.checked(minutes: requested.minutes, subject: requested.subject ?? "", description: requested.description ?? "")
                opening.timeLog = NewTimeLog(
                    minutes: checked.minutes, categoryID: try requested.categoryID.map { try TicketInput.uuid($0, field: "timeLog.categoryID") },
                    description: checked.description, subject: checked.subject, billable: requested.billable)
            }
            if let requested = body.relatedItems {
                guard requested.count <= Self.maximumRelatedItems else {
                    throw Problem.unprocessable(
                        "A new ticket takes at most \(Self.maximumRelatedItems) related items.",
                        errors: [.init(field: "relatedItems", message: "at most \(Self.maximumRelatedItems)")])
                }
                for item in requested { opening.relatedItems.append(try await relatedItems.checkedLink(item, from: nil, by: caller)) }
            }
            if let requested = body.followUp {
                // The new ticket's group: the one given, else the department's front-line group.
                var group = groupID?.lowercased ?? ""
                if groupID == nil, let department = try await store.department(departmentID) { group = department.frontLineGroupID.lowercased }
                opening.followUp = try await access.allowedFollowUp(requested, by: caller, group: group, owner: owner?.lowercased)
            }
            let opened = opening
            return created(
                try await creation.submit(PendingTicket(departmentID: departmentID, actor: .agent(caller.principal.userID)) { known in
                    let department = try Self.existing(known, body.departmentID)
                    var new = NewTicket(
                        department: department, groupID: groupID ?? department.frontLineGroupID, customerUserID: nil, customerEmail: email,
                        subject: subject, bodyHTML: html, bodyText: text, priority: body.priority ?? .normal, owner: owner,
                        incoming: body.incoming ?? false, status: body.status ?? (body.incoming == true ? .active : .waiting),
                        customFields: body.customFields ?? [:], requestKey: key)
                    new.opening = opened
                    new.attachmentIDs = attachments
                    if new.incoming { new.source = MessageSource.kept(givenHTML: body.bodyHTML, safeHTML: html) }
                    return new
                }))
        }
        // Without a customer an agent's request is their own portal ticket: the new-ticket window's fields would be
        // left out unseen, with the agent as the customer.
        let agentFields = body.agentTicketFields
        if let caller, caller.isAgent, !agentFields.isEmpty {
            let named = agentFields.joined(separator: ", ")
            throw Problem.unprocessable(
                "An agent's new ticket names its customer in customerEmail; without it the ticket is the agent's own and takes no \(named).",
                errors: [.init(field: "customerEmail", message: "required with \(named)")])
        }
        // A customer's form has none of the new-ticket window's fields: sent anyway they are refused, not dropped unseen.
        let agentOnly = agentFields + (body.customerEmail != nil ? ["customerEmail"] : [])
        if !agentOnly.isEmpty {
            throw Problem.forbidden("Only agents set \(agentOnly.joined(separator: ", ")) on a new ticket.")
        }
        if caller == nil, !attachments.isEmpty, claims.isEmpty {
            throw Problem.unprocessable(
                "Name each upload's claim, as its upload answered.", errors: [.init(field: "uploadClaims", message: "required with attachmentIDs")])
        }
        let email = try caller.map { $0.principal.email } ?? TicketInput.email(body.email, field: "email")
        let brandID = context.brandID
        // The brand whose portal form this is: the host's, or for a request that names none the department's.
        var portal = brandID.flatMap(UUID.init(parsing:))
        if portal == nil { portal = try await store.department(departmentID)?.brandID }
        if let portal {
            try await store.portalSettings(brand: portal).checkConsent(body.privacyPolicyConsent, byAgent: caller?.isAgent == true)
        }
        // What refuses the submission whatever the CAPTCHA says comes first, so a provider's token is not spent on it
        // (the batch checks the department again, as it is when written).
        try Self.checkPortalSubmission(
            to: Self.existing(try await store.departments([departmentID])[departmentID], body.departmentID), by: caller, brandID: brandID)
        let setting = try await store.captchaSetting()
        let solved = CaptchaRequirement.applies(mode: setting.mode, to: caller)
            ? try await captcha.pass(setting, challenge: body.captcha, response: body.captchaResponse) : nil
        let ticket = try await creation.submit(PendingTicket(departmentID: departmentID, actor: .customer(caller?.principal.userID)) { known in
            let department = try Self.existing(known, body.departmentID)
            try Self.checkPortalSubmission(to: department, by: caller, brandID: brandID)
            var new = NewTicket(
                department: department, groupID: department.frontLineGroupID, customerUserID: caller.flatMap { UUID(parsing: $0.principal.userID) },
                customerEmail: email, subject: subject, bodyHTML: html, bodyText: text, priority: .normal, owner: nil, incoming: true, status: .active,
                customFields: body.customFields ?? [:], requestKey: key)
            new.captcha = solved
            new.fromForm = true
            new.attachmentIDs = attachments
            new.uploadClaims = claims
            new.source = MessageSource.kept(givenHTML: body.bodyHTML, safeHTML: html)
            return new
        })
        return created(caller?.shown(ticket) ?? ticket.customersView)
    }

    /// Send Form (a reply's) and Insert Form (a new ticket's): the copy the message will link to, with its code.
    func formSending(_ formID: String?, _ request: Request) throws -> FormSending? {
        try formID.map {
            let sentFormID = UUIDv7.generate()
            return FormSending(
                formID: try TicketInput.uuid($0, field: "formID"), sentFormID: sentFormID, code: formLinks.code(for: sentFormID),
                fallbackHost: PublicOrigin.host(of: request))
        }
    }

    static func existing(_ department: KnownDepartment?, _ requested: String) throws -> KnownDepartment {
        guard let department else {
            throw Problem.unprocessable("There is no department \(requested).", errors: [.init(field: "departmentID", message: "unknown department")])
        }
        return department
    }

    /// Whether the portal of `brandID` (any, when nil) offers the department for new tickets.
    static func offeredOnPortal(_ department: KnownDepartment, brandID: String?) -> Bool {
        !department.hiddenFromPortal && department.newTicketsInPortal != "Nobody"
            && (brandID == nil || brandID?.lowercased() == department.brandID.lowercased)
    }

    /// The portal's rules for a new ticket: a department offered on this brand's portal, to a caller with the role it requires.
    static func checkPortalSubmission(to department: KnownDepartment, by caller: TicketCaller?, brandID: String?) throws {
        guard offeredOnPortal(department, brandID: brandID) else {
            throw Problem.unprocessable("This department takes no tickets from the portal.", errors: [.init(field: "departmentID", message: "not offered")])
        }
        let required = department.newTicketsInPortal
        if required != PredefinedRoles.everyone {
            guard let caller else { throw Problem.unauthorized("Sign in to submit a ticket to this department.") }
            guard caller.principal.roles.contains(required) || caller.seesEverything else {
                throw Problem.forbidden("Submitting to this department needs the role \(required).")
            }
        }
        if department.portal.requireVerifiedEmail {
            guard let caller else { throw Problem.unauthorized("Sign in with a verified email address to submit a ticket to this department.") }
            guard caller.principal.roles.contains(PredefinedRoles.registeredUserWithVerifiedEmail) || caller.isAgent else {
                throw Problem.forbidden("This department takes tickets from users who verified their email address.")
            }
        }
    }

    /// `?brandID=`, the brand chosen in the brand dropdown.
    static func brand(_ query: Parameters) throws -> UUID? {
        try query["brandID"].map { raw in
            guard let id = UUID(parsing: String(raw)) else { throw Problem.badRequest("brandID must be a brand's id.") }
            return id
        }
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> ViewPage {
        guard var caller = try await access.caller(context, required: true) else { throw Problem.unauthorized("Sign in first.") }
        // Parsed once: each read of `queryParameters` parses the whole query again.
        let query = request.uri.queryParameters
        let status = try query["status"].map { text -> TicketStatus in
            guard let status = TicketStatus(rawValue: String(text)) else { throw Problem.badRequest("status is active, waiting, closed or closed_locked.") }
            return status
        }
        let requested = query["view"].map(String.init) ?? (caller.isAgent ? "mine" : "customer")
        if !caller.isAgent { try await access.checkPortal(caller, brand: caller.portalBrand) }
        if requested == "organization" {
            if caller.isAgent, let text = query["id"] {
                guard let organization = UUID(parsing: String(text)) else { throw Problem.badRequest("id is an organization's id.") }
                let found = try await store.organizationTickets(
                    of: organization, visibleTo: caller, statuses: status?.listed ?? [], page: try PageRequest(query: query))
                return ViewPage(items: found.items, nextCursor: found.nextCursor)
            }
            let found = try await store.organizationTickets(caller: caller, statuses: status?.listed ?? [], page: try PageRequest(query: query))
            return ViewPage(items: found.items.map(caller.shown), nextCursor: found.nextCursor)
        }
        guard let view = TicketView(rawValue: requested), caller.isAgent || view == .customer else {
            throw Problem.badRequest("view is mine, followups, agent, queue, recent, recently_transferred, group, department, brand, all, customer or organization.")
        }
        if view == .all && !caller.mayListAll {
            throw Problem.forbidden("All Tickets is for managers and administrators.")
        }
        if view == .queue && !caller.seesQueue {
            throw Problem.forbidden("The Queue needs View Queue or Access the Queue on Tickets.")
        }
        if let brand = try Self.brand(query) {
            // The brand dropdown narrows the Queue as it narrows the navigation pane's; the other lists are a brand's
            // already (its departments and groups) or the agent's own.
            guard view == .queue else { throw Problem.badRequest("brandID narrows the Queue; the other views take none.") }
            caller.brandGroups = try await store.groupIDs(ofBrand: brand)
        }
        var scope: UUID?
        if [.group, .department, .brand].contains(view) {
            guard let text = query["id"], let id = UUID(parsing: String(text)) else {
                throw Problem.badRequest("This view needs ?id= of its group, department or brand.")
            }
            let groupDepartment = view == .group && !caller.mayList(.group, id.lowercased) ? try await store.departmentOfGroup(id) : nil
            guard caller.mayList(view, id.lowercased, groupDepartment: groupDepartment?.lowercased) else {
                throw Problem.forbidden("You may not see this \(view.rawValue)'s tickets.")
            }
            scope = id
        }
        if view == .agent {
            guard let text = query["id"], let id = UUID(parsing: String(text)) else {
                throw Problem.badRequest("By Agent needs ?id= of the agent.")
            }
            let departments = caller.seesEverything || id.lowercased == caller.userID ? [] : try await store.departmentsShownByAgent(id)
            guard caller.mayListAgent(id.lowercased, departments: departments) else {
                throw Problem.forbidden("Managers see the tickets of agents whose departments, and those of every ticket they hold, they all manage.")
            }
            // "Only available to managers using installations with less than 500 agents" [S001:3095].
            let offered = id.lowercased == caller.userID ? true : try await store.offersByAgent()
            guard offered else {
                throw Problem.forbidden("By Agent is offered in installations of fewer than \(TicketCaller.byAgentLimit) agents.")
            }
            scope = id
        }
        let page = try PageRequest(query: query)
        let sort = try ViewSort.parse(sort: query["sort"].map(String.init), order: query["order"].map(String.init))
        if sort != .standard && ![.mine, .agent, .group, .department, .brand, .all, .queue].contains(view) {
            throw Problem.badRequest("sort applies to the mine, agent, group, department, brand, all and queue views; \(view.rawValue) keeps its own order.")
        }
        let fields = try Self.visibleFields(query)
        if let text = try TicketSearchController.queryText(query) {
            guard sort == .standard else { throw Problem.badRequest("A search within a view is ranked by relevance; it takes no sort.") }
            if view == .customer {
                let found = try await store.list(.customer, caller: caller, status: status, page: page, subjectContaining: text)
                return ViewPage(items: found.items.map(caller.shown), nextCursor: found.nextCursor)
            }
            guard let search else { throw Problem.badRequest("Search is not available on this instance.") }
            var found = ViewPage(
                items: try await search.searchView(view, scope: scope, status: status, text: text, caller: caller, limit: page.limit), nextCursor: nil)
            if let fields { found.fieldValues = try await store.fieldValues(of: found.items.map(\.id), fields: fields) }
            return found
        }
        var found = try await store.viewPage(
            view, scope: scope, caller: caller, status: status, page: page, sort: sort, written: fields == nil, fresh: CacheControlDirectives.asksFresh(request.headers))
        if let fields, view != .customer {
            found.fieldValues = try await store.fieldValues(of: found.items.map(\.id), fields: fields)
        }
        guard view == .customer else { return found }
        return ViewPage(items: found.items.map(caller.shown), nextCursor: found.nextCursor, counts: found.counts)
    }

    /// A timeline page: 15 items unless `limit` says otherwise.
    static func timelinePage(_ request: Request) throws -> PageRequest {
        var page = try PageRequest(request)
        if request.uri.queryParameters["limit"] == nil { page.limit = 15 }
        return page
    }

    static let maximumVisibleFields = 20

    /// `?fields=<id>,<id>`: the custom fields an agent shows in a list (Visible Fields), at most 20.
    static func visibleFields(_ query: Parameters) throws -> [UUID]? {
        try query.ids("fields", limit: maximumVisibleFields, of: "custom field")
    }

    func created(_ ticket: Ticket) -> EditedResponse<Ticket> {
        EditedResponse(status: .created, headers: [.eTag: ticket.etag, .location: "/api/v1/tickets/\(ticket.id)"], response: ticket)
    }

    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!

    /// The answer to a retried creation: the ticket its key wrote, as this caller is shown it (an anonymous
    /// submitter reads as its customer), marked `Idempotent-Replayed`.
    func replayed(_ id: UUID, to caller: TicketCaller?) async throws -> EditedResponse<Ticket> {
        guard var ticket = try await store.find(id) else {
            throw Problem.conflict("The ticket this Idempotency-Key made has been deleted.")
        }
        ticket = caller?.shown(ticket) ?? ticket.customersView
        var response = created(ticket)
        response.headers[Self.idempotentReplayed] = "true"
        return response
    }

    static func id(_ text: String) throws -> UUID {
        guard let id = UUID(parsing: text) else { throw Problem.notFound("No such item.") }
        return id
    }
}

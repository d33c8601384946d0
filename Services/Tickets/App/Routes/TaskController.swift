import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension TaskItem: ResponseEncodable {}
extension TaskComment: ResponseEncodable {}

/// `POST …/tasks/bulk`: one action (transfer to `agentID`, `status`, `priority` or `delete`) on up to 100 tasks.
public struct TaskBulkRequest: Decodable, Sendable {
    public static let maximumTasks = 100
    public var taskIDs: [String]
    public var action: String
    public var agentID: String?
    public var status: String?
    public var priority: String?

    /// What each task gets: a change, or deletion.
    enum Operation {
        case change(TaskRequest)
        case delete
    }

    /// 422 for a wrong action, a missing value or a wrong number of tasks.
    func operation() throws -> Operation {
        guard (1...Self.maximumTasks).contains(taskIDs.count) else {
            throw Problem.unprocessable("Name 1 to \(Self.maximumTasks) tasks.", errors: [.init(field: "taskIDs", message: "1...\(Self.maximumTasks)")])
        }
        var change = TaskRequest()
        switch action {
        case "transfer": change.agentID = agentID
        case "status": change.status = status
        case "priority": change.priority = priority
        case "delete": return .delete
        default:
            throw Problem.unprocessable(
                "action is transfer, status, priority or delete.", errors: [.init(field: "action", message: "transfer, status, priority or delete")])
        }
        guard change.agentID != nil || change.status != nil || change.priority != nil else {
            let field = action == "transfer" ? "agentID" : action
            throw Problem.unprocessable("This action needs its \(field).", errors: [.init(field: field, message: "is required")])
        }
        return .change(change)
    }
}

/// One task's outcome in a bulk action: its new version, or the problem that stopped it.
public struct TaskBulkOutcome: Codable, Sendable {
    public var taskID: String
    public var status: Int
    public var version: Int?
    public var problem: String?
}

public struct TaskBulkResult: Codable, Sendable, ResponseEncodable {
    public var items: [TaskBulkOutcome]
}

/// One page of a task list; `next` is the `after` of the following page.
public struct TaskPage: Codable, Sendable, ResponseEncodable {
    public var items: [TaskItem]
    public var next: String?
}

/// Tasks under `/api/v1/tickets`: `tasks` (new, and the My Tasks / By Agent / All Tasks lists by tab),
/// `tasks/{taskID}` (read, change with `If-Match`, delete, comments), and a ticket's own (`{id}/tasks`: made from the ticket,
/// and the tasks among its related items). Agents only; a task one may not see answers 404.
public struct TaskController: Sendable {
    let access: TicketRequestAccess
    var store: TicketStore { access.store }

    public init(store: TicketStore) {
        self.access = TicketRequestAccess(store: store)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("tasks") { request, context in
            let caller = try await agent(context)
            try Authorization.require(caller.principal, .tasks, "Create")
            let body = try await request.decodeJSON(TaskRequest.self, context: context)
            let task = try TaskRules.new(
                body, id: UUIDv7.generate().lowercased, brandID: context.brandID?.lowercased(), ticketID: nil, createdBy: caller.userID, now: Date())
            let created = try await store.createTask(task, actor: .agent(caller.userID))
            return EditedResponse(status: .created, headers: [.eTag: created.etag], response: created)
        }
        group.post("{id}/tasks") { request, context in
            let (ticket, caller) = try await access.readable(context)
            guard caller.isAgent, !caller.readsAsCustomer(ticket) else { throw Problem.notFound("No such ticket.") }
            try Authorization.require(caller.principal, .tickets, "Add Task")
            try Authorization.require(caller.principal, .tasks, "Create")
            let body = try await request.decodeJSON(TaskRequest.self, context: context)
            let task = try TaskRules.new(
                body, id: UUIDv7.generate().lowercased, brandID: ticket.brandID, ticketID: ticket.id, createdBy: caller.userID, now: Date())
            let created = try await store.createTask(task, fromTicket: try TicketController.id(ticket.id), actor: .agent(caller.userID))
            return EditedResponse(status: .created, headers: [.eTag: created.etag], response: created)
        }
        group.get("{id}/tasks") { _, context in
            let (ticket, _) = try await access.readable(context, for: .agentRead)
            return Items(items: try await store.tasks(ofTicket: try TicketController.id(ticket.id)))
        }
        group.get("tasks") { request, context in
            let caller = try await agent(context)
            let query = request.uri.queryParameters
            let tab = query.get("tab").map { TaskTab(rawValue: $0) } ?? .active
            guard let tab else {
                throw Problem.unprocessable("tab is active, pending or closed.", errors: [.init(field: "tab", message: "active, pending or closed")])
            }
            let limit = query.get("limit").map { Int($0) ?? 0 } ?? 50
            guard (1...100).contains(limit) else {
                throw Problem.unprocessable("limit is 1 to 100.", errors: [.init(field: "limit", message: "1...100")])
            }
            var after: UUID?
            if let raw = query.get("after") {
                guard let id = UUID(parsing: raw), try await store.task(id, includingDeleted: true) != nil else {
                    throw Problem.unprocessable("after names the last task of the previous page.", errors: [.init(field: "after", message: "unknown task")])
                }
                after = id
            }
            let sort = try TaskSort.parse(sort: query.get("sort"), order: query.get("order"))
            let agents = try await listedAgents(view: query.get("view") ?? "mine", agentID: query.get("agentID"), caller: caller)
            let items = try await store.tasks(agents: agents, tab: tab, after: after, limit: limit, sort: sort, text: query.get("q")?.nonEmptyText)
            return TaskPage(items: items, next: items.count == limit ? items.last?.id : nil)
        }
        group.get("tasks/search") { request, context in
            let caller = try await agent(context)
            try Authorization.require(caller.principal, .tasks, "Advanced Search")
            let query = request.uri.queryParameters
            let criteria = try TaskSearchCriteria.parse { query.get($0)?.nonEmptyText }
            return Items(items: try await store.searchTasks(criteria, visibility: try await visibility(of: caller)))
        }
        group.get("tasks/{taskID}") { _, context in
            let task = try await readableTask(context).task
            return EditedResponse(headers: [.eTag: task.etag], response: task)
        }
        group.patch("tasks/{taskID}") { request, context in
            let (task, caller) = try await readableTask(context, changing: true)
            let body = try await request.decodeJSON(TaskRequest.self, context: context)
            let updated = try await change(task, body, expectedVersion: try IfMatch.version(request), by: caller)
            return EditedResponse(headers: [.eTag: updated.etag], response: updated)
        }
        group.post("tasks/bulk") { request, context in
            let caller = try await agent(context)
            let body = try await request.decodeJSON(TaskBulkRequest.self, context: context)
            let operation = try body.operation()
            if case .delete = operation { try Authorization.require(caller.principal, .tasks, "Delete") }
            var outcomes: [TaskBulkOutcome] = []
            for text in body.taskIDs {
                do {
                    let task = try await readable(try TicketInput.uuid(text, field: "taskIDs"), by: caller, changing: true)
                    switch operation {
                    case .change(let change):
                        let updated = try await self.change(task, change, expectedVersion: nil, by: caller)
                        outcomes.append(TaskBulkOutcome(taskID: updated.id, status: 200, version: updated.version, problem: nil))
                    case .delete:
                        try await store.deleteTask(try TicketController.id(task.id), actor: .agent(caller.userID))
                        outcomes.append(TaskBulkOutcome(taskID: task.id, status: 204, version: nil, problem: nil))
                    }
                } catch let problem as Problem {
                    outcomes.append(TaskBulkOutcome(taskID: text, status: Int(problem.status.code), version: nil, problem: problem.detail ?? problem.title))
                }
            }
            return TaskBulkResult(items: outcomes)
        }
        group.post("tasks/{taskID}/comments") { request, context in
            struct Body: Decodable { var body: String }
            let (task, caller) = try await readableTask(context)
            let text = try await request.decodeJSON(Body.self, context: context).body.trimmedText
            guard (1...TaskRules.maximumDescription).contains(text.count) else {
                throw Problem.unprocessable(
                    "A comment has 1 to \(TaskRules.maximumDescription) characters.", errors: [.init(field: "body", message: "1...\(TaskRules.maximumDescription) characters")])
            }
            let author = try TicketInput.uuid(caller.userID, field: "author")
            return EditedResponse(status: .created, response: try await store.commentOnTask(try TicketController.id(task.id), body: text, by: author))
        }
        group.post("tasks/{taskID}/time-logs") { request, context in
            let (task, caller) = try await readableTask(context, changing: true)
            try Authorization.require(caller.principal, .tasks, "Edit")
            let body = try await request.decodeJSON(TimeLogRequest.self, context: context)
            let checked = try TimeLogRules.checked(minutes: body.minutes, subject: body.subject ?? "", description: body.description ?? "")
            let log = try await store.logTime(
                onTask: try TicketController.id(task.id), minutes: checked.minutes,
                categoryID: try body.categoryID.map { try TicketInput.uuid($0, field: "categoryID") }, description: checked.description,
                subject: checked.subject, billable: body.billable, by: try TicketInput.uuid(caller.userID, field: "agent"))
            return EditedResponse(status: .created, response: log)
        }
        group.get("tasks/{taskID}/time-logs") { _, context in
            let task = try await readableTask(context).task
            return Items(items: try await store.timeLogs(ofTask: try TicketController.id(task.id)))
        }
        group.delete("tasks/{taskID}/time-logs/{logID}") { _, context in
            let (task, caller) = try await readableTask(context, changing: true)
            try Authorization.require(caller.principal, .tasks, "Edit")
            let logID = try context.uuidParameter("logID", notFound: "The task has no such time log.")
            try await store.deleteTimeLog(
                ofTask: try TicketController.id(task.id), log: logID, by: try TicketInput.uuid(caller.userID, field: "agent")
            ) { log in log.agentID == caller.userID || caller.seesEverything }
            return Response(status: .noContent)
        }
        group.get("tasks/{taskID}/comments") { _, context in
            let task = try await readableTask(context).task
            return Items(items: try await store.comments(ofTask: try TicketController.id(task.id)))
        }
        group.delete("tasks/{taskID}") { _, context in
            let (task, caller) = try await readableTask(context, changing: true)
            try Authorization.require(caller.principal, .tasks, "Delete")
            try await store.deleteTask(try TicketController.id(task.id), actor: .agent(caller.userID))
            return Response(status: .noContent)
        }
    }

    /// The signed-in caller when they are an agent with the Tasks feature (403 otherwise).
    private func agent(_ context: ServiceRequestContext) async throws -> TicketCaller {
        guard let caller = try await access.caller(context, required: true) else { throw Problem.unauthorized("Sign in first.") }
        guard caller.isAgent, Authorization.allows(caller.principal, .tasks, FeatureCatalog.view) else { throw Problem.forbidden("Tasks are for agents.") }
        return caller
    }

    /// A change of the task, each kind of change with its Tasks action (403 otherwise).
    private func change(_ task: TaskItem, _ body: TaskRequest, expectedVersion: Int?, by caller: TicketCaller) async throws -> TaskItem {
        let principal = caller.principal
        return try await store.updateTask(try TicketController.id(task.id), expectedVersion: expectedVersion, actor: .agent(caller.userID)) { before in
            let after = try TaskRules.applying(body, to: before, now: Date())
            for action in TaskRules.requiredActions(from: before, to: after).sorted() {
                try Authorization.require(principal, .tasks, action)
            }
            return after
        }
    }

    /// The task of the path when the caller may see it (``TaskAccess``), 404 otherwise; `changing`: and change it,
    /// 403 otherwise.
    private func readableTask(_ context: ServiceRequestContext, changing: Bool = false) async throws -> (task: TaskItem, caller: TicketCaller) {
        guard let caller = try await access.caller(context, required: true), caller.isAgent else { throw Problem.notFound("No such task.") }
        return (try await readable(try context.uuidParameter("taskID", notFound: "No such task."), by: caller, changing: changing), caller)
    }

    /// The task when the caller may see it (``TaskAccess``), 404 otherwise; `changing`: and change it, 403 otherwise.
    /// A ticket the caller reads only as its customer gives them nothing of its tasks.
    private func readable(_ id: UUID, by caller: TicketCaller, changing: Bool = false) async throws -> TaskItem {
        guard let task = try await store.task(id) else { throw Problem.notFound("No such task.") }
        var (ticketsReadable, ticketsChangeable) = (false, false)
        for ticketID in try await store.ticketsOf(task: id) where !ticketsChangeable {
            guard let ticket = try await store.find(ticketID), !caller.readsAsCustomer(ticket) else { continue }
            ticketsReadable = ticketsReadable || caller.canRead(ticket)
            ticketsChangeable = caller.canChange(ticket)
        }
        let departments = try await departments(of: task.agentID)
        guard TaskAccess.canRead(task, by: caller, ticketsReadable: ticketsReadable, agentDepartments: departments) else {
            throw Problem.notFound("No such task.")
        }
        if changing, !TaskAccess.canChange(task, by: caller, ticketsChangeable: ticketsChangeable, agentDepartments: departments) {
            throw Problem.forbidden("You may view this task, not change it.")
        }
        return task
    }

    /// Whether the caller may see the task (the related items tab links only tasks its caller may see).
    func mayRead(_ id: UUID, by caller: TicketCaller) async throws -> Bool {
        try await readableTask(id, by: caller) != nil
    }

    /// The task when the caller may read it, nil otherwise.
    func readableTask(_ id: UUID, by caller: TicketCaller) async throws -> TaskItem? {
        do {
            return try await readable(id, by: caller)
        } catch let problem as Problem where problem.status == .notFound {
            return nil
        }
    }

    /// Whose tasks a list shows: `mine` the caller's; `agent` one agent's (theirs, or as a manager of a department
    /// the agent works in); `all` every agent's in the departments the caller manages (everyone's for administrators).
    private func listedAgents(view: String, agentID: String?, caller: TicketCaller) async throws -> [UUID]? {
        switch view {
        case "mine":
            return [try TicketInput.uuid(caller.userID, field: "agentID")]
        case "agent":
            guard let raw = agentID, let agent = UUID(parsing: raw) else {
                throw Problem.unprocessable("The By Agent view names an agent.", errors: [.init(field: "agentID", message: "must be an agent id")])
            }
            if agent.uuidString.lowercased() != caller.userID {
                guard TaskAccess.mayList(agentDepartments: try await departments(of: raw), by: caller) else {
                    throw Problem.forbidden("Only managers of the agent's departments see the agent's tasks.")
                }
            }
            return [agent]
        case "all":
            if caller.seesEverything { return nil }
            guard !caller.managedDepartments.isEmpty else { throw Problem.forbidden("All Tasks is for managers.") }
            return try await store.agents(inDepartments: caller.managedDepartments)
        default:
            throw Problem.unprocessable("view is mine, agent or all.", errors: [.init(field: "view", message: "mine, agent or all")])
        }
    }

    /// ``TaskAccess`` for a search: the caller, the agents of the departments they manage, and their groups' and
    /// managed departments' tickets.
    private func visibility(of caller: TicketCaller) async throws -> TaskVisibility {
        guard !caller.seesEverything else { return TaskVisibility(everything: true) }
        return TaskVisibility(
            everything: false, me: UUID(parsing: caller.userID), managedAgents: try await store.agents(inDepartments: caller.managedDepartments),
            groups: caller.groups.compactMap(UUID.init(parsing:)), departments: caller.managedDepartments.compactMap(UUID.init(parsing:)))
    }

    private func departments(of agentID: String) async throws -> Set<String> {
        guard let agent = UUID(parsing: agentID) else { return [] }
        return Set(try await store.memberships(of: agent).map { $0.department.lowercased })
    }
}

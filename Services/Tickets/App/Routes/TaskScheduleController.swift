import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension TaskSchedule: ResponseEncodable {}

/// The Task Scheduler under `/api/v1/tickets/task-schedules`: recurring tasks, for agents with the Tasks action
/// Task Scheduler. An agent sees the entries that are theirs or that they made; administrators see all; others 404.
public struct TaskScheduleController: Sendable {
    let access: TicketRequestAccess
    var store: TicketStore { access.store }

    public init(store: TicketStore) {
        self.access = TicketRequestAccess(store: store)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("task-schedules") { request, context in
            let caller = try await scheduler(context)
            let body = try await request.decodeJSON(TaskScheduleRequest.self, context: context)
            let schedule = try TaskScheduleRules.schedule(
                from: body, id: UUIDv7.generate().lowercased, brandID: context.brandID?.lowercased(), createdBy: caller.userID, now: Date())
            let created = try await store.createSchedule(schedule, actor: .agent(caller.userID))
            return EditedResponse(status: .created, headers: [.eTag: created.etag], response: created)
        }
        group.get("task-schedules") { _, context in
            let caller = try await scheduler(context)
            return Items(items: try await store.schedules(of: caller.seesEverything ? nil : try TicketController.id(caller.userID)))
        }
        group.get("task-schedules/{scheduleID}") { _, context in
            let (schedule, _) = try await visible(context)
            return EditedResponse(status: .ok, headers: [.eTag: schedule.etag], response: schedule)
        }
        group.put("task-schedules/{scheduleID}") { request, context in
            let (current, caller) = try await visible(context)
            let body = try await request.decodeJSON(TaskScheduleRequest.self, context: context)
            let schedule = try TaskScheduleRules.schedule(
                from: body, id: current.id, brandID: current.brandID, createdBy: current.createdBy, now: Date(), version: current.version)
            let replaced = try await store.replaceSchedule(schedule, expectedVersion: try IfMatch.version(request), actor: .agent(caller.userID))
            return EditedResponse(status: .ok, headers: [.eTag: replaced.etag], response: replaced)
        }
        group.delete("task-schedules/{scheduleID}") { _, context in
            let (schedule, caller) = try await visible(context)
            try await store.deleteSchedule(try TicketController.id(schedule.id), actor: .agent(caller.userID))
            return Response(status: .noContent)
        }
    }

    /// The signed-in agent holding the Tasks action Task Scheduler (403 otherwise).
    private func scheduler(_ context: ServiceRequestContext) async throws -> TicketCaller {
        guard let caller = try await access.caller(context, required: true) else { throw Problem.unauthorized("Sign in first.") }
        guard caller.isAgent else { throw Problem.forbidden("The Task Scheduler is for agents.") }
        try Authorization.require(caller.principal, .tasks, "Task Scheduler")
        return caller
    }

    /// The entry of the path when it is the caller's or they made it (administrators: any); 404 otherwise.
    private func visible(_ context: ServiceRequestContext) async throws -> (TaskSchedule, TicketCaller) {
        let caller = try await scheduler(context)
        let id = try context.uuidParameter("scheduleID", notFound: "No such scheduled task.")
        guard let schedule = try await store.schedule(id), caller.seesEverything || [schedule.agentID, schedule.createdBy].contains(caller.userID) else {
            throw Problem.notFound("No such scheduled task.")
        }
        return (schedule, caller)
    }
}

import Contracts
import Database
import Foundation
import HTTPTypes
import NIOCore
import PostgresNIO
import Testing

@testable import TicketsApp

@Suite("Tasks")
struct TaskTests {
    /// The kit's department with "Require all tasks to be completed to close tickets" turned on.
    func requireTasks(_ kit: TicketTestKit) async throws {
        try await kit.departmentSettings(["tickets": ["requireAllTasksCompletedToClose": true]], version: 2)
    }

    @Test("A task made from a ticket is one of its related items, and the department's guard keeps the ticket open until it is done")
    func closeGuard() async throws {
        try await TicketTestKit.run { client, kit in
            try await requireTasks(kit)
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let ticket = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)

            let (created, headers, task) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ticket)/tasks", token: token,
                body: #"{"subject":"Order a new fuser","dueAt":"2027-01-04T09:00:00Z","reminderMinutes":30,"originalEstimate":{"value":2,"unit":"hours"}}"#)
            #expect(created == .created)
            let taskID = try #require(task["id"] as? String)
            #expect(task["ticketID"] as? String == ticket)
            #expect(task["status"] as? String == "in_progress")
            #expect(task["originalEstimateMinutes"] as? Int == 120)
            #expect(headers[.eTag] == "\"1\"")
            let (_, _, listed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticket)/tasks", token: token)
            #expect((listed["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [taskID])
            let (_, _, related) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticket)/related", token: token)
            let item = (related["items"] as? [[String: Any]])?.first
            #expect(item?["kind"] as? String == "task")
            let summary = item?["summary"] as? [String: Any]
            #expect(summary?["subject"] as? String == "Order a new fuser" && summary?["status"] as? String == "in_progress", "the tab shows the task's subject and status")

            let (guarded, _, problem) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ticket)/status", token: token, body: #"{"status":"closed"}"#)
            #expect(guarded == .unprocessableContent)
            #expect((problem["detail"] as? String)?.contains("tasks") == true)
            let (replied, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ticket)/replies", token: token, body: #"{"body":"Done soon","sendVariant":"closed"}"#)
            #expect(replied == .unprocessableContent, "a closing send variant passes the same guard")

            let (badStatus, badHeaders, _) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/tasks/\(taskID)", token: token, ifMatch: "\"1\"", body: #"{"status":"done"}"#)
            #expect(badStatus == .unprocessableContent)
            #expect(badHeaders[.contentType] == "application/problem+json")
            let (stale, _, _) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/tasks/\(taskID)", token: token, ifMatch: "\"7\"", body: #"{"status":"completed"}"#)
            #expect(stale == .preconditionFailed)
            let (done, doneHeaders, completed) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/tasks/\(taskID)", token: token, ifMatch: "\"1\"", body: #"{"status":"completed"}"#)
            #expect(done == .ok)
            #expect(completed["completedAt"] != nil)
            #expect(doneHeaders[.eTag] == "\"2\"")

            let (closed, _, closedTicket) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(ticket)/status", token: token, body: #"{"status":"closed"}"#)
            #expect(closed == .ok)
            #expect(closedTicket["status"] as? String == "closed")
            let types = try await kit.eventTypes()
            #expect(types.filter { $0.hasPrefix("task.") } == ["task.created", "task.status_changed"])
            #expect(types.contains("ticket.related_added"))
        }
    }

    @Test("Rejected and deleted tasks do not hold a ticket open; a task reopened does, and a related task must exist")
    func finishedTasks() async throws {
        try await TicketTestKit.run { client, kit in
            try await requireTasks(kit)
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let admin = try await kit.administratorToken()
            let customer = try await kit.customer()
            let ticket = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let (_, _, first) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/tasks", token: token, body: #"{"subject":"Ask the vendor"}"#)
            let (_, _, second) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/tasks", token: token, body: #"{"subject":"Ship a part"}"#)
            let (_, _, own) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/tasks", token: token, body: #"{"subject":"Check stock"}"#)
            let firstID = try #require(first["id"] as? String)
            let secondID = try #require(second["id"] as? String)
            let ownID = try #require(own["id"] as? String)
            #expect(own["ticketID"] == nil || own["ticketID"] is NSNull)

            let (rejected, _, _) = try await TicketTestKit.send(client, .patch, "/api/v1/tickets/tasks/\(firstID)", token: token, body: #"{"status":"rejected"}"#)
            #expect(rejected == .ok)
            let (forbidden, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/tasks/\(secondID)", token: token)
            #expect(forbidden == .forbidden, "agents may not delete tasks by default")
            let (deleted, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/tasks/\(secondID)", token: admin)
            #expect(deleted == .noContent)
            let (gone, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks/\(secondID)", token: admin)
            #expect(gone == .notFound)

            let (linked, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ticket)/related", token: token, body: #"{"kind":"task","itemID":"\#(ownID)"}"#)
            #expect(linked == .created)
            let (unknown, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ticket)/related", token: token, body: #"{"kind":"task","itemID":"\#(UUID().lowercased)"}"#)
            #expect(unknown == .unprocessableContent)
            let (held, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ticket)/status", token: token, body: #"{"status":"closed"}"#)
            #expect(held == .unprocessableContent, "a related task counts as the ticket's")
            _ = try await TicketTestKit.send(client, .patch, "/api/v1/tickets/tasks/\(ownID)", token: token, body: #"{"status":"completed"}"#)
            let (closed, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ticket)/status", token: token, body: #"{"status":"waiting"}"#)
            #expect(closed == .ok)
            let (reopened, _, _) = try await TicketTestKit.send(client, .patch, "/api/v1/tickets/tasks/\(firstID)", token: token, body: #"{"status":"in_review"}"#)
            #expect(reopened == .ok)
            let (heldAgain, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ticket)/status", token: token, body: #"{"status":"closed_locked"}"#)
            #expect(heldAgain == .unprocessableContent)
        }
    }

    @Test("Time is logged on a task and listed with it; only its agent or an administrator deletes it; both are task events")
    func timeLogs() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let (_, _, task) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/tasks", token: token, body: #"{"subject":"Order a fuser"}"#)
            let logs = "/api/v1/tickets/tasks/\(try #require(task["id"] as? String))/time-logs"
            let (logged, _, log) = try await TicketTestKit.send(client, .post, logs, token: token, body: #"{"minutes":20,"subject":"Called the vendor"}"#)
            #expect(logged == .created && log["taskID"] as? String == task["id"] as? String && log["ticketID"] == nil)
            #expect(log["billable"] as? Bool == false)
            let (bad, headers, _) = try await TicketTestKit.send(client, .post, logs, token: token, body: #"{"minutes":0}"#)
            #expect(bad == .unprocessableContent && headers[.contentType] == "application/problem+json")
            let (_, _, listed) = try await TicketTestKit.send(client, .get, logs, token: token)
            #expect((listed["items"] as? [[String: Any]])?.compactMap { $0["minutes"] as? Int } == [20])
            let logURL = logs + "/" + (try #require(log["id"] as? String))
            let manager = try await kit.token(try await kit.agent(), roles: ["Agent", "Manager"])
            #expect(try await TicketTestKit.send(client, .get, logs, token: manager).0 == .ok, "the department's manager reads the task")
            #expect(try await TicketTestKit.send(client, .delete, logURL, token: manager).0 == .forbidden, "but not another agent's log")
            #expect(try await TicketTestKit.send(client, .delete, logURL, token: token).0 == .noContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.time_logs") == 0)
            let events = try await kit.eventTypes()
            #expect(events.contains("task.timelog_created") && events.contains("task.timelog_deleted"))
            let deleted = try await Self.lastTaskEvent(kit).details
            #expect(deleted["subject"] == "Called the vendor" && deleted["billable"] == "false" && deleted["minutes"] == "20",
                "a report keeping time by task knows what went, as ticket.timelog_deleted tells")
        }
    }

    @Test("Time logged on a task made from a ticket is billable when the ticket's department marks time logs billable by default")
    func taskTimeLogsFollowTheDepartment() async throws {
        try await TicketTestKit.run { client, kit in
            try await kit.departmentSettings(["timeLogsBillableByDefault": true], version: 2)
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let ticket = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let (_, _, fromTicket) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/tasks", token: token, body: #"{"subject":"Ask the vendor"}"#)
            let (_, _, alone) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/tasks", token: token, body: #"{"subject":"Order a fuser"}"#)
            func logged(_ task: [String: Any], _ body: String = #"{"minutes":15}"#) async throws -> Bool? {
                let path = "/api/v1/tickets/tasks/\(try #require(task["id"] as? String))/time-logs"
                let (status, _, log) = try await TicketTestKit.send(client, .post, path, token: token, body: body)
                #expect(status == .created)
                return log["billable"] as? Bool
            }
            #expect(try await logged(fromTicket) == true)
            #expect(try await logged(fromTicket, #"{"minutes":15,"billable":false}"#) == false, "what the agent says wins")
            #expect(try await logged(alone) == false, "a task of no ticket has no department")
        }
    }

    @Test("Task timers announce the start, the reminder and the due time once each; completing the task disarms them")
    func timers() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let start = Date().addingTimeInterval(3_600)
            let due = start.addingTimeInterval(3_600)
            let (_, _, task) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/tasks", token: token,
                body: #"{"subject":"Visit the customer","startAt":"\#(start.formatted(.iso8601))","dueAt":"\#(due.formatted(.iso8601))","reminderMinutes":15}"#)
            let taskID = try #require(task["id"] as? String)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.task_timers") == 3)
            let store = kit.api.store
            #expect(try await store.runDueTaskTimer(now: Date()) == false, "nothing due yet")
            while try await store.runDueTaskTimer(now: start.addingTimeInterval(60)) {}
            #expect(try await kit.eventTypes().filter { $0.hasPrefix("task.") } == ["task.created", "task.started"])
            while try await store.runDueTaskTimer(now: due.addingTimeInterval(60)) {}
            #expect(try await kit.eventTypes().filter { $0.hasPrefix("task.") } == ["task.created", "task.started", "task.reminder", "task.due"])
            #expect(try await store.runDueTaskTimer(now: due.addingTimeInterval(600)) == false, "each fires once")

            let later = due.addingTimeInterval(86_400)
            let (moved, _, _) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/tasks/\(taskID)", token: token, body: #"{"dueAt":"\#(later.formatted(.iso8601))"}"#)
            #expect(moved == .ok)
            #expect(
                try await kit.count("SELECT count(*)::int FROM {schema}.task_timers WHERE kind IN ('reminder', 'due') AND due_at > now() + interval '1 day'") == 2,
                "a later due date arms the reminder and due timers again")
            _ = try await TicketTestKit.send(client, .patch, "/api/v1/tickets/tasks/\(taskID)", token: token, body: #"{"status":"completed"}"#)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.task_timers") == 0)
        }
    }

    @Test("A task's events name every ticket it is among the related items of, its own ticket first linked")
    func eventsNameRelatedTickets() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            let owner = try #require(try await kit.submit(client, token: customer.token, subject: "Printer")["id"] as? String)
            let other = try #require(try await kit.submit(client, token: customer.token, subject: "Toner")["id"] as? String)
            let (_, _, task) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(owner)/tasks", token: token, body: #"{"subject":"Call back"}"#)
            let taskID = try #require(task["id"] as? String)
            #expect(try await Self.lastTaskEvent(kit).relatedTicketIDs == [owner], "task.created names the ticket it was made from")
            let (linked, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(other)/related", token: token, body: #"{"kind":"task","itemID":"\#(taskID)"}"#)
            #expect(linked == .created)
            let (changed, _, _) = try await TicketTestKit.send(client, .patch, "/api/v1/tickets/tasks/\(taskID)", token: token, body: #"{"subject":"Call back today"}"#)
            #expect(changed == .ok)
            let event = try await Self.lastTaskEvent(kit)
            #expect(event.task.subject == "Call back today")
            #expect(event.relatedTicketIDs == [owner, other].sorted(), "a later change names the ticket it was linked to as well")
        }
    }

    /// The data of the newest `task.*` event in the outbox.
    static func lastTaskEvent(_ kit: TicketTestKit) async throws -> TaskEventData {
        let rows = try await kit.database.client.query(PostgresQuery(unsafeSQL: "SELECT payload FROM \(kit.database.table("outbox")) ORDER BY id DESC"))
        for try await payload in rows.decode(ByteBuffer.self) {
            let bytes = Array(buffer: payload)
            guard try CloudEventCoding.decodeHeader(bytes).type.hasPrefix("task.") else { continue }
            return try CloudEventCoding.decode(TaskEventData.self, from: bytes).data
        }
        throw CancellationError()
    }

    @Test("A deleted task is purged after 90 days, with task.purged, and not before")
    func purge() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let admin = try await kit.administratorToken()
            let customer = try await kit.customer()
            let ticket = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            var ids: [String] = []
            for subject in ["Old", "Recent"] {
                let (_, _, task) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/tasks", token: token, body: #"{"subject":"\#(subject)"}"#)
                let id = try #require(task["id"] as? String)
                ids.append(id)
                let (deleted, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/tasks/\(id)", token: admin)
                #expect(deleted == .noContent)
            }
            _ = try await kit.count("UPDATE {schema}.tasks SET deleted_at = now() - interval '91 days' WHERE id = '\(ids[0])' RETURNING 1")
            #expect(try await kit.api.store.purgeDeletedTasks() == 1)
            #expect(try await kit.api.store.purgeDeletedTasks() == 0)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tasks") == 1)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.related_items WHERE kind = 'task'") == 1)
            #expect(try await kit.eventTypes().filter { $0 == "task.purged" }.count == 1)
        }
    }

    @Test("A purged ticket takes its tasks, deleted or not, each with task.purged before the ticket's own ticket.purged")
    func ticketPurgeTakesTasks() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let admin = try await kit.administratorToken()
            let ticket = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            var tasks: [String] = []
            for subject in ["Kept", "Deleted"] {
                let (_, _, task) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/tasks", token: token, body: #"{"subject":"\#(subject)"}"#)
                tasks.append(try #require(task["id"] as? String))
            }
            #expect(try await TicketTestKit.send(client, .delete, "/api/v1/tickets/tasks/\(tasks[1])", token: admin).0 == .noContent)
            #expect(try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(ticket)", token: admin).0 == .noContent)
            #expect(try await TicketTimerTests.worker(kit).runOne(now: Date().addingTimeInterval(91 * 86_400)))
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tasks") == 0)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.related_items WHERE kind = 'task'") == 0)
            #expect(try await kit.eventTypes().suffix(3) == ["task.purged", "task.purged", "ticket.purged"])
        }
    }

    @Test("Merging moves the merged tickets' tasks and related items to the primary, where the guard keeps counting them")
    func merge() async throws {
        try await TicketTestKit.run { client, kit in
            try await requireTasks(kit)
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let primary = try #require(try await kit.submit(client, token: customer.token, subject: "Printer")["id"] as? String)
            let merged = try #require(try await kit.submit(client, token: customer.token, subject: "Printer again")["id"] as? String)
            let third = try #require(try await kit.submit(client, token: customer.token, subject: "Toner")["id"] as? String)
            let (_, _, task) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(merged)/tasks", token: token, body: #"{"subject":"Order toner"}"#)
            let taskID = try #require(task["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(third)/related", token: token, body: #"{"kind":"ticket","itemID":"\#(merged)"}"#)

            let (status, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(primary)","ticketIDs":["\#(merged)"]}"#)
            #expect(status == .ok)
            let (_, _, tasks) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(primary)/tasks", token: token)
            #expect((tasks["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [taskID])
            let (_, _, moved) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks/\(taskID)", token: token)
            #expect(moved["ticketID"] as? String == primary)
            let (_, _, thirdRelated) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(third)/related", token: token)
            #expect((thirdRelated["items"] as? [[String: Any]])?.compactMap { $0["itemID"] as? String } == [primary])
            let (held, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(primary)/status", token: token, body: #"{"status":"closed"}"#)
            #expect(held == .unprocessableContent)
        }
    }

    @Test("A department open to outside managers is read-only to them: its tasks, and links to its tickets, are not theirs to change")
    func openDepartmentIsReadOnly() async throws {
        try await TicketTestKit.run { client, kit in
            let other = try await kit.otherBrandDepartment()
            let worker = UUID()
            try await kit.identity("agent.membership_changed", [
                "groupID": other.group.lowercased, "departmentID": other.department.lowercased, "userID": worker.lowercased,
                "ticketHandling": "primary", "excludedChannels": [String](), "ticketsActive": true,
            ])
            let workerToken = try await kit.token(worker, roles: ["Agent"])
            let manager = try await kit.token(try await kit.agent(), roles: ["Agent", "Manager"])
            try await kit.identity("department.updated", [
                "id": other.department.lowercased, "brandID": other.brand.lowercased, "name": "Acme Support", "frontLineGroupID": other.group.lowercased,
                "version": 2, "settings": ["allowOutsideManagersToView": true],
            ])
            let customer = try await kit.customer()
            let (_, _, theirs) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token, body: #"{"departmentID":"\#(other.department.lowercased)","subject":"Acme","body":"x"}"#)
            let theirID = try #require(theirs["id"] as? String)
            let (_, _, task) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(theirID)/tasks", token: workerToken, body: #"{"subject":"Ship it"}"#)
            let taskID = try #require(task["id"] as? String)

            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks/\(taskID)", token: manager).0 == .ok, "theirs to view")
            for (method, path, body) in [
                (HTTPRequest.Method.patch, "", #"{"status":"completed"}"#), (.post, "/time-logs", #"{"minutes":5}"#), (.delete, "", ""),
            ] {
                let (refused, _, _) = try await TicketTestKit.send(client, method, "/api/v1/tickets/tasks/\(taskID)\(path)", token: manager, body: body)
                #expect(refused == .forbidden, "\(method) task\(path)")
            }
            let ours = try #require(try await kit.submit(client, token: customer.token, subject: "Ours")["id"] as? String)
            let (linked, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ours)/related", token: manager, body: #"{"kind":"ticket","itemID":"\#(theirID)"}"#)
            #expect(linked == .forbidden, "a link changes the other ticket too")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.related_items") == 1, "only the task's own link to its ticket")
        }
    }

    @Test("Agents see their own tasks and those of tickets they can read; others answer 404, customers are refused")
    func visibility() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let (otherGroup, _, outsiderToken) = try await kit.secondGroupAgent()
            let manager = try await kit.agent(in: otherGroup)
            let managerToken = try await kit.token(manager, roles: ["Agent", "Manager"])
            let customer = try await kit.customer()
            let ticket = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let (_, _, task) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/tasks", token: token, body: #"{"subject":"Callback"}"#)
            let taskID = try #require(task["id"] as? String)

            let (hidden, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks/\(taskID)", token: outsiderToken)
            #expect(hidden == .notFound)
            let (hiddenChange, _, _) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/tasks/\(taskID)", token: outsiderToken, body: #"{"status":"completed"}"#)
            #expect(hiddenChange == .notFound)
            let (_, _, own) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/tasks", token: token, body: #"{"subject":"Own work"}"#)
            let ownID = try #require(own["id"] as? String)
            let (ownHidden, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks/\(ownID)", token: outsiderToken)
            #expect(ownHidden == .notFound)
            let (managed, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks/\(ownID)", token: managerToken)
            #expect(managed == .ok, "a manager of the agent's department tracks their tasks")
            let (customerList, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticket)/tasks", token: customer.token)
            #expect(customerList == .notFound)
            let (customerCreate, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/tasks", token: customer.token, body: #"{"subject":"x"}"#)
            #expect(customerCreate == .forbidden)
            let (byAgent, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?view=agent&agentID=\(agent.lowercased)", token: outsiderToken)
            #expect(byAgent == .forbidden)
            let (_, _, managerView) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?view=agent&agentID=\(agent.lowercased)", token: managerToken)
            #expect((managerView["items"] as? [[String: Any]])?.count == 2)

            let before = try await kit.count("SELECT count(*)::int FROM {schema}.tasks")
            for body in [#"{"subject":"For nobody","agentID":"\#(UUID().lowercased)"}"#, #"{"description":"no subject"}"#, #"{"subject":"x","priority":"asap"}"#] {
                let (status, headers, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/tasks", token: token, body: body)
                #expect(status == .unprocessableContent, "\(body)")
                #expect(headers[.contentType] == "application/problem+json")
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tasks") == before, "nothing written")
        }
    }

    @Test("A task list sorts by any column, then by due date, in keyset pages, finds subjects by basic search, and takes bulk actions, deletion among them")
    func sortSearchAndBulk() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            var ids: [String] = []
            for (subject, priority, due) in [("Beta", "high", "2027-02-01T00:00:00Z"), ("alpha", "low", "2027-03-01T00:00:00Z"), ("Gamma", "high", "2027-01-01T00:00:00Z")] {
                let (_, _, task) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/tasks", token: token, body: #"{"subject":"\#(subject)","priority":"\#(priority)","dueAt":"\#(due)"}"#)
                ids.append(try #require(task["id"] as? String))
            }
            let subjects = { (page: [String: Any]) in (page["items"] as? [[String: Any]])?.compactMap { $0["subject"] as? String } ?? [] }
            let (_, _, bySubject) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?sort=subject", token: token)
            #expect(subjects(bySubject) == ["alpha", "Beta", "Gamma"])
            let (_, _, byPriority) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?sort=priority&order=desc&limit=1", token: token)
            #expect(subjects(byPriority) == ["Gamma"], "high first; of the two high ones the earlier due date")
            let next = try #require(byPriority["next"] as? String)
            let (_, _, page2) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?sort=priority&order=desc&limit=1&after=\(next)", token: token)
            #expect(subjects(page2) == ["Beta"])
            let (_, _, found) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?q=AMM", token: token)
            #expect(subjects(found) == ["Gamma"])
            let (badSort, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?sort=colour", token: token)
            #expect(badSort == .unprocessableContent)

            let list = (ids + [UUID().lowercased]).map { #""\#($0)""# }.joined(separator: ",")
            let (done, _, result) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/tasks/bulk", token: token, body: #"{"taskIDs":[\#(list)],"action":"status","status":"on_hold"}"#)
            #expect(done == .ok)
            #expect((result["items"] as? [[String: Any]])?.compactMap { $0["status"] as? Int } == [200, 200, 200, 404])
            let (_, _, pending) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?tab=pending", token: token)
            #expect(subjects(pending).count == 3)
            let (missing, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/tasks/bulk", token: token, body: #"{"taskIDs":[\#(list)],"action":"priority"}"#)
            #expect(missing == .unprocessableContent)
            let colleague = try await kit.agent()
            let (moved, _, transfers) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/tasks/bulk", token: token,
                body: #"{"taskIDs":["\#(ids[0])"],"action":"transfer","agentID":"\#(colleague.lowercased)"}"#)
            #expect(moved == .ok)
            #expect((transfers["items"] as? [[String: Any]])?.first?["status"] as? Int == 200)
            #expect(try await kit.eventTypes().contains("task.transferred"))

            let deletion = #"{"taskIDs":["\#(ids[1])","\#(ids[2])"],"action":"delete"}"#
            let (denied, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/tasks/bulk", token: token, body: deletion)
            #expect(denied == .forbidden, "agents may not delete tasks by default")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tasks WHERE deleted_at IS NOT NULL") == 0)
            let (deleted, _, outcomes) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/tasks/bulk", token: try await kit.administratorToken(), body: deletion)
            #expect(deleted == .ok)
            #expect((outcomes["items"] as? [[String: Any]])?.compactMap { $0["status"] as? Int } == [204, 204])
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tasks WHERE deleted_at IS NOT NULL") == 2)
        }
    }

    @Test("My Tasks lists one tab at a time by due date, tasks without one last, page by page; comments newest first")
    func myTasks() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            var ids: [String: String] = [:]
            for (subject, due) in [("Later", "2027-03-01T00:00:00Z"), ("Undated", nil), ("Soon", "2027-01-01T00:00:00Z"), ("Sooner", "2026-12-24T00:00:00Z")] {
                let body = due.map { #"{"subject":"\#(subject)","dueAt":"\#($0)"}"# } ?? #"{"subject":"\#(subject)"}"#
                let (_, _, task) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/tasks", token: token, body: body)
                ids[subject] = task["id"] as? String
            }
            let (_, _, pending) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/tasks", token: token, body: #"{"subject":"Maybe","status":"on_hold"}"#)
            let subjects = { (page: [String: Any]) in (page["items"] as? [[String: Any]])?.compactMap { $0["subject"] as? String } ?? [] }

            let (_, _, first) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?tab=active&limit=3", token: token)
            #expect(subjects(first) == ["Sooner", "Soon", "Later"])
            let next = try #require(first["next"] as? String)
            let (_, _, second) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?tab=active&limit=3&after=\(next)", token: token)
            #expect(subjects(second) == ["Undated"])
            #expect(second["next"] == nil || second["next"] is NSNull)
            let (_, _, pendingTab) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?tab=pending", token: token)
            #expect(subjects(pendingTab) == ["Maybe"])
            _ = pending
            _ = try await TicketTestKit.send(client, .patch, "/api/v1/tickets/tasks/\(ids["Soon"] ?? "")", token: token, body: #"{"status":"completed"}"#)
            let (_, _, closedTab) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?tab=closed", token: token)
            #expect(subjects(closedTab) == ["Soon"])
            let soon = ids["Soon"] ?? ""
            for body in ["Called the vendor", "Parts arrive Monday"] {
                let (added, _, comment) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/tasks/\(soon)/comments", token: token, body: #"{"body":"\#(body)"}"#)
                #expect(added == .created)
                #expect(comment["authorID"] as? String == agent.lowercased)
            }
            let (blank, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/tasks/\(soon)/comments", token: token, body: #"{"body":"  "}"#)
            #expect(blank == .unprocessableContent)
            let (_, _, comments) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks/\(soon)/comments", token: token)
            #expect((comments["items"] as? [[String: Any]])?.compactMap { $0["body"] as? String } == ["Parts arrive Monday", "Called the vendor"])
            #expect(try await kit.eventTypes().filter { $0 == "task.comment_added" }.count == 2)
            for query in ["tab=someday", "limit=0", "limit=many", "view=everyone", "after=\(UUID().lowercased)"] {
                let (bad, headers, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?\(query)", token: token)
                #expect(bad == .unprocessableContent, "\(query)")
                #expect(headers[.contentType] == "application/problem+json")
            }
            let (allTasks, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks?view=all", token: token)
            #expect(allTasks == .forbidden, "All Tasks is for managers")
        }
    }
}

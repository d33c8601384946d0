import Auth
import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import Testing
import TestSupport

@testable import TicketsApp

@Suite("Task Scheduler: recurring tasks", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TaskScheduleTests {
    static func date(_ text: String) throws -> Date { try Date(text, strategy: .iso8601) }
    let utc = TimeZone(identifier: "UTC") ?? .gmt

    @Test("Hourly, daily, monthly and yearly occurrences count from the first, so the 31st comes back after a short month")
    func simpleRecurrences() throws {
        let first = try Self.date("2027-01-31T10:00:00Z")
        let monthly = Recurrence(frequency: .monthly)
        #expect(TaskScheduleRules.occurrence(after: try Self.date("2027-02-01T00:00:00Z"), of: first, monthly, in: utc) == (try Self.date("2027-02-28T10:00:00Z")))
        #expect(TaskScheduleRules.occurrence(after: try Self.date("2027-03-01T00:00:00Z"), of: first, monthly, in: utc) == (try Self.date("2027-03-31T10:00:00Z")))
        let everyTwoHours = Recurrence(frequency: .hourly, every: 2)
        #expect(TaskScheduleRules.occurrence(after: first.addingTimeInterval(5 * 3600), of: first, everyTwoHours, in: utc) == first.addingTimeInterval(6 * 3600))
        #expect(TaskScheduleRules.occurrence(after: first, of: first, Recurrence(frequency: .yearly), in: utc) == (try Self.date("2028-01-31T10:00:00Z")))
        #expect(TaskScheduleRules.occurrence(after: first.addingTimeInterval(-60), of: first, monthly, in: utc) == first, "the first occurrence itself")
    }

    @Test("Daily occurrences keep their local time across a daylight-saving change in the entry's time zone")
    func timeZones() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let first = try Self.date("2027-03-27T07:00:00Z")
        #expect(TaskScheduleRules.occurrence(after: first, of: first, Recurrence(frequency: .daily), in: berlin) == (try Self.date("2027-03-28T06:00:00Z")))
    }

    @Test("Weekly occurrences fall on the chosen days of every n-th week: every 3 weeks on Monday, or Monday and Wednesday")
    func weekly() throws {
        let monday = try Self.date("2027-01-04T09:00:00Z")
        let everyThird = Recurrence(frequency: .weekly, every: 3, weekdays: [2])
        #expect(TaskScheduleRules.occurrence(after: monday, of: monday, everyThird, in: utc) == (try Self.date("2027-01-25T09:00:00Z")))
        let twiceAWeek = Recurrence(frequency: .weekly, weekdays: [2, 4])
        #expect(TaskScheduleRules.occurrence(after: monday, of: monday, twiceAWeek, in: utc) == (try Self.date("2027-01-06T09:00:00Z")))
        #expect(TaskScheduleRules.occurrence(after: try Self.date("2027-01-06T09:00:00Z"), of: monday, twiceAWeek, in: utc) == (try Self.date("2027-01-11T09:00:00Z")))
        #expect(TaskScheduleRules.occurrence(after: monday, of: monday, Recurrence(frequency: .weekly), in: utc) == (try Self.date("2027-01-11T09:00:00Z")), "no days: the first one's")
    }

    @Test("An entry needs a subject, a first occurrence and a recurrence of 1 to 99 units in a known time zone; every wrong field is named")
    func validation() throws {
        let body = #"{"subject":"","recurrence":{"frequency":"daily","every":0,"weekdays":[2]},"timeZone":"Mars/Olympus","dueAt":"2027-01-01T00:00:00Z"}"#
        let request = try JSONBody.decode(TaskScheduleRequest.self, from: Data(body.utf8))
        do {
            _ = try TaskScheduleRules.schedule(from: request, id: "s", brandID: nil, createdBy: UUID().lowercased, now: Date())
            Issue.record("a wrong entry was accepted")
        } catch let problem as Problem {
            #expect(Set(problem.errors.map(\.field)) == ["subject", "firstOccurrence", "recurrence.every", "recurrence.weekdays", "timeZone", "startAt"])
        }
    }

    @Test("Each occurrence makes one task whatever became of the last; missed ones make one; deleting the entry stops it")
    func occurrencesMakeTasks() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let first = Date().addingTimeInterval(3600).formatted(.iso8601)
            let (created, headers, schedule) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/task-schedules", token: token,
                body: #"{"subject":"Payroll","priority":"high","description":"Run it.","firstOccurrence":"\#(first)","recurrence":{"frequency":"hourly","every":2}}"#)
            #expect(created == .created)
            #expect(headers[.eTag] == "\"1\"")
            let id = try #require(schedule["id"] as? String)
            let start = try Self.date(first)
            let store = kit.api.store
            #expect(try await store.runDueTaskSchedule(now: start.addingTimeInterval(-1)) == false, "not yet")
            async let one = store.runDueTaskSchedule(now: start.addingTimeInterval(1))
            async let other = store.runDueTaskSchedule(now: start.addingTimeInterval(1))
            let runs = try await [one, other]
            #expect(runs.filter { $0 }.count == 1, "one occurrence, one task, however many run it")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tasks WHERE subject = 'Payroll' AND priority = 'high' AND status = 'in_progress'") == 1)
            #expect(try await store.runDueTaskSchedule(now: start.addingTimeInterval(5 * 3600 + 1)))
            #expect(try await store.runDueTaskSchedule(now: start.addingTimeInterval(5 * 3600 + 1)) == false, "the missed occurrence made one task")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tasks") == 2, "made whatever became of the first task")
            let (_, _, after) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/task-schedules/\(id)", token: token)
            #expect(after["nextRunAt"] as? String == start.addingTimeInterval(6 * 3600).formatted(.iso8601))
            #expect(try await kit.eventTypes().filter { $0 == "task.created" }.count == 2)

            let stranger = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (hidden, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/task-schedules/\(id)", token: stranger)
            #expect(hidden == .notFound)
            let (_, _, theirs) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/task-schedules", token: stranger)
            #expect((theirs["items"] as? [[String: Any]])?.isEmpty == true)
            let readOnly = RoleDefinition(name: "Read only tasks", type: .employee, grants: [.tickets: FeatureGrant(.fullControl), .tasks: FeatureGrant(.readOnly)])
            var principal = kit.principal(agent, roles: ["Agent"])
            principal.permissions = EffectivePermissions.combine([readOnly])
            let (denied, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/task-schedules", token: try await kit.tokens.sign(principal))
            #expect(denied == .forbidden)

            let (stale, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/task-schedules/\(id)", token: token, ifMatch: "\"7\"",
                body: #"{"subject":"Payroll","firstOccurrence":"\#(first)","recurrence":{"frequency":"daily"}}"#)
            #expect(stale == .preconditionFailed)
            let (replaced, _, daily) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/task-schedules/\(id)", token: token, ifMatch: "\"1\"",
                body: #"{"subject":"Payroll run","firstOccurrence":"\#(first)","recurrence":{"frequency":"daily"}}"#)
            #expect(replaced == .ok)
            #expect(daily["version"] as? Int == 2 && (daily["recurrence"] as? [String: Any])?["frequency"] as? String == "daily")
            let (deleted, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/task-schedules/\(id)", token: token)
            #expect(deleted == .noContent)
            #expect(try await store.runDueTaskSchedule(now: start.addingTimeInterval(30 * 86_400)) == false, "a deleted entry makes no more tasks")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tasks") == 2, "the tasks it made stay")
            #expect(try await kit.eventTypes().contains("task_schedule.deleted"))
        }
    }
}

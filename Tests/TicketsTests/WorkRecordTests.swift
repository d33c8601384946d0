import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Drafts and time logs", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct WorkRecordTests {
    @Test("A ticket keeps one draft with its subject and chosen attachments (the ticket's own), a new one replaces it, sending the reply discards it; time logs are billable by the department's default and need a known category")
    func draftsAndTimeLogs() async throws {
        try await TicketTestKit.run { client, kit in
            try await kit.departmentSettings(["timeLogsBillableByDefault": true], version: 2)
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/draft", token: token, body: #"{"bodyHTML":"<p>first</p>"}"#)
            let (_, file) = try await AttachmentTests.upload(client, "/api/v1/tickets/\(id)/attachments?filename=steps.pdf", token: token, bytes: [1])
            let attachment = try #require(file["id"] as? String)
            _ = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/draft", token: token,
                body: #"{"bodyHTML":"<p>second</p><script>x</script>","subject":"About your printer","attachmentIDs":["\#(attachment)"]}"#)
            let (foreign, headers, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/draft", token: token, body: #"{"bodyHTML":"<p>third</p>","attachmentIDs":["\#(UUID().lowercased)"]}"#)
            #expect(foreign == .unprocessableContent, "an attachment the reply could not carry is refused when the draft is saved")
            #expect(headers[.contentType] == "application/problem+json")
            let (_, _, draft) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/draft", token: token)
            #expect(draft["bodyHTML"] as? String == "<p>second</p>")
            #expect(draft["subject"] as? String == "About your printer" && draft["attachmentIDs"] as? [String] == [attachment])
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.drafts") == 1)
            let (sent, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"second"}"#)
            #expect(sent == .created)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.drafts") == 0, "sending the reply discards its draft")

            let admin = try await kit.administratorToken()
            let (_, _, category) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/time-log-categories", token: admin, body: #"{"name":"Research"}"#)
            let categoryID = try #require(category["id"] as? String)
            let (logged, _, log) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/time-logs", token: token, body: #"{"minutes":25,"categoryID":"\#(categoryID)","description":"Reproduced"}"#)
            #expect(logged == .created)
            #expect(log["billable"] as? Bool == true, "the department's default")
            let (unknown, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/time-logs", token: token, body: #"{"minutes":5,"categoryID":"\#(UUID().uuidString)"}"#)
            #expect(unknown == .unprocessableContent)
            let (zero, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/time-logs", token: token, body: #"{"minutes":0}"#)
            #expect(zero == .unprocessableContent)
            let (_, _, logs) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/time-logs", token: token)
            #expect((logs["items"] as? [[String: Any]])?.count == 1)
            let (customerView, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/time-logs", token: customer.token)
            #expect(customerView == .notFound)
            #expect(try await kit.eventTypes().contains("ticket.timelog_created"))
            let (_, _, history) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/history", token: token)
            let told = (history["items"] as? [[String: Any]])?.first { $0["action"] as? String == "ticket.timelog_created" }?["details"] as? [String: String]
            #expect(told?["automatic"] == "false" && told?["subject"] == "" && told?["categoryID"] == categoryID)
        }
    }

    @Test("Two agents saving one ticket's draft with If-Match cannot overwrite each other: the second save of the same version is a 412 and keeps the first")
    func draftSavesCarryTheirVersion() async throws {
        try await TicketTestKit.run { client, kit in
            let first = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let second = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let draft = "/api/v1/tickets/\(id)/draft"
            let (missing, _, _) = try await TicketTestKit.send(client, .put, draft, token: first, ifMatch: "\"1\"", body: #"{"bodyHTML":"none yet"}"#)
            #expect(missing == .preconditionFailed, "If-Match names a draft that does not exist")
            let (created, createdHeaders, saved) = try await TicketTestKit.send(client, .put, draft, token: first, body: #"{"bodyHTML":"opening"}"#)
            #expect(created == .ok && createdHeaders[.eTag] == "\"1\"" && saved["version"] as? Int == 1)
            let (_, readHeaders, _) = try await TicketTestKit.send(client, .get, draft, token: second)
            let etag = try #require(readHeaders[.eTag])
            let (kept, keptHeaders, _) = try await TicketTestKit.send(client, .put, draft, token: first, ifMatch: etag, body: #"{"bodyHTML":"first agent"}"#)
            #expect(kept == .ok && keptHeaders[.eTag] == "\"2\"")
            let (late, lateHeaders, _) = try await TicketTestKit.send(client, .put, draft, token: second, ifMatch: etag, body: #"{"bodyHTML":"second agent"}"#)
            #expect(late == .preconditionFailed && lateHeaders[.contentType] == "application/problem+json")
            let (staleDiscard, _, _) = try await TicketTestKit.send(client, .delete, draft, token: second, ifMatch: etag)
            #expect(staleDiscard == .preconditionFailed, "discarding a draft someone saved since is refused too")
            let (_, _, current) = try await TicketTestKit.send(client, .get, draft, token: second)
            #expect(current["bodyHTML"] as? String == "first agent" && current["version"] as? Int == 2)
            let crowd = (0...50).map { #""copy\#($0)@example.com""# }.joined(separator: ",")
            let (tooMany, _, _) = try await TicketTestKit.send(client, .put, draft, token: first, body: #"{"bodyHTML":"all of you","cc":[\#(crowd)]}"#)
            #expect(tooMany == .unprocessableContent, "a recipient line holds at most 50 addresses")
            let (discarded, _, _) = try await TicketTestKit.send(client, .delete, draft, token: second, ifMatch: "\"2\"")
            #expect(discarded == .noContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.drafts") == 0)
        }
    }

    @Test("A time log has a subject; its agent or a manager edits and deletes it, another agent gets 403; categories are renamed, and retired when deleted while in use")
    func editingTimeLogs() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let colleague = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let manager = try await kit.token(try await kit.agent(), roles: ["Agent", "Manager"])
            let admin = try await kit.administratorToken()
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let (_, _, category) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/time-log-categories", token: admin, body: #"{"name":"Research"}"#)
            let categoryID = try #require(category["id"] as? String)
            let (_, _, log) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/time-logs", token: token, body: #"{"minutes":25,"subject":"  Reproduce the fault ","categoryID":"\#(categoryID)"}"#)
            #expect(log["subject"] as? String == "Reproduce the fault")
            let logID = try #require(log["id"] as? String)
            let path = "/api/v1/tickets/\(id)/time-logs/\(logID)"
            let (tooLong, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/time-logs", token: token, body: #"{"minutes":5,"subject":"\#(String(repeating: "x", count: 201))"}"#)
            #expect(tooLong == .unprocessableContent)

            let (denied, _, _) = try await TicketTestKit.send(client, .patch, path, token: colleague, body: #"{"minutes":5}"#)
            #expect(denied == .forbidden, "another agent's time log")
            let (edited, _, changed) = try await TicketTestKit.send(client, .patch, path, token: token, body: #"{"minutes":40,"categoryID":null}"#)
            #expect(edited == .ok)
            #expect(changed["minutes"] as? Int == 40 && changed["categoryID"] == nil && changed["subject"] as? String == "Reproduce the fault")
            let (invalid, _, _) = try await TicketTestKit.send(client, .patch, path, token: token, body: #"{"minutes":0}"#)
            #expect(invalid == .unprocessableContent)
            let (byManager, _, _) = try await TicketTestKit.send(client, .patch, path, token: manager, body: #"{"categoryID":"\#(categoryID)","billable":true}"#)
            #expect(byManager == .ok)
            #expect(try await kit.count("SELECT minutes FROM {schema}.time_logs WHERE id = '\(logID)'") == 40)

            let (renamed, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/time-log-categories/\(categoryID)", token: admin, body: #"{"name":"Investigation"}"#)
            #expect(renamed == .ok)
            let (_, _, categories) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/time-log-categories", token: token)
            #expect((categories["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Investigation"])
            let (agentsMayNot, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/time-log-categories/\(categoryID)", token: token)
            #expect(agentsMayNot == .forbidden)
            let (removed, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/time-log-categories/\(categoryID)", token: admin)
            #expect(removed == .noContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.time_logs WHERE id = '\(logID)' AND category_id = '\(categoryID)'") == 1,
                "a category in use is retired: its time logs keep it for the reports")
            let (_, _, current) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/time-log-categories", token: token)
            #expect((current["items"] as? [[String: Any]])?.isEmpty == true, "new time logs are not offered it")
            let (_, _, all) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/time-log-categories?include=retired", token: token)
            let listed = (all["items"] as? [[String: Any]]) ?? []
            #expect(listed.map { $0["name"] as? String } == ["Investigation"] && listed.map { $0["retired"] as? Bool } == [true])
            let (misspelt, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/time-log-categories?include=retird", token: token)
            #expect(misspelt == .badRequest, "an include the list does not know is a mistake, not the current list")
            let (retiredForNew, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/time-logs", token: token, body: #"{"minutes":5,"categoryID":"\#(categoryID)"}"#)
            #expect(retiredForNew == .unprocessableContent, "nor can they take it")
            let (keptWhileEdited, _, kept) = try await TicketTestKit.send(client, .patch, path, token: token, body: #"{"minutes":45}"#)
            #expect(keptWhileEdited == .ok)
            #expect(kept["categoryID"] as? String == categoryID, "an older time log keeps it when edited")
            let (renamedRetired, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/time-log-categories/\(categoryID)", token: admin, body: #"{"name":"Other"}"#)
            #expect(renamedRetired == .notFound)
            let (again, _, fresh) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/time-log-categories", token: admin, body: #"{"name":"Investigation"}"#)
            #expect(again == .created, "its name is free again")
            let freshID = try #require(fresh["id"] as? String)
            let (unused, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/time-log-categories/\(freshID)", token: admin)
            #expect(unused == .noContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.time_log_categories WHERE id = '\(freshID)'") == 0, "one nobody used is deleted")
            let (twice, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/time-log-categories/\(categoryID)", token: admin)
            #expect(twice == .notFound)
            #expect(try await kit.eventTypes().filter { $0.hasPrefix("time_log_category.") } == [
                "time_log_category.created", "time_log_category.renamed", "time_log_category.retired", "time_log_category.created",
                "time_log_category.deleted",
            ], "the reports learn each category's name, and what became of it")

            let (notTheirs, _, _) = try await TicketTestKit.send(client, .delete, path, token: colleague)
            #expect(notTheirs == .forbidden)
            let (deleted, _, _) = try await TicketTestKit.send(client, .delete, path, token: token)
            #expect(deleted == .noContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.time_logs") == 0)
            let types = try await kit.eventTypes()
            #expect(types.filter { $0 == "ticket.timelog_modified" }.count == 3 && types.contains("ticket.timelog_deleted"))
        }
    }
}

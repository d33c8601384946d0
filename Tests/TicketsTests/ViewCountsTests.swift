import Contracts
import Fleet
import Foundation
import HTTPTypes
import HummingbirdTesting
import Search
import ServiceKit
import Testing
import TestSupport
import TicketsApp

@Suite("Views and their counts", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct ViewCountsTests {
    @Test("The view tree's counts follow every change and always equal the tickets themselves")
    func countsFollowChanges() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent(maxTickets: 2)
            let token = try await kit.token(agent, roles: ["Agent"])
            let admin = try await kit.token(UUID(), roles: ["Administrator"])
            let customer = try await kit.customer()
            var ids: [String] = []
            for index in 0..<4 { ids.append(try #require(try await kit.submit(client, token: customer.token, subject: "T\(index)")["id"] as? String)) }
            let (_, _, first) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: token)
            #expect((first["myTickets"] as? [String: Int]) == ["active": 2, "waiting": 0, "closed": 0])
            #expect(first["queue"] as? Int == 2, "two wait for room")

            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ids[0])/replies", token: token, body: #"{"body":"x","sendVariant":"waiting"}"#)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[1])/status", token: token, body: #"{"status":"closed"}"#)
            let (_, _, second) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: token)
            #expect((second["myTickets"] as? [String: Int]) == ["active": 2, "waiting": 1, "closed": 1], "the queue drained into the room made")
            #expect(second["queue"] as? Int == 0)
            let groups = ((second["departments"] as? [[String: Any]])?.first?["groups"] as? [[String: Any]]) ?? []
            #expect((groups.first?["counts"] as? [String: Int])?["active"] == 2)

            _ = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(ids[2])", token: admin)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[3])/follow-up", token: token, body: #"{"at":"2031-01-01T09:00:00Z"}"#)
            let (_, _, third) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: token)
            #expect(third["followUps"] as? Int == 1)
            let drift = try await kit.count("""
                SELECT count(*)::int FROM (
                    SELECT status, count(*)::int AS n FROM {schema}.tickets WHERE deleted_at IS NULL GROUP BY status
                    EXCEPT SELECT status, sum(n)::int FROM {schema}.ticket_counts WHERE scope = 'brand' GROUP BY status HAVING sum(n) <> 0
                ) d
                """)
            #expect(drift == 0, "maintained counts equal COUNT(*)")

            let (page, _, groupList) = try await TicketTestKit.send(
                client, .get, "/api/v1/tickets?view=group&id=\(kit.frontLineID.lowercased)&status=waiting&limit=1", token: token)
            #expect(page == .ok)
            #expect((groupList["items"] as? [[String: Any]])?.count == 1)
            #expect(groupList["nextCursor"] is String)
            let groupCounts = ((third["departments"] as? [[String: Any]])?.first?["groups"] as? [[String: Any]])?.first?["counts"] as? [String: Int]
            #expect((groupList["counts"] as? [String: Int]) == groupCounts, "a view page carries the same counts as the tree")
            let (_, _, mine) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine", token: token)
            #expect((mine["counts"] as? [String: Int]) == (third["myTickets"] as? [String: Int]))
            let (brand, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=brand&id=\(kit.brandID.lowercased)", token: token)
            #expect(brand == .forbidden, "agents list their groups, not the brand")
            #expect((third["departments"] as? [[String: Any]])?.first?["listable"] as? Bool == false, "an agent's department node does not open")
            let (department, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=department&id=\(kit.departmentID.lowercased)", token: token)
            #expect(department == .forbidden)
            let (_, _, managed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: try await kit.token(agent, roles: ["Agent", "Manager"]))
            #expect((managed["departments"] as? [[String: Any]])?.first?["listable"] as? Bool == true, "its manager's does")
        }
    }

    @Test(
        "A view page and its counts come together: an empty page still has its counts, and cursors walk the whole list once",
        arguments: ["tickets", "tickets_elsewhere"])
    func pageWithCounts(schema: String) async throws {
        try await TicketTestKit.run(schema: schema) { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            var created: Set<String> = []
            for index in 0..<5 { created.insert(try #require(try await kit.submit(client, token: customer.token, subject: "P\(index)")["id"] as? String)) }
            let group = "/api/v1/tickets?view=group&id=\(kit.frontLineID.lowercased)"
            let (status, _, waiting) = try await TicketTestKit.send(client, .get, "\(group)&status=waiting", token: token)
            #expect(status == .ok)
            #expect((waiting["items"] as? [[String: Any]])?.isEmpty == true)
            #expect((waiting["counts"] as? [String: Int]) == ["active": 5, "waiting": 0, "closed": 0])

            var seen: [String] = []
            var cursor: String?
            repeat {
                let (_, _, page) = try await TicketTestKit.send(
                    client, .get, "\(group)&status=active&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
                #expect((page["counts"] as? [String: Int])?["active"] == 5)
                seen += ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil && seen.count < 10
            #expect(seen.count == 5)
            #expect(Set(seen) == created)

            // A cursor written before cursors carried microseconds, or another list's, is refused, not read as page one.
            for keys in [["1", "2026-11-30T12:00:00Z", UUID().uuidString], [UUID().uuidString]] {
                let stale = Cursor(keys: keys).encoded
                let (refused, headers, problem) = try await TicketTestKit.send(client, .get, "\(group)&status=active&cursor=\(stale)", token: token)
                #expect(refused == .badRequest)
                #expect(headers[.contentType] == "application/problem+json")
                #expect((problem["detail"] as? String)?.contains("cursor") == true)
            }
        }
    }

    @Test("The Queue has Active, Waiting and Closed tabs: an unassigned Waiting ticket is listed and counted under Waiting")
    func queueTabs() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let admin = try await kit.administratorToken()
            let empty = UUID()
            try await kit.identity("group.created", ["id": empty.lowercased, "departmentID": kit.departmentID.lowercased, "name": "Nobody yet"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"x","sendVariant":"waiting"}"#)
            let (_, _, moved) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(empty.lowercased)"}"#)
            #expect(moved["agentID"] == nil || moved["agentID"] is NSNull, "no agent in the group: it waits in the queue")
            let (_, _, waiting) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=queue&status=waiting", token: admin)
            #expect((waiting["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            #expect((waiting["counts"] as? [String: Int]) == ["active": 0, "waiting": 1, "closed": 0])
            let (_, _, active) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=queue", token: admin)
            #expect((active["items"] as? [[String: Any]])?.isEmpty == true, "the Active tab is the default")
            let (_, _, sorted) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=queue&status=waiting&sort=subject", token: admin)
            #expect((sorted["items"] as? [[String: Any]])?.count == 1)
            let drift = try await kit.count("""
                SELECT count(*)::int FROM (
                    SELECT group_id, status, count(*)::int AS n FROM {schema}.tickets WHERE agent_id IS NULL AND deleted_at IS NULL GROUP BY group_id, status
                    EXCEPT SELECT scope_id, status, sum(n)::int FROM {schema}.ticket_counts WHERE scope = 'queue' GROUP BY scope_id, status HAVING sum(n) <> 0
                ) d
                """)
            #expect(drift == 0, "the queue's maintained counts equal COUNT(*)")
        }
    }

    @Test("The Closed tab lists Closed and Closed and Locked tickets together, as its count counts them, in every list, order and search")
    func closedTabListsLockedTickets() async throws {
        let path = TicketSearchTests.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let admin = try await kit.administratorToken()
            var queued: [String] = []
            for (subject, status) in [("Queued closed", "closed"), ("Queued locked", "closed_locked")] {
                let id = try #require(try await kit.submit(client, token: try await kit.customer().token, subject: subject)["id"] as? String)
                #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: admin, body: #"{"status":"\#(status)"}"#).0 == .ok)
                queued.append(id)
            }
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let manager = try await kit.token(agent, roles: ["Agent", "Manager"])
            var closed: [String] = []
            for (index, status) in ["closed", "closed_locked", "closed", "closed_locked", "waiting"].enumerated() {
                let id = try #require(try await kit.submit(client, token: try await kit.customer().token, subject: "Printer \(index)")["id"] as? String)
                #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: token, body: #"{"status":"\#(status)"}"#).0 == .ok)
                if status != "waiting" { closed.append(id) }
            }

            func walk(_ list: String, as caller: String, counted: Int) async throws -> [String] {
                var seen: [String] = []
                var cursor: String?
                repeat {
                    let (status, _, page) = try await TicketTestKit.send(
                        client, .get, "/api/v1/tickets?\(list)&status=closed&limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: caller)
                    #expect(status == .ok, "\(list)")
                    #expect((page["counts"] as? [String: Int])?["closed"] == counted, "\(list)")
                    seen += ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
                    cursor = page["nextCursor"] as? String
                } while cursor != nil && seen.count < 20
                return seen
            }
            let group = "view=group&id=\(kit.frontLineID.lowercased)"
            for list in ["view=mine", "view=mine&sort=subject", "view=mine&sort=status"] {
                let seen = try await walk(list, as: token, counted: 4)
                #expect(seen.count == 4 && Set(seen) == Set(closed), "\(list) lists both closed statuses once each: \(seen)")
            }
            let department = "view=department&id=\(kit.departmentID.lowercased)"
            for list in [group, "\(group)&sort=idle&order=desc", department, "\(department)&sort=subject"] {
                let seen = try await walk(list, as: manager, counted: 6)
                #expect(seen.count == 6 && Set(seen) == Set(closed + queued), "\(list): \(seen)")
            }
            let (_, _, bySubject) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine&status=closed&sort=subject", token: token)
            #expect(((bySubject["items"] as? [[String: Any]]) ?? []).compactMap { $0["subject"] as? String } == (0..<4).map { "Printer \($0)" })
            for list in ["view=queue", "view=queue&sort=subject"] {
                #expect(Set(try await walk(list, as: admin, counted: 2)) == Set(queued), "\(list)")
            }
            let (_, _, lockedOnly) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine&status=closed_locked", token: token)
            #expect(((lockedOnly["items"] as? [[String: Any]]) ?? []).count == 2, "the locked ones can still be listed alone")

            let indexer = try #require(kit.indexer)
            for id in closed { try await indexer.reindex(try #require(UUID(uuidString: id))) }
            let (_, _, found) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine&status=closed&q=printer", token: token)
            #expect(Set(((found["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }) == Set(closed), "basic search in the tab")
        }
    }

    @Test("The brand dropdown offers the brands of the agent's departments and limits My Departments and the Queue, its count and its list, to the one chosen")
    func treeByBrand() async throws {
        try await TicketTestKit.run { client, kit in
            let (otherBrand, otherDepartment, otherGroup) = try await kit.otherBrandDepartment()
            let agent = try await kit.agent(handling: "pull")
            try await kit.identity("agent.membership_changed", [
                "groupID": otherGroup.lowercased, "departmentID": otherDepartment.lowercased, "userID": agent.lowercased, "ticketHandling": "pull",
                "excludedChannels": [String](), "ticketsActive": true,
            ])
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            _ = try await kit.submit(client, token: customer.token)
            for _ in 0..<2 {
                _ = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets", token: customer.token,
                    body: #"{"departmentID":"\#(otherDepartment.lowercased)","subject":"Acme","body":"x"}"#)
            }

            let (_, _, all) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: token)
            #expect((all["brands"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Acme", "Demo Co"])
            #expect((all["departments"] as? [[String: Any]])?.count == 2)
            #expect(all["queue"] as? Int == 3)
            let (_, _, acme) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views?brandID=\(otherBrand.lowercased)", token: token)
            #expect((acme["departments"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Acme Support"])
            #expect(acme["queue"] as? Int == 2, "the Queue of that brand's groups")
            #expect((acme["brands"] as? [[String: Any]])?.count == 2, "the dropdown still offers every brand")
            let (bad, headers, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views?brandID=acme", token: token)
            #expect(bad == .badRequest)
            #expect(headers[.contentType] == "application/problem+json")

            let (_, _, queue) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=queue&brandID=\(otherBrand.lowercased)", token: token)
            let listed = (queue["items"] as? [[String: Any]]) ?? []
            #expect(listed.count == 2 && listed.allSatisfy { $0["subject"] as? String == "Acme" }, "the Queue list shows what its count says")
            #expect((queue["counts"] as? [String: Any])?["active"] as? Int == 2)
            let (elsewhere, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine&brandID=\(otherBrand.lowercased)", token: token)
            #expect(elsewhere == .badRequest, "only the Queue is narrowed by brand")

            // An administrator, a member of no group, sees every group's Queue: the tree counts what the list shows.
            let admin = try await kit.administratorToken()
            for (brand, expected) in [("", 3), ("brandID=\(otherBrand.lowercased)", 2)] {
                let (_, _, tree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views?\(brand)", token: admin)
                let (_, _, list) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=queue&\(brand)", token: admin)
                #expect(tree["queue"] as? Int == expected, "the administrator's tree \(brand)")
                #expect((list["counts"] as? [String: Any])?["active"] as? Int == expected, "the administrator's Queue list \(brand)")
            }
        }
    }

    @Test("A view page writes each ticket exactly as the ticket reads by itself: ids, dates, escapes, follow-ups, priority, pin and status")
    func pageItemsAreTheTickets() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let admin = try await kit.administratorToken()
            let customer = try await kit.customer()
            var ids: [String] = []
            for subject in [#"Slash / back \\ quote \" ünïcødé 🖨"#, "Pinned and urgent", "Plain", "Closed"] {
                ids.append(try #require(try await kit.submit(client, token: customer.token, subject: subject)["id"] as? String))
            }
            let followUp = #"{"at":"2031-01-01T09:00:00Z","note":"Call \"back\" / soon","priority":"high","pin":true,"agentID":"\#(agent.lowercased)"}"#
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[0])/follow-up", token: token, body: followUp).0 == .ok)
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[1])/priority", token: token, body: #"{"priority":"urgent"}"#).0 == .ok)
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[1])/pin", token: token, body: #"{"pinned":true}"#).0 == .ok)
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[3])/status", token: token, body: #"{"status":"closed"}"#).0 == .ok)

            var listed = 0
            for status in ["active", "waiting", "closed"] {
                let (code, _, page) = try await TicketTestKit.send(
                    client, .get, "/api/v1/tickets?view=group&id=\(kit.frontLineID.lowercased)&status=\(status)", token: token)
                #expect(code == .ok)
                for item in (page["items"] as? [[String: Any]]) ?? [] {
                    let id = try #require(item["id"] as? String)
                    let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: admin)
                    #expect(NSDictionary(dictionary: item) == NSDictionary(dictionary: ticket), "\(id)")
                    listed += 1
                }
            }
            #expect(listed == 4)
        }
    }

    @Test("The Follow-ups list holds the agent's own scheduled follow-ups, soonest first, as many as the tree counts")
    func followUpsList() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            var ids: [String] = []
            for index in 0..<4 { ids.append(try #require(try await kit.submit(client, token: customer.token, subject: "F\(index)")["id"] as? String)) }
            for (id, at) in zip(ids.prefix(3), ["2031-03-01T09:00:00Z", "2031-01-01T09:00:00Z", "2031-02-01T09:00:00Z"]) {
                let (status, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/follow-up", token: token, body: #"{"at":"\#(at)"}"#)
                #expect(status == .ok)
            }

            var listed: [String] = []
            var cursor: String?
            repeat {
                let (status, _, page) = try await TicketTestKit.send(
                    client, .get, "/api/v1/tickets?view=followups&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
                #expect(status == .ok)
                listed += ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil && listed.count < 10
            #expect(listed == [ids[1], ids[2], ids[0]])
            let (_, _, tree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: token)
            #expect(tree["followUps"] as? Int == listed.count)
            let other = try await kit.secondGroupAgent()
            let (_, _, theirs) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=followups", token: other.token)
            #expect((theirs["items"] as? [[String: Any]])?.isEmpty == true, "each agent lists their own follow-ups")

            _ = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(ids[1])/follow-up", token: token)
            let (_, _, after) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=followups", token: token)
            #expect(((after["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == [ids[2], ids[0]])
        }
    }
}

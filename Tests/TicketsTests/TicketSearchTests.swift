import Database
import Fleet
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import PostgresNIO
import Search
import Testing
import TestSupport
import TicketsApp

@Suite("Ticket search", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketSearchTests {
    static func indexPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tickets-index-\(UUID().uuidString)").path
    }

    @Test("Text is ranked subject first, visibility filters inside the query, and a rebuilt index answers the same")
    func rankedAndVisible() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let level2 = UUID()
            try await kit.identity("group.created", ["id": level2.lowercased, "departmentID": kit.departmentID.lowercased, "name": "Level 2"])
            let outsider = try await kit.token(try await kit.agent(in: level2), roles: ["Agent"])
            let customer = try await kit.customer()
            let body = try #require(try await kit.submit(client, token: customer.token, subject: "Question about invoices")["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(body)/messages", token: customer.token, body: #"{"body":"The printer jams on every page."}"#)
            let subject = try #require(try await kit.submit(client, token: customer.token, subject: "Printer jams")["id"] as? String)
            let indexer = try #require(kit.indexer)
            for id in [body, subject] { try await indexer.reindex(try #require(UUID(uuidString: id))) }

            let (found, _, results) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=printer", token: token)
            #expect(found == .ok)
            let ranked = (results["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String }
            #expect(ranked == [subject, body], "the subject match ranks first")
            #expect(((results["items"] as? [[String: Any]])?.first?["snippet"] as? String)?.contains("<b>") == true)
            let (_, _, hidden) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=printer", token: outsider)
            #expect((hidden["items"] as? [[String: Any]])?.isEmpty == true, "another group's agent finds nothing")
            let (_, _, typo) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=priner", token: token)
            #expect(typo["suggestion"] as? String == "printer")
            let (_, _, outsiderTypo) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=priner", token: outsider)
            #expect(outsiderTypo["suggestion"] == nil, "a word only in tickets the agent cannot see is not suggested to them")
            let (customerSearch, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=printer", token: customer.token)
            #expect(customerSearch == .forbidden)

            try await indexer.index.destroy()
            let rebuilt = TicketIndexer(index: try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion), database: kit.database)
            #expect(await rebuilt.index.needsRebuild)
            try await rebuilt.rebuildIfNeeded(logger: Logger(label: "test"))
            let again = try await TicketSearch(index: rebuilt.index, database: kit.database).search(
                TicketSearchCriteria(text: "printer"), caller: try await kit.caller(agent, roles: ["Agent"]))
            #expect(again.items.map(\.ticket.id) == [subject, body])
            try await rebuilt.index.destroy()
        }
    }

    @Test("A ticket's text is stemmed in its department's language, and a search finds each language's tickets by other forms of their words")
    func stemmedInTheTicketsLanguage() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            let english = try #require(try await kit.submit(client, token: customer.token, subject: "The printers are on fire")["id"] as? String)
            try await kit.identity("department.updated", [
                "id": kit.departmentID.lowercased, "brandID": kit.brandID.lowercased, "name": "Support", "frontLineGroupID": kit.frontLineID.lowercased,
                "hiddenFromPortal": false, "language": "de", "version": 2,
            ])
            let german = try #require(try await kit.submit(client, token: customer.token, subject: "Die Drucker brennen")["id"] as? String)
            let indexer = try #require(kit.indexer)
            for id in [english, german] { try await indexer.reindex(try #require(UUID(uuidString: id))) }
            func found(_ text: String) async throws -> [String] {
                let (_, _, results) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=\(text)", token: token)
                return (results["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } ?? []
            }
            #expect(try await found("Druckern") == [german], "German stems: Druckern and Drucker are one word")
            #expect(try await found("printer") == [english], "English stems as before")
            try await indexer.index.destroy()
        }
    }

    @Test("A ticket merged into another leaves the index: a search finds the primary once and counts one")
    func mergedTicketsLeaveTheIndex() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let primary = try #require(try await kit.submit(client, token: customer.token, subject: "Scanner offline")["id"] as? String)
            let merged = try #require(try await kit.submit(client, token: customer.token, subject: "Scanner offline again")["id"] as? String)
            let position = try await kit.feedIndexFromOutbox()
            let (_, _, before) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=scanner", token: token)
            #expect(before["estimatedTotal"] as? Int == 2)

            let (status, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(primary)","ticketIDs":["\#(merged)"]}"#)
            #expect(status == .ok)
            try await kit.feedIndexFromOutbox(after: position)
            let (_, _, after) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=scanner", token: token)
            let found = (after["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String }
            #expect(found == [primary])
            #expect(after["estimatedTotal"] as? Int == 1, "the merged ticket's document is gone, not just skipped")
            try await kit.indexer?.index.destroy()
        }
    }

    /// A new index at `path` built from PostgreSQL by the rebuild (the batched path), as after a lost index.
    static func rebuiltIndex(at path: String, kit: TicketTestKit) async throws -> SearchIndex {
        let indexer = TicketIndexer(index: try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion), database: kit.database)
        try await indexer.rebuildIfNeeded(logger: Logger(label: "test"))
        return indexer.index
    }

    @Test("Deleted tickets are found only when asked for, and criteria without text are SQL")
    func deletedAndStructured() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let adminID = UUID()
            let admin = try await kit.token(adminID, roles: ["Administrator"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token, subject: "Broken keyboard")["id"] as? String)
            _ = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)", token: admin)
            try await kit.indexer?.reindex(try #require(UUID(uuidString: id)))
            let (_, _, normal) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=keyboard", token: admin)
            #expect((normal["items"] as? [[String: Any]])?.isEmpty == true)
            let (_, _, deleted) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=keyboard&include=deleted", token: admin)
            #expect((deleted["items"] as? [[String: Any]])?.count == 1)
            for path in ["text=keyboard&", ""] {
                let (_, _, byDeleter) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?\(path)deletedBy=\(adminID.lowercased)", token: admin)
                #expect((byDeleter["items"] as? [[String: Any]])?.count == 1, "found by the agent who deleted it (\(path.isEmpty ? "SQL" : "index"))")
                let (_, _, byOther) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?\(path)deletedBy=\(agent.lowercased)", token: admin)
                #expect((byOther["items"] as? [[String: Any]])?.isEmpty == true)
            }
            _ = try await kit.submit(client, token: customer.token, subject: "Another")
            _ = try await kit.submit(client, token: customer.token, subject: "A third")
            let (_, _, structured) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?status=active", token: token)
            #expect((structured["items"] as? [[String: Any]])?.count == 2)
            #expect(structured["estimatedTotal"] as? Int == 2)
            let (_, _, firstOnly) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?status=active&limit=1", token: token)
            #expect((firstOnly["items"] as? [[String: Any]])?.count == 1)
            #expect(firstOnly["estimatedTotal"] as? Int == 2, "a full page counts the matches beyond it")
            let (bad, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?status=solved", token: token)
            #expect(bad == .badRequest)
            try await kit.indexer?.index.destroy()
            let rebuilt = try await Self.rebuiltIndex(at: path, kit: kit)
            var onlyDeleted = TicketSearchCriteria(text: "keyboard")
            onlyDeleted.onlyDeleted = true
            let adminCaller = try await kit.caller(UUID(), roles: ["Administrator"])
            let search = TicketSearch(index: rebuilt, database: kit.database)
            #expect(try await search.search(onlyDeleted, caller: adminCaller).items.map(\.ticket.id) == [id])
            #expect(try await search.search(TicketSearchCriteria(text: "keyboard"), caller: adminCaller).items.isEmpty)
            try await rebuilt.destroy()
        }
    }

    @Test("Later pages of a search follow its first: offset walks every match once, with text and without, and an offset past the deepest page is a 400")
    func laterPages() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            var submitted: [String] = []
            for subject in ["Monitor flickers", "Monitor stays dark", "Monitor cable lost"] {
                submitted.append(try #require(try await kit.submit(client, token: customer.token, subject: subject)["id"] as? String))
            }
            for id in submitted { try await kit.indexer?.reindex(try #require(UUID(uuidString: id))) }
            func ids(_ body: [String: Any]) -> [String] {
                (body["items"] as? [[String: Any]] ?? []).compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String }
            }
            for criteria in ["text=monitor", "status=active"] {
                let (_, _, first) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?\(criteria)&limit=2", token: token)
                let (_, _, second) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?\(criteria)&limit=2&offset=2", token: token)
                #expect(ids(first).count == 2 && ids(second).count == 1, "\(criteria): two pages of two and one")
                #expect(Set(ids(first) + ids(second)) == Set(submitted), "\(criteria): the pages hold every match once")
                #expect(second["estimatedTotal"] as? Int == 3, "\(criteria): a later page still counts every match")
                let (_, _, past) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?\(criteria)&limit=2&offset=5", token: token)
                #expect(ids(past).isEmpty && past["estimatedTotal"] as? Int == 3, "\(criteria): a page past the end is empty and counts the matches")
            }
            let (_, _, newest) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?status=active&limit=1&offset=1", token: token)
            #expect(ids(newest) == [submitted[1]], "without text the pages go newest first")
            for offset in ["-1", "many", "9999"] {
                let (status, headers, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?status=active&limit=2&offset=\(offset)", token: token)
                #expect(status == .badRequest && headers[.contentType] == "application/problem+json", "offset \(offset)")
            }
            try await kit.indexer?.index.destroy()
        }
    }

    @Test("Custom field values and date ranges are criteria; basic search ranks inside a view")
    func criteriaAndBasicSearch() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let admin = try await kit.administratorToken()
            let fieldID = try await kit.referrerField(client, admin: admin)
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            var ids: [String] = []
            for (subject, referrer) in [("Printer jams", "TV"), ("Printer offline", "Magazine"), ("Scanner", "TV")] {
                let (_, _, ticket) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets", token: customer.token,
                    body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"\#(subject)","body":"Help","customFields":{"\#(fieldID)":"\#(referrer)"}}"#)
                let id = try #require(ticket["id"] as? String)
                ids.append(id)
                try await kit.indexer?.reindex(try #require(UUID(uuidString: id)))
            }
            let (_, _, byField) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?field.\(fieldID)=tv", token: token)
            #expect(Set((byField["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } ?? []) == [ids[0], ids[2]])
            let (_, _, textAndField) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=printer&field.\(fieldID)=TV", token: token)
            #expect((textAndField["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } == [ids[0]])
            let (_, _, inBrand) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=printer&brandID=\(kit.brandID.lowercased)", token: token)
            #expect((inBrand["items"] as? [[String: Any]])?.count == 2)
            let (_, _, otherBrand) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=printer&brandID=\(UUID().lowercased)", token: token)
            #expect((otherBrand["items"] as? [[String: Any]])?.isEmpty == true, "the brand is a filter inside the query")
            let (_, _, structuredBrand) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?status=active&brandID=\(UUID().lowercased)", token: token)
            #expect((structuredBrand["items"] as? [[String: Any]])?.isEmpty == true)
            let tomorrow = Date().addingTimeInterval(86_400).formatted(.iso8601.year().month().day())
            let (_, _, future) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?status=active&from=\(tomorrow)", token: token)
            #expect((future["items"] as? [[String: Any]])?.isEmpty == true)
            let (_, _, basic) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine&q=printer", token: token)
            #expect(Set((basic["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []) == [ids[0], ids[1]])
            try await kit.indexer?.index.destroy()
            let rebuilt = try await Self.rebuiltIndex(at: path, kit: kit)
            var printerOnTV = TicketSearchCriteria(text: "printer")
            printerOnTV.fields = [fieldID: "TV"]
            let again = try await TicketSearch(index: rebuilt, database: kit.database).search(printerOnTV, caller: try await kit.caller(agent, roles: ["Agent"]))
            #expect(again.items.map(\.ticket.id) == [ids[0]], "the batched rebuild indexes custom field values as reindexing one ticket does")
            try await rebuilt.destroy()
        }
    }

    @Test("An unchecked checkbox criterion finds the tickets that never had a value too, with text and without; include takes only deleted")
    func uncheckedCheckboxes() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let admin = try await kit.administratorToken()
            let fieldID = try await kit.soleTemplateField(client, admin: admin, definition: #"{"name":"Call back","dataType":"checkbox","options":[]}"#)
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            var ids: [String] = []
            for (subject, fields) in [("Printer ticked", #"{"\#(fieldID)":"true"}"#), ("Printer unticked", #"{"\#(fieldID)":"false"}"#), ("Printer untouched", "{}")] {
                let (status, _, ticket) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets", token: customer.token,
                    body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"\#(subject)","body":"Help","customFields":\#(fields)}"#)
                #expect(status == .created)
                let id = try #require(ticket["id"] as? String)
                ids.append(id)
                try await kit.indexer?.reindex(try #require(UUID(uuidString: id)))
            }
            func found(_ query: String) async throws -> Set<String> {
                let (status, _, body) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?\(query)", token: token)
                #expect(status == .ok, "\(query)")
                return Set((body["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } ?? [])
            }
            #expect(try await found("field.\(fieldID)=true") == [ids[0]])
            #expect(try await found("field.\(fieldID)=false") == [ids[1], ids[2]], "a box never ticked shows unchecked")
            #expect(try await found("text=printer&field.\(fieldID)=FALSE") == [ids[1], ids[2]], "and the index agrees")
            #expect(try await found("text=printer&field.\(fieldID)=true") == [ids[0]])
            let (refused, headers, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=printer&include=everything", token: token)
            #expect(refused == .badRequest && headers[.contentType] == "application/problem+json", "include names only deleted items")
            try await kit.indexer?.index.destroy()
        }
    }

    @Test("Basic search in Recent, Recently Transferred and Follow-ups looks through those lists' own tickets, whatever their status unless Recent's tab names one")
    func basicSearchInPersonalLists() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let level2 = try await kit.secondGroupAgent().group
            let customer = try await kit.customer()
            var ids: [String] = []
            for subject in ["Printer jams", "Printer offline", "Printer toner"] {
                ids.append(try #require(try await kit.submit(client, token: customer.token, subject: subject)["id"] as? String))
            }
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[0])/priority", token: token, body: #"{"priority":"high"}"#)
            let due = Date().addingTimeInterval(3_600).formatted(.iso8601)
            let (scheduled, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(ids[2])/follow-up", token: token, body: #"{"at":"\#(due)","note":"Call back"}"#)
            #expect(scheduled == .ok, "the follow-up leaves the ticket Waiting")
            let (transferred, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ids[0])/transfer", token: try await kit.administratorToken(), body: #"{"groupID":"\#(level2.lowercased)"}"#)
            #expect(transferred == .ok)
            let (noted, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ids[0])/comments", token: try await kit.administratorToken(), body: #"{"body":"Legal says: lawsuit pending"}"#)
            #expect(noted == .created)
            for id in ids { try await kit.indexer?.reindex(try #require(UUID(uuidString: id))) }
            let (_, _, hidden) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=recently_transferred&q=lawsuit", token: token)
            #expect((hidden["items"] as? [[String: Any]])?.isEmpty == true, "a ticket now in another group is found by its subject only")

            let expected: [(String, Set<String>)] = [("recent", [ids[0], ids[2]]), ("recently_transferred", [ids[0]]), ("followups", [ids[2]])]
            for (view, found) in expected {
                let (status, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=\(view)&q=printer", token: token)
                #expect(status == .ok, "\(view)")
                #expect(Set((page["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []) == found, "\(view)")
            }
            for (tab, found) in [("active", [ids[0]]), ("waiting", [ids[2]]), ("closed", [])] {
                let (_, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=recent&status=\(tab)&q=printer", token: token)
                #expect((page["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == found, "Recent's \(tab) tab")
            }
            try await kit.indexer?.index.destroy()
        }
    }

    @Test("A basic search inside a view shows the values of the Visible Fields, as the view's own page does")
    func basicSearchShowsVisibleFields() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let admin = try await kit.administratorToken()
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let fieldID = try await kit.referrerField(client, admin: admin)
            let customer = try await kit.customer()
            let (_, _, created) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Printer jams","body":"x","customFields":{"\#(fieldID)":"TV"}}"#)
            let id = try #require(created["id"] as? String)
            try await kit.indexer?.reindex(try #require(UUID(uuidString: id)))
            let (status, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine&q=printer&fields=\(fieldID)", token: token)
            #expect(status == .ok, "\(page)")
            #expect((page["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            #expect(page["fieldValues"] as? [String: [String: String]] == [id: [fieldID: "TV"]])
            let (bad, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine&q=printer&fields=referrer", token: token)
            #expect(bad == .badRequest, "a malformed choice is refused in a search too")
            try await kit.indexer?.index.destroy()
        }
    }

    @Test("A text search's date range filters inside the index query (a bare end date includes its day), every word must match, and a ticket number combines with the other criteria and with deleted items")
    func dateRangeAndNumber() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let admin = try await kit.administratorToken()
            let customer = try await kit.customer()
            var tickets: [[String: Any]] = []
            for subject in ["Printer printer printer jam", "Printer printer jam", "Printer"] {
                tickets.append(try await kit.submit(client, token: customer.token, subject: subject))
            }
            let ids = tickets.compactMap { $0["id"] as? String }
            let numbers = tickets.compactMap { $0["number"] as? String }
            _ = try await kit.count("""
                WITH old AS (UPDATE {schema}.tickets SET created_at = now() - interval '10 days' WHERE id IN ('\(ids[0])', '\(ids[1])') RETURNING 1)
                SELECT count(*)::int FROM old
                """)
            for id in ids { try await kit.indexer?.reindex(try #require(UUID(uuidString: id))) }
            let since = Date().addingTimeInterval(-5 * 86_400).formatted(.iso8601.year().month().day())
            let (_, _, recent) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=printer&from=\(since)&limit=1", token: admin)
            #expect((recent["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } == [ids[2]],
                    "the better-ranked older tickets do not take the only place")

            func found(_ query: String) async throws -> [String] {
                let (_, _, result) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?\(query)", token: admin)
                return (result["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } ?? []
            }
            let today = Date().formatted(.iso8601.year().month().day())
            #expect(try await found("text=printer&to=\(today)").contains(ids[2]), "a bare end date includes its day")
            #expect(try await found("status=active&to=\(today)").contains(ids[2]))
            #expect(Set(try await found("text=printer%20jam")) == [ids[0], ids[1]], "advanced search finds the tickets with every word")
            #expect(Set(try await found("text=printer%20OR%20jam")) == Set(ids), "an OR the agent writes finds either")
            #expect(try await found("number=\(numbers[2])&status=active") == [ids[2]])
            #expect(try await found("number=\(numbers[2])&status=closed").isEmpty, "the number no longer ignores the other criteria")
            #expect(try await found("number=\(numbers[2])&text=printer") == [ids[2]])
            #expect(try await found("number=\(numbers[2])&text=scanner").isEmpty)
            _ = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(ids[0])", token: admin)
            #expect(try await found("number=\(numbers[0])").isEmpty)
            #expect(try await found("number=\(numbers[0])&include=deleted") == [ids[0]], "Only deleted items finds a deleted ticket by its number")
            try await kit.indexer?.index.destroy()
        }
    }

    @Test("Tickets are found by their customer's name or username, whatever address they now carry, with text through the index and without it in SQL")
    func byCustomerNameOrUsername() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let lee = try await kit.customer()
            let sam = try await kit.customer()
            let leeAddress = "customer-\(lee.id.lowercased.prefix(6))@customer.example"
            try await kit.identity("user.created", ["userID": lee.id.lowercased, "email": leeAddress, "displayName": "Lee Morgan"])
            try await kit.identity("user.created", ["userID": sam.id.lowercased, "email": "customer-\(sam.id.lowercased.prefix(6))@customer.example", "displayName": "Sam Park"])
            let leeTicket = try #require(try await kit.submit(client, token: lee.token, subject: "Printer jam")["id"] as? String)
            let samTicket = try #require(try await kit.submit(client, token: sam.token, subject: "Printer smoke")["id"] as? String)
            for id in [leeTicket, samTicket] { try await kit.indexer?.reindex(try #require(UUID(uuidString: id))) }
            func found(_ query: String) async throws -> [String] {
                let (status, _, body) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?\(query)", token: token)
                #expect(status == .ok)
                return (body["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } ?? []
            }
            #expect(try await found("customer=morgan") == [leeTicket])
            #expect(try await found("customer=\(leeAddress.uppercased())") == [leeTicket], "the username is the sign-in address, any case")
            #expect(try await found("text=printer&customer=lee") == [leeTicket])
            #expect(try await found("text=printer") .count == 2)
            #expect(try await found("customer=nobody").isEmpty)
            #expect(try await found("customer=%25").isEmpty, "a wildcard is a character, not everyone")
            try await kit.identity("user.updated", ["userID": sam.id.lowercased, "email": "customer-\(sam.id.lowercased.prefix(6))@customer.example", "displayName": "Sam Morgan"])
            #expect(Set(try await found("customer=morgan")) == [leeTicket, samTicket], "a renamed customer is found by the new name")
            let (changed, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(leeTicket)/email", token: try await kit.administratorToken(), body: #"{"email":"lee@new.example"}"#)
            #expect(changed == .ok)
            try await kit.indexer?.reindex(try #require(UUID(uuidString: leeTicket)))
            #expect(try await found("customer=lee") == [leeTicket], "Lee's ticket under another address is still Lee's, without text")
            #expect(try await found("text=printer&customer=lee") == [leeTicket], "and through the index")
            try await kit.indexer?.index.destroy()
        }
    }

    @Test("An Email Address search finds the tickets a customer shares after a merge into another's, with text through the index and without it in SQL")
    func emailFindsSharedTickets() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (owner, sharer) = (try await kit.customer(), try await kit.customer())
            let primary = try #require(try await kit.submit(client, token: owner.token, subject: "Printer jam")["id"] as? String)
            let merged = try #require(try await kit.submit(client, token: sharer.token, subject: "Printer jam again")["id"] as? String)
            let (done, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(primary)","ticketIDs":["\#(merged)"]}"#)
            #expect(done == .ok)
            try await kit.indexer?.reindex(try #require(UUID(uuidString: primary)))
            let sharerAddress = "customer-\(sharer.id.lowercased.prefix(6))@customer.example".uppercased()
            func found(_ query: String) async throws -> [String] {
                let (status, _, body) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?\(query)", token: token)
                #expect(status == .ok)
                return (body["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } ?? []
            }
            #expect(try await found("email=\(sharerAddress)") == [primary], "without text: SQL")
            #expect(try await found("text=printer&email=\(sharerAddress)") == [primary], "with text: the index")
            #expect(try await found("email=nobody@customer.example").isEmpty)
            try await kit.indexer?.index.destroy()
        }
    }

    @Test("Similar resolved tickets are found by the new ticket's subject or the agent's own terms, with the resolution as snippet")
    func similarResolved() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let old = try #require(try await kit.submit(client, token: customer.token, subject: "Printer shows error 42")["id"] as? String)
            _ = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(old)/comments", token: token, body: #"{"type":"resolution","body":"Error 42: replace the printer fuser."}"#)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(old)/status", token: token, body: #"{"status":"closed"}"#)
            let unresolved = try #require(try await kit.submit(client, token: customer.token, subject: "Printer error again")["id"] as? String)
            let new = try #require(try await kit.submit(client, token: customer.token, subject: "Printer error 42 today")["id"] as? String)
            for id in [old, unresolved, new] { try await kit.indexer?.reindex(try #require(UUID(uuidString: id))) }
            let (found, _, similar) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(new)/similar", token: token)
            #expect(found == .ok)
            let items = (similar["items"] as? [[String: Any]]) ?? []
            #expect(items.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } == [old], "only resolved tickets, not itself")
            #expect((items.first?["snippet"] as? String)?.contains("fuser") == true)
            let (_, _, refined) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(unresolved)/similar?q=fuser", token: token)
            #expect(
                (refined["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } == [old],
                "the agent's own terms find the resolution the subject would not")
            let (_, _, bySubject) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(unresolved)/similar?q=toner", token: token)
            #expect((bySubject["items"] as? [[String: Any]])?.isEmpty == true)
            let (_, _, narrowed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(unresolved)/similar?q=fuser%20toner", token: token)
            #expect((narrowed["items"] as? [[String: Any]])?.isEmpty == true, "each word the agent adds narrows the list")

            let another = try #require(try await kit.submit(client, token: customer.token, subject: "Printer error 42 on tray 2")["id"] as? String)
            _ = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(another)/comments", token: token, body: #"{"type":"resolution","body":"Error 42: reseat tray 2."}"#)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(another)/status", token: token, body: #"{"status":"closed"}"#)
            try await kit.indexer?.reindex(try #require(UUID(uuidString: another)))
            let (_, _, both) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(new)/similar", token: token)
            #expect((both["items"] as? [[String: Any]])?.count == 2)
            let (_, _, one) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(new)/similar?limit=1", token: token)
            #expect((one["items"] as? [[String: Any]])?.count == 1, "the agent asks for fewer, or more up to 50")
            let (tooMany, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(new)/similar?limit=51", token: token)
            #expect(tooMany == .badRequest)
            try await kit.indexer?.index.destroy()
        }
    }

    @Test("A subject in capitals finds similar tickets by its words; search syntax that does not parse, over-long text, a reversed range and unknown fields answer clearly")
    func plainSubjectsAndBadCriteria() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let old = try #require(try await kit.submit(client, token: customer.token, subject: "Printer not printing")["id"] as? String)
            _ = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(old)/comments", token: token, body: #"{"type":"resolution","body":"Cleaned the print head."}"#)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(old)/status", token: token, body: #"{"status":"closed"}"#)
            let new = try #require(try await kit.submit(client, token: customer.token, subject: "PRINTER NOT PRINTING")["id"] as? String)
            for id in [old, new] { try await kit.indexer?.reindex(try #require(UUID(uuidString: id))) }

            let (_, _, similar) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(new)/similar", token: token)
            #expect(
                (similar["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } == [old],
                "NOT in a subject is a word, not an operator that drops every ticket about printing")
            for broken in ["printer%20AND", "OR%20printer", "printer%20NOT"] {
                let (status, _, body) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=\(broken)", token: token)
                #expect(status == .ok, "\(broken)")
                #expect(((body["items"] as? [[String: Any]]) ?? []).isEmpty == false, "\(broken) searches its words")
            }
            let long = String(repeating: "printer ", count: 70)
            let refusals: [(String, HTTPResponse.Status)] = [
                ("/api/v1/tickets/search?text=\(long.replacingOccurrences(of: " ", with: "%20"))", .badRequest),
                ("/api/v1/tickets?view=mine&q=\(long.replacingOccurrences(of: " ", with: "%20"))", .badRequest),
                ("/api/v1/tickets?view=recent&q=\(long.replacingOccurrences(of: " ", with: "%20"))", .badRequest),
                ("/api/v1/tickets/search?from=2026-12-02&to=2026-12-01", .badRequest),
                ("/api/v1/tickets/search?field.\(UUID().uuidString.lowercased())=TV", .unprocessableContent),
            ]
            for (uri, expected) in refusals {
                let (status, headers, _) = try await TicketTestKit.send(client, .get, uri, token: token)
                #expect(status == expected && headers[.contentType] == "application/problem+json", "\(uri.prefix(60))")
            }
            try await kit.indexer?.index.destroy()
        }
    }

    @Test("A search keeps the tickets it loaded for the index version that found them, and reads them again after the next commit")
    func ticketsKeptPerIndexVersion() async throws {
        let path = Self.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let agent = try await kit.agent()
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token, subject: "Printer jams")["id"] as? String)
            let indexer = try #require(kit.indexer)
            try await indexer.reindex(try #require(UUID(uuidString: id)))
            let search = TicketSearch(index: SearchReaders(path: path, count: 1), database: kit.database, keptFor: .seconds(600))
            let caller = try await kit.caller(agent, roles: ["Agent"])
            func subjects() async throws -> [String] {
                try await search.search(TicketSearchCriteria(text: "printer"), caller: caller).items.map(\.ticket.subject)
            }
            #expect(try await subjects() == ["Printer jams"])

            // Behind the index's back (no event): the index version is the same, so the kept ticket answers.
            try await rename(id, "Printer jams again", in: kit)
            #expect(try await subjects() == ["Printer jams"], "no PostgreSQL read while the index is unchanged")

            // A change is an event that re-indexes the ticket: the commit's new version reads it again.
            try await indexer.reindex(try #require(UUID(uuidString: id)))
            #expect(try await subjects() == ["Printer jams again"])

            let uncached = TicketSearch(index: SearchReaders(path: path, count: 1), database: kit.database, keptTickets: 0)
            try await rename(id, "Printer fixed", in: kit)
            #expect(try await uncached.search(TicketSearchCriteria(text: "printer"), caller: caller).items.map(\.ticket.subject) == ["Printer fixed"])
            try await indexer.index.destroy()
        }
    }

    /// Changes a ticket's subject in PostgreSQL only, as no route would: no event, so the index does not hear of it.
    private func rename(_ id: String, _ subject: String, in kit: TicketTestKit) async throws {
        var binds = PostgresBindings()
        binds.append(subject)
        binds.append(UUID(uuidString: id))
        try await kit.database.client.query(
            PostgresQuery(unsafeSQL: "UPDATE \(kit.database.table("tickets")) SET subject = $1 WHERE id = $2", binds: binds), logger: kit.database.logger
        ).consume()
    }
}

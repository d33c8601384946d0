import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import Testing
import TestSupport
import TicketsApp

@Suite("Forms sent on tickets", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct FormTests {
    static func input(_ json: String) throws -> FormInput {
        try JSONDecoder().decode(FormInput.self, from: Data(json.utf8))
    }

    static let serverForm = #"""
        {"name":"Server access","linkText":"Server access form","emailIntroduction":"<p>Please tell us how to reach it: #FormLink#</p><script>x</script>",
         "fields":[{"type":"header","label":"Your server"},{"id":"host","type":"shortResponse","label":"Host name","required":true},
                   {"id":"os","type":"singleSelection","label":"System","options":["Linux","Windows"],"required":true},
                   {"id":"ports","type":"multipleSelection","label":"Open ports","options":["22","80","443"]},
                   {"id":"contact","type":"emailAddress","label":"Contact"},{"id":"docs","type":"link","label":"Runbook"},
                   {"id":"backup","type":"yesNo","label":"Backed up?"},{"id":"consent","type":"checkbox","label":"You may log in","required":true}]}
        """#

    @Test("A form needs a name and #FormLink# in both introductions; selections need their choices; only questions are required")
    func definitionRules() throws {
        let form = try FormRules.definition(from: try Self.input(Self.serverForm), id: "f", version: 1)
        #expect(form.emailIntroduction == "<p>Please tell us how to reach it: #FormLink#</p>", "made safe")
        #expect(form.chatIntroduction.contains(FormRules.linkVariable) && form.thankYouHeader == "Thank You", "documented defaults")
        #expect(form.fields.map(\.id) == ["field1", "host", "os", "ports", "contact", "docs", "backup", "consent"])
        let bad = #"""
            {"name":" ","chatIntroduction":"Fill it out","emailIntroduction":"<p>no link</p>",
             "fields":[{"type":"singleSelection","label":"Pick"},{"type":"header","label":"Top","required":true},
                       {"id":"a","type":"shortResponse","label":"A","options":["x"]},{"id":"a","type":"longResponse","label":"B"}]}
            """#
        let problem = try #require(throws: Problem.self) { try FormRules.definition(from: try Self.input(bad), id: "f", version: 1) }
        #expect(Set(problem.errors.map(\.field)) == [
            "name", "chatIntroduction", "emailIntroduction", "fields[0].options", "fields[1].required", "fields[2].options", "fields[3].id",
        ])
    }

    @Test("Answers are checked by their field's type: required ones given, choices from the list, addresses and links well formed")
    func answerRules() throws {
        let form = try FormRules.definition(from: try Self.input(Self.serverForm), id: "f", version: 1)
        let good: [String: FormAnswer] = [
            "host": .text(" db1.example.com "), "os": .text("Linux"), "ports": .choices(["443", "22"]), "contact": .text("Ops@Example.com"),
            "docs": .text("https://wiki.example.com/db1"), "backup": .flag(false), "consent": .flag(true),
        ]
        let kept = try FormAnswerRules.checked(good, for: form)
        #expect(kept["host"] == .text("db1.example.com"))
        #expect(kept["ports"] == .choices(["22", "443"]), "in the form's order")
        #expect(kept["backup"] == .flag(false), "a No is an answer")
        let bad: [String: FormAnswer] = [
            "os": .text("BeOS"), "ports": .choices(["8080"]), "contact": .text("not an address"), "docs": .text("ftp://x"),
            "consent": .flag(false), "field1": .text("x"), "backup": .text("yes"),
        ]
        let problem = try #require(throws: Problem.self) { try FormAnswerRules.checked(bad, for: form) }
        #expect(Set(problem.errors.map(\.field)) == [
            "answers.host", "answers.os", "answers.ports", "answers.contact", "answers.docs", "answers.consent", "answers.field1", "answers.backup",
        ])
    }

    @Test("Send Form puts the form's link in the reply; the customer fills it out once, the ticket is Active again with a comment, and agents see it on the Forms tab")
    func sendAndComplete() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            #expect(try await TicketTestKit.send(client, .post, "/api/v1/tickets/forms", token: token, body: Self.serverForm).0 == .forbidden)
            let (created, headers, form) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/forms", token: admin, body: Self.serverForm)
            #expect(created == .created && headers[.eTag] == "\"1\"")
            let formID = try #require(form["id"] as? String)
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/forms", token: token).0 == .ok, "agents list forms to send one")

            let customer = try await kit.customer()
            let ticketID = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let replies = "/api/v1/tickets/\(ticketID)/replies"
            let unlinked = try await TicketTestKit.send(
                client, .post, replies, token: token, body: #"{"body":"Please fill it out.","formID":"\#(formID)","sendVariant":"waiting"}"#)
            #expect(unlinked.0 == .unprocessableContent)
            let unknown = try await TicketTestKit.send(
                client, .post, replies, token: token, body: ##"{"body":"#FormLink#","formID":"\##(UUID().lowercased)","sendVariant":"waiting"}"##)
            #expect(unknown.0 == .unprocessableContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.sent_forms") == 0)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.messages WHERE direction = 'out'") == 0, "nothing written")

            let (composed, _, composition) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticketID)/compose?formID=\(formID)", token: token)
            let introduction = try #require(composition["bodyHTML"] as? String)
            #expect(composed == .ok && composition["formID"] as? String == formID && introduction.contains(FormRules.linkVariable))
            let edited = introduction.replacingOccurrences(of: "Please tell us", with: "Hi, as we discussed, please tell us")
            let reply = String(decoding: try JSONSerialization.data(withJSONObject: ["bodyHTML": edited, "formID": formID, "sendVariant": "waiting"]), as: UTF8.self)
            let sent = try await TicketTestKit.send(client, .post, replies, token: token, body: reply)
            #expect(sent.0 == .created && sent.2["status"] as? String == "waiting")
            let html = try await Self.text(kit, "SELECT body_html FROM {schema}.messages WHERE direction = 'out'")
            let link = try #require(html.firstMatch(of: /href="https?:\/\/[^\/"]+(\/api\/v1\/tickets\/sent-forms\/[0-9a-f-]+\?code=[0-9a-f]+)">Server access form<\/a>/))
            let path = String(link.1)
            #expect(!html.contains(FormRules.linkVariable) && html.contains("Hi, as we discussed"), "the agent's edited introduction")
            #expect(try await kit.eventTypes().contains("ticket.form_sent"))

            let edit = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/forms/\(formID)", token: admin, ifMatch: "\"1\"",
                body: Self.serverForm.replacingOccurrences(of: "\"Server access\"", with: "\"Renamed\""))
            #expect(edit.0 == .ok && edit.2["name"] as? String == "Renamed")

            let forged = path.replacing(/code=[0-9a-f]+/, with: "code=" + String(repeating: "0", count: 32))
            #expect(try await TicketTestKit.send(client, .get, forged, token: nil).0 == .notFound)
            let (opened, _, page) = try await TicketTestKit.send(client, .get, path, token: nil)
            #expect(opened == .ok && page["name"] as? String == "Server access", "the copy keeps the form it was sent as")
            #expect((page["fields"] as? [Any])?.count == 8 && page["completedAt"] == nil)

            let wrong = try await TicketTestKit.send(client, .post, path, token: nil, body: #"{"answers":{"host":"db1","os":"BeOS","consent":true}}"#)
            #expect(wrong.0 == .unprocessableContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.sent_forms WHERE completed_at IS NOT NULL") == 0)
            let answers = #"{"answers":{"host":"db1.example.com","os":"Linux","ports":["443"],"consent":true}}"#
            let (done, _, thanks) = try await TicketTestKit.send(client, .post, path, token: nil, body: answers)
            #expect(done == .created && thanks["thankYouHeader"] as? String == "Thank You" && thanks["completedAt"] != nil)
            #expect(try await TicketTestKit.send(client, .post, path, token: nil, body: answers).0 == .conflict, "filled out once")

            let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticketID)", token: token)
            #expect(ticket["status"] as? String == "active", "a completed form makes the ticket Active again")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.comments WHERE body LIKE 'Form \"Server access\" completed on %'") == 1)
            let events = try await kit.eventTypes()
            #expect(events.contains("ticket.form_completed"))
            #expect(events.suffix(from: events.lastIndex(of: "ticket.form_completed") ?? 0).contains("ticket.comment_added"),
                    "the comment it adds is told as every comment is, for rules on Ticket Comment Added")
            let (listed, _, tab) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticketID)/forms", token: token)
            #expect(listed == .ok && tab["completed"] as? Int == 1)
            let item = try #require((tab["items"] as? [[String: Any]])?.first)
            #expect((item["answers"] as? [String: Any])?["ports"] as? [String] == ["443"])
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticketID)/forms", token: customer.token).0 == .notFound)
        }
    }

    @Test("Insert Form on an agent's new ticket links its first message to the form; incoming tickets and customers cannot, and a failed one writes nothing")
    func insertFormOnANewTicket() async throws {
        try await TicketTestKit.run { client, kit in
            let (_, _, form) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/forms", token: try await kit.administratorToken(), body: Self.serverForm)
            let formID = try #require(form["id"] as? String)
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let department = kit.departmentID.lowercased
            let refused: [(String, String?, HTTPResponse.Status)] = [
                (##"{"departmentID":"\##(department)","subject":"Access","body":"No link here","customerEmail":"lee@customer.example","formID":"\##(formID)"}"##,
                 token, .unprocessableContent),
                (##"{"departmentID":"\##(department)","subject":"Access","body":"#FormLink#","customerEmail":"lee@customer.example","formID":"\##(formID)","incoming":true}"##,
                 token, .unprocessableContent),
                (##"{"departmentID":"\##(department)","subject":"Access","body":"#FormLink#","formID":"\##(formID)"}"##, try await kit.customer().token, .forbidden),
            ]
            for (body, caller, expected) in refused {
                #expect(try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: caller, body: body).0 == expected, "\(body)")
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0, "nothing written")

            let (created, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: token,
                body: ##"{"departmentID":"\##(department)","subject":"Access","body":"Please fill out #FormLink# for us.","customerEmail":"lee@customer.example","formID":"\##(formID)"}"##)
            #expect(created == .created)
            let id = try #require(ticket["id"] as? String)
            let html = try await Self.text(kit, "SELECT body_html FROM {schema}.messages WHERE ticket_id = '\(id)'")
            #expect(html.contains("/api/v1/tickets/sent-forms/") && html.contains(">Server access form</a>") && !html.contains(FormRules.linkVariable))
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.sent_forms WHERE ticket_id = '\(id)'") == 1)
            #expect(try await kit.eventTypes().contains("ticket.form_sent"))
        }
    }

    @Test("A form filled out on a Closed and Locked ticket leaves it locked, with its comment")
    func lockedStaysLocked() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let formID = try #require(
                try await TicketTestKit.send(client, .post, "/api/v1/tickets/forms", token: admin, body: #"{"name":"Serial","fields":[]}"#).2["id"] as? String)
            let ticketID = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let sent = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ticketID)/replies", token: token,
                body: #"{"body":"Here: #FormLink#","formID":"\#(formID)","sendVariant":"closed_locked"}"#)
            #expect(sent.0 == .created && sent.2["status"] as? String == "closed_locked")
            let text = try await Self.text(kit, "SELECT body_text FROM {schema}.messages WHERE direction = 'out'")
            let path = String(try #require(text.firstMatch(of: /(\/api\/v1\/tickets\/sent-forms\/[0-9a-f-]+\?code=[0-9a-f]+)/)).1)
            #expect(try await TicketTestKit.send(client, .post, path, token: nil, body: #"{"answers":{}}"#).0 == .created)
            let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticketID)", token: token)
            #expect(ticket["status"] as? String == "closed_locked")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.comments WHERE body LIKE 'Form \"Serial\" completed on %'") == 1)
        }
    }

    static func text(_ kit: TicketTestKit, _ sql: String) async throws -> String {
        let rows = try await kit.database.client.query(PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: "{schema}", with: kit.database.schema)))
        for try await value in rows.decode(String.self) { return value }
        return ""
    }
}

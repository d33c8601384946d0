import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Tickets agents create", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct AgentCreatedTicketTests {
    static func newActive(_ kit: TicketTestKit, _ agent: UUID) async throws -> Int {
        try await kit.count("SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(agent.lowercased)'")
    }

    @Test("An agent's new ticket is theirs, counts toward their Max Tickets when Active, is in their Recent list, and its first message goes to To, Cc and Bcc with their signature")
    func outboundTicket() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"], email: "kim@demo.localhost")
            let admin = try await kit.administratorToken()
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/signatures", token: admin, body: #"{"html":"<p>The support team</p>"}"#)
            let (status, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: token,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"Your order","body":"It ships today.","status":"active","to":["lee@customer.example","ops@customer.example"],"cc":["boss@customer.example"],"bcc":["audit@demo.localhost"]}"#)
            #expect(status == .created)
            #expect(ticket["agentID"] as? String == agent.lowercased)
            #expect(ticket["status"] as? String == "active")
            #expect(try await Self.newActive(kit, agent) == 1, "an Active ticket assigned directly counts as a ticket received")
            let id = try #require(ticket["id"] as? String)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let message = try #require((timeline["items"] as? [[String: Any]])?.first?["message"] as? [String: Any])
            #expect(message["direction"] as? String == "out")
            #expect(message["from"] as? String == "kim@demo.localhost")
            #expect(message["to"] as? [String] == ["lee@customer.example", "ops@customer.example"])
            #expect(message["cc"] as? [String] == ["boss@customer.example"])
            #expect(message["bcc"] as? [String] == ["audit@demo.localhost"])
            #expect((message["bodyText"] as? String)?.hasSuffix("The support team") == true, "the signature every reply carries")
            let (_, _, recent) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=recent", token: token)
            #expect((recent["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id], "a ticket the agent opened is one they touched (Recent)")

            let (_, _, closed) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: token, body: #"{"status":"closed"}"#)
            #expect(closed["status"] as? String == "closed")
            #expect(try await Self.newActive(kit, agent) == 0, "the count is released when it leaves Active")
        }
    }

    @Test("Add Time Log in the new-ticket window logs the agent's time with the ticket; bad minutes or a retired category are a 422 that writes no ticket")
    func timeLogWithTheTicket() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let admin = try await kit.administratorToken()
            let (_, _, category) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/time-log-categories", token: admin, body: #"{"name":"Phone"}"#)
            let categoryID = try #require(category["id"] as? String)
            func create(_ timeLog: String) async throws -> (HTTPResponse.Status, [String: Any]) {
                let (status, _, body) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets", token: token,
                    body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"Call","body":"As discussed.","timeLog":\#(timeLog)}"#)
                return (status, body)
            }
            let (created, ticket) = try await create(#"{"minutes":15,"subject":"Phone call","categoryID":"\#(categoryID)"}"#)
            #expect(created == .created)
            let id = try #require(ticket["id"] as? String)
            let (_, _, logs) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/time-logs", token: token)
            let log = try #require((logs["items"] as? [[String: Any]])?.first)
            #expect(log["minutes"] as? Int == 15 && log["subject"] as? String == "Phone call" && log["categoryID"] as? String == categoryID)
            #expect(log["agentID"] as? String == agent.lowercased)
            let (_, _, history) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/history", token: token)
            let actions = (history["items"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(actions.contains("ticket.created") && actions.contains("ticket.timelog_created"))

            let tickets = try await kit.count("SELECT count(*)::int FROM {schema}.tickets")
            let (noMinutes, problem) = try await create(#"{"minutes":0}"#)
            #expect(noMinutes == .unprocessableContent && (problem["errors"] as? [[String: Any]])?.first?["field"] as? String == "minutes")
            _ = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/time-log-categories/\(categoryID)", token: admin)
            let (retired, _) = try await create(#"{"minutes":5,"categoryID":"\#(categoryID)"}"#)
            #expect(retired == .unprocessableContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == tickets, "nothing was written")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.time_logs") == 1)
        }
    }

    @Test("Add Related Item in the new-ticket window links the new ticket as it is written, a ticket both ways; an unknown one is a 422 that writes no ticket")
    func relatedItemsWithTheTicket() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let earlier = try #require(try await kit.submit(client, token: try await kit.customer().token, subject: "Printer")["id"] as? String)
            let chat = UUID().lowercased
            func create(_ items: String) async throws -> (HTTPResponse.Status, [String: Any]) {
                let (status, _, body) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets", token: token,
                    body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"Printer again","body":"See the earlier one.","relatedItems":\#(items)}"#)
                return (status, body)
            }
            let (created, ticket) = try await create(#"[{"kind":"ticket","itemID":"\#(earlier)"},{"kind":"chat","itemID":"\#(chat)"},{"kind":"chat","itemID":"\#(chat)"}]"#)
            #expect(created == .created)
            let id = try #require(ticket["id"] as? String)
            let (_, _, tab) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/related", token: token)
            #expect(Set((tab["items"] as? [[String: Any]])?.compactMap { $0["itemID"] as? String } ?? []) == [earlier, chat])
            let (_, _, back) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(earlier)/related", token: token)
            #expect((back["items"] as? [[String: Any]])?.compactMap { $0["itemID"] as? String } == [id], "the earlier ticket shows the new one")

            let tickets = try await kit.count("SELECT count(*)::int FROM {schema}.tickets")
            let links = try await kit.count("SELECT count(*)::int FROM {schema}.related_items")
            let (unknown, problem) = try await create(#"[{"kind":"ticket","itemID":"\#(UUID().lowercased)"}]"#)
            #expect(unknown == .unprocessableContent && (problem["errors"] as? [[String: Any]])?.first?["field"] as? String == "itemID")
            let (badKind, _) = try await create(#"[{"kind":"file","itemID":"\#(UUID().lowercased)"}]"#)
            #expect(badKind == .unprocessableContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == tickets, "nothing was written")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.related_items") == links)
        }
    }

    @Test("A new ticket can be pinned and sent with a follow-up, written with it; a pin for the queue is a 409 that writes nothing, and customers may do neither")
    func pinAndFollowUpOnCreation() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let base = #""departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"Renewal","body":"Due soon.""#
            let (created, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: token,
                body: #"{\#(base),"status":"active","pin":true,"followUp":{"at":"2030-01-01T09:00:00Z","note":"Call back about the renewal"}}"#)
            #expect(created == .created)
            #expect(ticket["pinned"] as? Bool == true && ticket["agentID"] as? String == agent.lowercased)
            #expect(ticket["status"] as? String == "waiting", "Send and Schedule Follow-up leaves it Waiting until the follow-up")
            #expect((ticket["followUp"] as? [String: Any])?["at"] as? String == "2030-01-01T09:00:00Z")
            let id = try #require(ticket["id"] as? String)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.comments WHERE ticket_id = '\(id)' AND type = 'follow_up'") == 1)
            let events = try await kit.eventTypes()
            #expect(events.contains("ticket.pinned") && events.contains("ticket.followup_scheduled"))

            let before = try await kit.count("SELECT count(*)::int FROM {schema}.tickets")
            try await kit.setActive(agent, false)
            let (queued, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: token, body: #"{\#(base),"agentID":"auto","status":"active","pin":true}"#)
            #expect(queued == .conflict, "nobody can take it: a ticket in the queue cannot be pinned")
            let customer = try await kit.customer()
            let (refused, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Hi","body":"x","pin":true}"#)
            #expect(refused == .forbidden)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == before, "nothing written")
        }
    }

    @Test("Attach Files on a new ticket: the agent's (or the portal customer's) uploads go with its first message; another's upload is a 422 that writes nothing; unclaimed ones are forgotten after a day")
    func attachFilesOnCreation() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            func upload(_ name: String, _ token: String) async throws -> String {
                let (status, _, upload) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/uploads?filename=\(name)", token: token, body: "%PDF-1.4")
                #expect(status == .created && upload["size"] as? Int == 8)
                return try #require(upload["id"] as? String)
            }
            let manual = try await upload("manual.pdf", token)
            let base = #""departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"Your manual","body":"Attached.""#
            let colleagueToken = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let theirs = try await upload("theirs.pdf", colleagueToken)
            let before = try await kit.count("SELECT count(*)::int FROM {schema}.tickets")
            let (refused, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: token, body: #"{\#(base),"attachmentIDs":["\#(manual)","\#(theirs)"]}"#)
            #expect(refused == .unprocessableContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == before, "nothing written")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.uploads") == 2, "both uploads still wait")

            let (created, _, ticket) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: token, body: #"{\#(base),"attachmentIDs":["\#(manual)"]}"#)
            #expect(created == .created)
            let id = try #require(ticket["id"] as? String)
            let (_, _, attachments) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/attachments", token: token)
            #expect((attachments["items"] as? [[String: Any]])?.map { $0["filename"] as? String } == ["manual.pdf"])
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.message_attachments ma JOIN {schema}.messages m ON m.id = ma.message_id
                WHERE m.ticket_id = '\(id)' AND ma.attachment_id = '\(manual)'
                """) == 1, "the first message carries it")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.uploads") == 1)
            #expect(try await TicketTestKit.send(client, .post, "/api/v1/tickets/uploads?filename=x.pdf", token: "expired", body: "x").0 == .unauthorized)

            let customer = try await kit.customer()
            let photo = try await upload("photo.png", customer.token)
            let (submitted, _, portal) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Broken","body":"See the photo.","attachmentIDs":["\#(photo)"]}"#)
            #expect(submitted == .created, "a portal submission carries its customer's uploads too")
            let portalID = try #require(portal["id"] as? String)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.message_attachments ma JOIN {schema}.messages m ON m.id = ma.message_id
                WHERE m.ticket_id = '\(portalID)' AND m.direction = 'in' AND ma.attachment_id = '\(photo)'
                """) == 1)
            #expect(try await kit.api.store.forgetStaleUploads(now: Date().addingTimeInterval(TicketStore.uploadLifetime + 60)) == 1)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.uploads") == 0)
        }
    }

    @Test("With agentID auto, or a creator outside the group, the group's round robin chooses; an agent outside the group, a group outside the department, or the new-ticket window's fields without customerEmail are refused")
    func autoAndNamedAgents() async throws {
        try await TicketTestKit.run { client, kit in
            let member = try await kit.agent()
            let outsider = UUID()
            let token = try await kit.token(outsider, roles: ["Agent"])
            let base = #""departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"Renewal","body":"Due soon.""#
            let (created, _, auto) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: token, body: "{\(base),\"agentID\":\"auto\"}")
            #expect(created == .created)
            #expect(auto["agentID"] as? String == member.lowercased, "the group's round robin")
            #expect(auto["status"] as? String == "waiting")
            #expect(try await Self.newActive(kit, member) == 0, "a Waiting ticket does not count toward Max Tickets")
            let (named, _, toMember) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: token, body: "{\(base),\"agentID\":\"\(member.lowercased)\",\"status\":\"active\"}")
            #expect(named == .created)
            #expect(toMember["agentID"] as? String == member.lowercased)
            #expect(try await Self.newActive(kit, member) == 1)
            let (defaulted, _, toGroup) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: token, body: "{\(base),\"status\":\"active\"}")
            #expect(defaulted == .created)
            #expect(toGroup["agentID"] as? String == member.lowercased, "its creator is outside the group: the group's round robin chooses")
            let before = try await kit.count("SELECT count(*)::int FROM {schema}.tickets")
            let otherDepartment = UUID()
            let foreignGroup = UUID()
            try await kit.identity("department.created", [
                "id": otherDepartment.lowercased, "brandID": kit.brandID.lowercased, "name": "Billing", "frontLineGroupID": foreignGroup.lowercased,
                "hiddenFromPortal": false, "version": 1,
            ])
            try await kit.identity("group.created", ["id": foreignGroup.lowercased, "departmentID": otherDepartment.lowercased, "name": "Billing Front Line"])
            let refusals = [
                "{\(base),\"agentID\":\"\(UUID().lowercased)\"}", "{\(base),\"to\":[\"not an address\"]}",
                "{\(base),\"agentID\":\"\(outsider.lowercased)\"}", "{\(base),\"groupID\":\"\(foreignGroup.lowercased)\",\"agentID\":\"auto\"}",
                "{\(base),\"groupID\":\"\(UUID().lowercased)\",\"agentID\":\"auto\"}",
            ]
            let withoutCustomer = #""departmentID":"\#(kit.departmentID.lowercased)","subject":"Renewal","body":"Due soon.""#
            let customerless = [
                "{\(withoutCustomer),\"to\":[\"lee@customer.example\"]}", "{\(withoutCustomer),\"agentID\":\"auto\",\"status\":\"active\"}",
                "{\(withoutCustomer),\"incoming\":true}", "{\(withoutCustomer),\"pin\":true}",
            ]
            for body in refusals + customerless {
                let (refused, headers, problem) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: token, body: body)
                #expect(refused == .unprocessableContent, "\(body.suffix(60))")
                #expect(headers[.contentType] == "application/problem+json")
                if customerless.contains(body) {
                    #expect((problem["errors"] as? [[String: Any]])?.first?["field"] as? String == "customerEmail", "an agent's ticket without its customer")
                }
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == before)
        }
    }

    @Test("An agent's Incoming Ticket holds the customer's message as theirs: incoming from their address with the copies the agent named, and ticket.created says so; an outbound one is the agent's reply; a reply without addresses goes to the autofilled ones")
    func incomingTickets() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            _ = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/settings", token: try await kit.administratorToken(), body: #"{"defaultReplyOption":"replyAll"}"#)
            for incoming in [true, false] {
                let (created, _, ticket) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets", token: token,
                    body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"Called in","body":"My router blinks.","incoming":\#(incoming),"to":["support@demo.localhost"],"cc":["boss@customer.example"]}"#)
                #expect(created == .created)
                let id = try #require(ticket["id"] as? String)
                let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
                let message = try #require(((timeline["items"] as? [[String: Any]]) ?? []).first?["message"] as? [String: Any])
                #expect(message["direction"] as? String == (incoming ? "in" : "out"))
                if incoming { #expect(message["from"] as? String == "lee@customer.example") }
                #expect(message["cc"] as? [String] == ["boss@customer.example"])
                let (_, _, replyAll) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/compose?mode=replyAll", token: token)
                #expect(replyAll["cc"] as? [String] == (incoming ? [] : ["support@demo.localhost"]) + ["boss@customer.example"], "Reply All copies whom the first message copied, not the desk an incoming one went to")
                let (sent, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"On it."}"#)
                #expect(sent == .created)
                let (_, _, after) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
                let reply = try #require(((after["items"] as? [[String: Any]]) ?? []).compactMap { $0["message"] as? [String: Any] }.first)
                #expect(reply["to"] as? [String] == replyAll["to"] as? [String] && reply["cc"] as? [String] == replyAll["cc"] as? [String],
                        "a reply without addresses goes where the compose window fills in (the Default Reply Option, here Reply All)")
                #expect(ticket["messagesIn"] as? Int == (incoming ? 1 : 0) && ticket["messagesOut"] as? Int == (incoming ? 0 : 1))
                let (_, _, history) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/history", token: token)
                let told = ((history["items"] as? [[String: Any]]) ?? []).first { $0["action"] as? String == "ticket.created" }?["details"] as? [String: String]
                #expect(told?["incoming"] == String(incoming), "what the auto-responder reads")
            }
        }
    }

    @Test("A new ticket created Closed passes the department's close guards: no resolution or a required field left empty is a 422 that writes nothing; its own resolution lets it close")
    func createdClosedPassesTheGuards() async throws {
        try await TicketTestKit.run { client, kit in
            let (_, serialID) = try await kit.requiredFieldsTemplate(client, settings: ["requireResolutionToClose": true])
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let base = #""departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"Called in","body":"Reset the router.","incoming":true,"status":"closed""#
            let serial = #""customFields":{"\#(serialID)":"SN-7"}"#
            let before = try await kit.count("SELECT count(*)::int FROM {schema}.tickets")
            for (body, reason) in [
                (#"{\#(base),\#(serial)}"#, "no resolution"),
                (#"{\#(base),"comment":{"type":"resolution","body":"Router reset."}}"#, "no serial number"),
                (#"{\#(base),\#(serial),"comment":{"type":"general","body":"Router reset."}}"#, "a general comment is no resolution"),
            ] {
                let (status, headers, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: token, body: body)
                #expect(status == .unprocessableContent, "\(reason)")
                #expect(headers[.contentType] == "application/problem+json")
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == before, "nothing written")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.comments") == 0)
            let (created, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: token, body: #"{\#(base),\#(serial),"comment":{"type":"resolution","body":"Router reset."}}"#)
            #expect(created == .created)
            #expect(ticket["status"] as? String == "closed")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.comments WHERE type = 'resolution'") == 1)
            #expect(try await kit.eventTypes().contains("ticket.comment_added"))
            let customer = try await kit.customer()
            let (refused, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Hi","body":"x","comment":{"body":"Note to self"}}"#)
            #expect(refused == .forbidden, "customers add no comments")
        }
    }
}

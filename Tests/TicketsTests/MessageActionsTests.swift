import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import Testing
import TestSupport
@testable import TicketsApp

@Suite("Forwarding and resending a ticket's messages", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct MessageActionsTests {
    static let reply = TicketMessage(
        id: "m1", ticketID: "t1", direction: .outgoing, authorID: "a1", from: "agent@demo.localhost", to: ["lee@customer.example"], cc: [], bcc: [],
        bodyHTML: "<p>Restart <b>it</b></p>", bodyText: "Restart it", createdAt: Date(timeIntervalSince1970: 1_796_000_000))

    @Test("A forward carries the note, then the original under a header with its sender, recipients and date")
    func forwardBody() {
        let body = MessageForwarding.body(note: ("<p>FYI</p>", "FYI"), original: Self.reply)
        #expect(body.text.hasPrefix("FYI\n\n---------- Forwarded message ----------\nFrom: agent@demo.localhost\nDate: 2026-11-30"))
        #expect(body.text.hasSuffix("To: lee@customer.example\n\nRestart it"))
        #expect(body.html.hasPrefix("<p>FYI</p><p>---------- Forwarded message ----------<br><b>From:</b> agent@demo.localhost"))
        #expect(body.html.hasSuffix("<blockquote><p>Restart <b>it</b></p></blockquote>"))
        #expect(!MessageForwarding.body(note: nil, original: Self.reply).text.hasPrefix("\n"))
    }

    @Test("Only outgoing messages are resent")
    func resendRule() throws {
        try MessageForwarding.checkResendable(Self.reply)
        var incoming = Self.reply
        incoming.direction = .incoming
        #expect(throws: Problem.self) { try MessageForwarding.checkResendable(incoming) }
    }

    @Test("An agent forwards a message with the attachments it carried (else the ticket's visible ones), and resends a reply; bad requests write nothing")
    func forwardAndResend() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token, subject: "Broken printer")["id"] as? String)
            let base = "/api/v1/tickets/\(id)"
            let (_, invoice) = try await AttachmentTests.upload(client, base + "/attachments?filename=invoice.pdf", token: customer.token, bytes: Array("%PDF-1.4".utf8))
            let invoiceID = try #require(invoice["id"] as? String)
            _ = try await AttachmentTests.upload(client, base + "/attachments?filename=notes.txt&internal=true", token: token, bytes: Array("x".utf8))
            let (replied, _, _) = try await TicketTestKit.send(
                client, .post, base + "/replies", token: token, body: #"{"body":"Please restart it.","bcc":["boss@support.example"]}"#)
            #expect(replied == .created)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, base + "/timeline", token: token)
            let messages = (timeline["items"] as? [[String: Any]])?.compactMap { $0["message"] as? [String: Any] } ?? []
            let replyID = try #require(messages.first { $0["direction"] as? String == "out" }?["id"] as? String)
            let customerMessageID = try #require(messages.first { $0["direction"] as? String == "in" }?["id"] as? String)
            let forwardPath = base + "/messages/\(customerMessageID)/forward"
            func messageCount() async throws -> Int { try await kit.count("SELECT count(*)::int FROM {schema}.messages WHERE ticket_id = '\(id)'") }
            let before = try await messageCount()

            let (badAddress, _, problem) = try await TicketTestKit.send(client, .post, forwardPath, token: token, body: #"{"to":["not an address"]}"#)
            #expect(badAddress == .unprocessableContent)
            #expect((problem["errors"] as? [[String: Any]])?.first?["field"] as? String == "to")
            let (noOne, _, _) = try await TicketTestKit.send(client, .post, forwardPath, token: token, body: #"{"to":[]}"#)
            #expect(noOne == .unprocessableContent)
            let (foreign, _, _) = try await TicketTestKit.send(
                client, .post, forwardPath, token: token, body: #"{"to":["vendor@supplier.example"],"attachmentIDs":["\#(UUID().uuidString)"]}"#)
            #expect(foreign == .unprocessableContent)
            let (unknown, _, _) = try await TicketTestKit.send(
                client, .post, base + "/messages/\(UUID().uuidString)/forward", token: token, body: #"{"to":["vendor@supplier.example"]}"#)
            #expect(unknown == .notFound)
            let (byCustomer, _, _) = try await TicketTestKit.send(client, .post, forwardPath, token: customer.token, body: #"{"to":["vendor@supplier.example"]}"#)
            #expect(byCustomer == .forbidden || byCustomer == .notFound)
            #expect(try await messageCount() == before, "refused forwards write nothing")

            let (forwarded, _, ticket) = try await TicketTestKit.send(
                client, .post, forwardPath, token: token, body: #"{"to":["vendor@supplier.example"],"note":"Can you check this printer?"}"#)
            #expect(forwarded == .created)
            #expect(ticket["messagesOut"] as? Int == 1, "a forward answers nobody")
            func timelineMessages(as caller: String) async throws -> [[String: Any]] {
                let (_, _, read) = try await TicketTestKit.send(client, .get, base + "/timeline", token: caller)
                return (read["items"] as? [[String: Any]])?.compactMap { $0["message"] as? [String: Any] } ?? []
            }
            let agentView = try await timelineMessages(as: token)
            #expect(agentView.contains { $0["to"] as? [String] == ["vendor@supplier.example"] }, "agents read the forward")
            #expect(agentView.contains { $0["bcc"] as? [String] == ["boss@support.example"] })
            let customerView = try await timelineMessages(as: customer.token)
            #expect(customerView.count == 2 && !customerView.contains { $0["to"] as? [String] == ["vendor@supplier.example"] }, "not the customer")
            #expect(customerView.allSatisfy { ($0["bcc"] as? [String])?.isEmpty ?? true }, "nor anyone's Bcc")
            let (_, _, replyAll) = try await TicketTestKit.send(client, .get, base + "/compose?mode=replyAll", token: token)
            #expect(!"\(replyAll["cc"] ?? "")".contains("vendor@supplier.example"), "Reply All does not copy whom a forward went to")
            #expect(try await messageCount() == before + 1)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.messages WHERE ticket_id = '\(id)' AND direction = 'out' AND to_addresses = '{vendor@supplier.example}'
                  AND body_text LIKE 'Can you check this printer?%Forwarded message%'
                """) == 1)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history WHERE ticket_id = '\(id)' AND action = 'ticket.message_forwarded'
                  AND details->>'attachmentIDs' = '\(invoiceID)' AND details->>'forwardedMessageID' = '\(customerMessageID)'
                """) == 1, "the customer's attachment goes along, the internal one does not")

            let (incoming, _, _) = try await TicketTestKit.send(client, .post, base + "/messages/\(customerMessageID)/resend", token: token)
            #expect(incoming == .unprocessableContent)
            let (resent, _, _) = try await TicketTestKit.send(client, .post, base + "/messages/\(replyID)/resend", token: token)
            #expect(resent == .ok)
            #expect(try await kit.eventTypes().filter { $0 == "ticket.message_resent" }.count == 1)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history WHERE ticket_id = '\(id)' AND action = 'ticket.message_resent' AND details->>'bcc' = 'boss@support.example'
                """) == 1, "a resend goes to the Bcc too")
            #expect(try await messageCount() == before + 1, "a resend sends the same message again")

            _ = try await AttachmentTests.upload(client, base + "/attachments?filename=photo.jpg", token: customer.token, bytes: [0xFF, 0xD8, 0xFF, 0xE0])
            let (carrying, _, _) = try await TicketTestKit.send(
                client, .post, base + "/replies", token: token, body: #"{"body":"Here is your invoice.","attachmentIDs":["\#(invoiceID)"]}"#)
            #expect(carrying == .created)
            let withInvoice = try #require(try await timelineMessages(as: token).first?["id"] as? String)
            let (again, _, _) = try await TicketTestKit.send(
                client, .post, base + "/messages/\(withInvoice)/forward", token: token, body: #"{"to":["accounts@supplier.example"]}"#)
            #expect(again == .created)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history WHERE ticket_id = '\(id)' AND action = 'ticket.message_forwarded'
                  AND details->>'forwardedMessageID' = '\(withInvoice)' AND details->>'attachmentIDs' = '\(invoiceID)'
                """) == 1, "a message that carried attachments is forwarded with those, not the ticket's others")
        }
    }

    @Test("Addresses mail came from that no reply may carry are left out of the compose window and of a reply; with none to answer, an addressless reply is refused")
    func unreplyableAddressesAreLeftOut() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token, subject: "Broken printer")["id"] as? String)
            let base = "/api/v1/tickets/\(id)"
            // Mail is kept from what EmailAddress.received takes: here a separator a sending system left in a copied address.
            #expect(try await kit.count("""
                WITH changed AS (UPDATE {schema}.messages SET cc_addresses = '{"ops,desk@customer.example","boss@customer.example"}'
                                 WHERE ticket_id = '\(id)' AND direction = 'in' RETURNING 1)
                SELECT count(*)::int FROM changed
                """) == 1)
            let (composed, _, composition) = try await TicketTestKit.send(client, .get, base + "/compose?mode=replyAll", token: token)
            #expect(composed == .ok)
            let to = try #require(composition["to"] as? [String])
            #expect(composition["cc"] as? [String] == ["boss@customer.example"])
            #expect(composition["leftOut"] as? [String] == ["ops,desk@customer.example"])
            let addressed = try JSONSerialization.data(withJSONObject: ["body": "Please restart it.", "to": to, "cc": ["boss@customer.example"]])
            let (replied, _, _) = try await TicketTestKit.send(client, .post, base + "/replies", token: token, body: String(decoding: addressed, as: UTF8.self))
            #expect(replied == .created, "what the compose window offers is sent as it is")
            let (changed, _, _) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/settings", token: try await kit.administratorToken(), body: #"{"defaultReplyOption":"replyAll"}"#)
            #expect(changed == .ok)
            let (autofilled, _, _) = try await TicketTestKit.send(client, .post, base + "/replies", token: token, body: #"{"body":"And now?"}"#)
            #expect(autofilled == .created)
            #expect(try await kit.lastEventDetails("ticket.replied")["leftOut"] == "ops,desk@customer.example", "a reply addressed for the agent says whom it left out")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.messages WHERE ticket_id = '\(id)' AND direction = 'out' AND body_text LIKE 'And now?%'
                  AND cc_addresses = '{boss@customer.example}'
                """) == 1)
            let (reset, _, _) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/settings", token: try await kit.administratorToken(), body: #"{"defaultReplyOption":"reply"}"#)
            #expect(reset == .ok)

            #expect(try await kit.count("""
                WITH changed AS (UPDATE {schema}.messages SET from_address = 'lee@[10.0.0.1]' WHERE ticket_id = '\(id)' AND direction = 'in' RETURNING 1),
                     ticket AS (UPDATE {schema}.tickets SET customer_email = 'lee@[10.0.0.1]' WHERE id = '\(id)' RETURNING 1)
                SELECT (SELECT count(*)::int FROM changed) + (SELECT count(*)::int FROM ticket)
                """) == 2)
            func messageCount() async throws -> Int { try await kit.count("SELECT count(*)::int FROM {schema}.messages WHERE ticket_id = '\(id)'") }
            let before = try await messageCount()
            let (_, _, empty) = try await TicketTestKit.send(client, .get, base + "/compose", token: token)
            #expect(empty["to"] as? [String] == [] && empty["leftOut"] as? [String] == ["lee@[10.0.0.1]"], "the compose window opens for the agent to name someone")
            let (unanswerable, _, problem) = try await TicketTestKit.send(client, .post, base + "/replies", token: token, body: #"{"body":"Hello?"}"#)
            #expect(unanswerable == .unprocessableContent)
            #expect((problem["errors"] as? [[String: Any]])?.first?["field"] as? String == "to")
            #expect(try await messageCount() == before, "nothing written")
            let (named, _, _) = try await TicketTestKit.send(client, .post, base + "/replies", token: token, body: #"{"body":"Hello?","to":["lee@customer.example"]}"#)
            #expect(named == .created, "an address the agent names is answered")
        }
    }

    @Test("Reply answers the last message's sender; Reply All copies the customer and the others on it and blind-copies whom the last reply did; quotes nest newest outside")
    func composition() {
        var incoming = Self.reply
        incoming.direction = .incoming
        incoming.from = "lee@customer.example"
        incoming.to = ["support@demo.localhost", "agent@demo.localhost"]
        incoming.cc = ["boss@customer.example", "LEE@customer.example"]
        let all = ReplyComposer.recipients(.replyAll, customerEmail: "lee@customer.example", latestIncoming: incoming, agentAddress: "agent@demo.localhost")
        #expect(all.to == ["lee@customer.example"])
        #expect(all.cc == ["support@demo.localhost", "boss@customer.example"])
        #expect(ReplyComposer.recipients(.reply, customerEmail: "lee@customer.example", latestIncoming: incoming, agentAddress: "a@b.c").cc.isEmpty)
        var outgoing = Self.reply
        outgoing.bcc = ["audit@demo.localhost", "boss@customer.example"]
        let blind = ReplyComposer.recipients(
            .replyAll, customerEmail: "lee@customer.example", latestIncoming: incoming, latestOutgoing: outgoing, agentAddress: "agent@demo.localhost")
        #expect(blind.bcc == ["audit@demo.localhost"], "whom the last reply blind-copied, unless already copied")
        var outbound = outgoing
        outbound.to = ["lee@customer.example", "ops@customer.example"]
        outbound.cc = ["it@customer.example"]
        let everyone = ReplyComposer.recipients(.replyAll, customerEmail: "lee@customer.example", latestIncoming: nil, latestOutgoing: outbound, agentAddress: "a@b.c")
        #expect(everyone.cc == ["ops@customer.example", "it@customer.example"], "and everyone the last reply went to or copied")
        #expect(ReplyComposer.recipients(.reply, customerEmail: "lee@customer.example", latestIncoming: incoming, latestOutgoing: outgoing, agentAddress: "a@b.c").bcc.isEmpty)
        var colleague = incoming
        colleague.from = "sam@customer.example"
        colleague.cc = []
        let toSender = ReplyComposer.recipients(.reply, customerEmail: "lee@customer.example", latestIncoming: colleague, agentAddress: "agent@demo.localhost")
        #expect(toSender.to == ["sam@customer.example"] && toSender.cc.isEmpty, "Reply answers only the sender of the last message")
        let toAll = ReplyComposer.recipients(.replyAll, customerEmail: "lee@customer.example", latestIncoming: colleague, agentAddress: "agent@demo.localhost")
        #expect(toAll.to == ["sam@customer.example"] && toAll.cc == ["lee@customer.example", "support@demo.localhost"], "Reply All keeps the customer")
        #expect(ReplyComposer.recipients(.reply, customerEmail: "lee@customer.example", latestIncoming: nil, agentAddress: "a@b.c").to == ["lee@customer.example"])
        let moved = ReplyComposer.recipients(
            .reply, customerEmail: "lee@new.example", latestIncoming: incoming, agentAddress: "a@b.c", addressChangedAt: incoming.createdAt.addingTimeInterval(1))
        #expect(moved.to == ["lee@new.example"], "after Change Email Address, replies go to the new address")
        let wroteSince = ReplyComposer.recipients(
            .reply, customerEmail: "lee@new.example", latestIncoming: incoming, agentAddress: "a@b.c", addressChangedAt: incoming.createdAt.addingTimeInterval(-1))
        #expect(wroteSince.to == ["lee@customer.example", "lee@new.example"], "and stays included once someone wrote again from elsewhere")
        let allSince = ReplyComposer.recipients(
            .replyAll, customerEmail: "lee@new.example", latestIncoming: incoming, agentAddress: "agent@demo.localhost",
            addressChangedAt: incoming.createdAt.addingTimeInterval(-1))
        #expect(allSince.to == ["lee@customer.example", "lee@new.example"] && allSince.cc == ["support@demo.localhost", "boss@customer.example"])
        var toOld = Self.reply
        toOld.to = ["lee@old.example", "ops@customer.example"]
        let afterChange = ReplyComposer.recipients(
            .replyAll, customerEmail: "lee@new.example", latestIncoming: nil, latestOutgoing: toOld, agentAddress: "a@b.c",
            addressChangedAt: toOld.createdAt.addingTimeInterval(1))
        #expect(afterChange.to == ["lee@new.example"] && afterChange.cc.isEmpty, "a reply sent to the old address is not copied again")
        incoming.bodyText = "It smokes."
        let quote = ReplyComposer.quote([Self.reply, incoming], agentsAs: "Support")
        #expect(!quote.text.contains("agent@demo.localhost") && !quote.html.contains("agent@demo.localhost"), "never the agent's own address")
        #expect(quote.text == """
            On 2026-11-30T00:53:20Z, Support wrote:
            > Restart it
            > \("")
            > On 2026-11-30T00:53:20Z, lee@customer.example wrote:
            > > It smokes.
            """)
        #expect(quote.html.hasPrefix("<p>On 2026-11-30T00:53:20Z, Support wrote:</p><blockquote><p>Restart <b>it</b></p><p>On"))
        #expect(ReplyComposer.quote([], agentsAs: "Support") == ("", ""))
    }

    @Test("Quote Email starts a reply with the customer's message quoted; Reply With Copy with an earlier reply's text, without its signature")
    func quoteEmailAndReplyWithCopy() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            _ = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/signatures", token: try await kit.administratorToken(), body: #"{"html":"<p>The support team</p>"}"#)
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"bodyHTML":"<p>Restart it.</p>"}"#)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let messages = (timeline["items"] as? [[String: Any]])?.compactMap { $0["message"] as? [String: Any] } ?? []
            let reply = try #require(messages.first { $0["direction"] as? String == "out" }?["id"] as? String)
            let question = try #require(messages.first { $0["direction"] as? String == "in" }?["id"] as? String)
            #expect((messages.first?["bodyHTML"] as? String)?.contains("The support team") == true, "the sent reply carries the signature")
            func compose(_ query: String) async throws -> (HTTPResponse.Status, [String: Any]) {
                let (status, _, body) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/compose?\(query)", token: token)
                return (status, body)
            }

            let (quoted, quote) = try await compose("quoteMessageID=\(question)")
            #expect(quoted == .ok)
            #expect((quote["bodyHTML"] as? String)?.contains("<blockquote><p>It smokes.</p></blockquote>") == true)
            let (copied, copy) = try await compose("copyMessageID=\(reply)")
            #expect(copied == .ok)
            #expect(copy["bodyHTML"] as? String == "<p>Restart it.</p>", "the new reply gets its own signature when sent")

            #expect(try await compose("quoteMessageID=\(reply)").0 == .unprocessableContent, "Quote Email: incoming messages only")
            #expect(try await compose("copyMessageID=\(question)").0 == .unprocessableContent, "Reply With Copy: an agent's reply only")
            #expect(try await compose("copyMessageID=\(UUID().lowercased)").0 == .notFound)
            #expect(try await compose("quoteMessageID=\(question)&copyMessageID=\(reply)").0 == .badRequest)
            #expect(try await compose("quoteMessageID=nonsense").0 == .unprocessableContent)
        }
    }

    @Test("The compose endpoint quotes as many messages as the setting says and uses the default reply option")
    func composeEndpoint() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Restart it.","sendVariant":"active"}"#)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Still smoking."}"#)
            let (_, _, defaults) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/compose", token: token)
            #expect(defaults["mode"] as? String == "reply")
            #expect(defaults["subject"] as? String == "Printer on fire", "the ticket's subject")
            #expect((defaults["quotedMessageIDs"] as? [String])?.count == 1)
            #expect((defaults["quoteText"] as? String)?.contains("> Still smoking.") == true)
            _ = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/settings", token: try await kit.administratorToken(), body: #"{"maxMessagesInReplies":2,"defaultReplyOption":"replyAll"}"#)
            let (ok, _, two) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/compose", token: token)
            #expect(ok == .ok)
            #expect(two["mode"] as? String == "replyAll")
            #expect((two["quotedMessageIDs"] as? [String])?.count == 2)
            #expect((two["to"] as? [String])?.first?.hasPrefix("customer-") == true)
            let (changed, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/email", token: token, body: #"{"email":"lee@new.example"}"#)
            #expect(changed == .ok)
            let (_, _, moved) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/compose?mode=reply", token: token)
            #expect(moved["to"] as? [String] == ["lee@new.example"], "after Change Email Address, replies go to the new address")

            let (sent, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Unplug it."}"#)
            #expect(sent == .created)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: customer.token)
            let latest = try #require((timeline["items"] as? [[String: Any]])?.compactMap { $0["message"] as? [String: Any] }.first)
            #expect((latest["bodyText"] as? String)?.hasPrefix("Unplug it.") == true)
            #expect((latest["bodyText"] as? String)?.contains("Still smoking") == false, "the agent's text stays the agent's")
            let quoted = try #require(latest["quotedText"] as? String)
            #expect(quoted.contains("> Still smoking.") && quoted.contains("Restart it."), "sent with the two latest messages quoted")
            #expect(quoted.contains("Support wrote:") && !quoted.contains("@example.com"), "the agent's reply quoted under its department, not the agent's address")
            let (bad, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/compose?mode=everyone", token: token)
            #expect(bad == .badRequest)
            let (customerAsks, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/compose", token: customer.token)
            #expect(customerAsks == .forbidden || customerAsks == .notFound)
        }
    }
}

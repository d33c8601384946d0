import Auth
import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
import TestSupport
@testable import TicketsApp

@Suite("Ticket life cycle through the API", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketLifecycleTests {
    @Test("A portal ticket goes to the active primary agent; waiting, reopened by the customer, closed and locked, then a reply is refused")
    func lifeCycle() async throws {
        try await TicketTestKit.run { client, kit in
            let secondary = try await kit.agent(handling: "secondary")
            let primary = try await kit.agent(handling: "primary")
            let agentToken = try await kit.token(primary, roles: ["Agent"])
            let customer = try await kit.customer()
            let ticket = try await kit.submit(client, token: customer.token)
            let id = try #require(ticket["id"] as? String)
            #expect(ticket["agentID"] as? String == primary.lowercased, "primary before secondary")
            #expect(ticket["agentID"] as? String != secondary.lowercased)
            #expect(ticket["status"] as? String == "active")
            #expect(TicketNumber.isValid(try #require(ticket["number"] as? String)))

            let (replied, headers, waiting) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: agentToken, body: #"{"body":"Unplug it.","sendVariant":"waiting"}"#)
            #expect(replied == .created)
            #expect(waiting["status"] as? String == "waiting")
            let (answered, _, reopened) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Done, still smokes."}"#)
            #expect(answered == .created)
            #expect(reopened["status"] as? String == "active")
            #expect(reopened["agentID"] as? String == primary.lowercased)

            let (stale, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/status", token: agentToken, ifMatch: headers[.eTag], body: #"{"status":"closed_locked"}"#)
            #expect(stale == .preconditionFailed, "the customer changed it since that ETag")
            let (locked, _, lockedTicket) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/status", token: agentToken, body: #"{"status":"closed_locked"}"#)
            #expect(locked == .ok)
            #expect(lockedTicket["status"] as? String == "closed_locked")
            let messagesBefore = try await kit.count("SELECT count(*)::int FROM {schema}.messages")
            let (refused, refusedHeaders, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Hello?"}"#)
            #expect(refused == .conflict)
            #expect(refusedHeaders[.contentType] == "application/problem+json")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.messages") == messagesBefore, "nothing written")
            let (_, _, after) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: customer.token)
            #expect(after["status"] as? String == "closed_locked")
            #expect(try await kit.eventTypes() == [
                "ticket.created", "ticket.assigned", "ticket.replied", "ticket.status_changed", "ticket.message_received",
                "ticket.status_changed", "ticket.status_changed",
            ])
        }
    }

    @Test("A reply that bounced (ticket.reply_bounced on tickets.commands) returns its Closed and Locked ticket to Active")
    func bouncedReply() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Fixed.","sendVariant":"closed_locked"}"#)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let replyID = try #require((timeline["items"] as? [[String: Any]])?.compactMap { ($0["message"] as? [String: Any])?["id"] as? String }.first)
            let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
            func bounce(_ messageID: String) async throws {
                let event = CloudEvent(
                    source: "mail", type: ReplyBouncedCommand.type, subject: messageID, brandid: nil,
                    data: ReplyBouncedCommand(messageID: messageID, reason: "550 5.1.1 mailbox unavailable"))
                let bytes = try CloudEventCoding.encode(event)
                try await kit.database.transaction { try await handler.apply(ReplyBouncedCommand.type, bytes, on: $0) }
            }
            try await bounce(UUID().lowercased)
            try await bounce(replyID)
            let (_, _, reopened) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(reopened["status"] as? String == "active", "the customer never got the answer")
            #expect(try await kit.eventTypes().suffix(2) == ["ticket.reply_bounced", "ticket.status_changed"])
        }
    }

    @Test("Splitting a message someone else wrote to the ticket makes a ticket of that sender's, which the ticket's customer does not see")
    func splitGoesToTheSender() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            let ticket = try await kit.submit(client, token: customer.token)
            let (id, number) = (try #require(ticket["id"] as? String), try #require(ticket["number"] as? String))
            let command = AddTicketMessageCommand(
                ticketNumber: number, fromAddress: "sam@customer.example", subject: "Re: [#\(number)]", bodyText: "My laptop does it too.",
                departmentID: nil, source: "email")
            let bytes = try CloudEventCoding.encode(CloudEvent(source: "mail", type: AddTicketMessageCommand.type, subject: number, brandid: nil, data: command))
            let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
            try await kit.database.transaction { try await handler.apply(AddTicketMessageCommand.type, bytes, on: $0) }
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let messages = (timeline["items"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? [String: Any] }
            let samsMessage = try #require(messages.first { $0["from"] as? String == "sam@customer.example" }?["id"] as? String)

            let (split, _, newTicket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages/\(samsMessage)/split", token: token, body: #"{"subject":"Laptop"}"#)
            #expect(split == .created)
            #expect(newTicket["customerEmail"] as? String == "sam@customer.example")
            #expect(newTicket["customerUserID"] == nil, "not the ticket's customer's account")
            let newID = try #require(newTicket["id"] as? String)
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(newID)", token: customer.token).0 == .notFound)
        }
    }

    @Test("A customer's message for a ticket number (ticket.add_message) reopens it, follows a merge, and opens a new ticket for a locked or unknown one")
    func messageByNumber() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            var tickets: [[String: Any]] = []
            for subject in ["Printer", "Scanner", "Fax"] { tickets.append(try await kit.submit(client, token: customer.token, subject: subject)) }
            let ids = try tickets.map { try #require($0["id"] as? String) }
            let numbers = try tickets.map { try #require($0["number"] as? String) }
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ids[0])/replies", token: token, body: #"{"body":"Unplug it.","sendVariant":"waiting"}"#)
            let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
            func message(_ number: String, department: String? = nil) async throws {
                let command = AddTicketMessageCommand(
                    ticketNumber: number, fromAddress: "lee@customer.example", subject: "Re: [#\(number)]", bodyText: "Still broken.",
                    departmentID: department, source: "email")
                let bytes = try CloudEventCoding.encode(CloudEvent(source: "mail", type: AddTicketMessageCommand.type, subject: number, brandid: nil, data: command))
                try await kit.database.transaction { try await handler.apply(AddTicketMessageCommand.type, bytes, on: $0) }
            }
            func ticket(_ id: String) async throws -> [String: Any] { try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token).2 }

            try await message(numbers[0].lowercased())
            #expect(try await ticket(ids[0])["status"] as? String == "active", "the customer answered")
            #expect(try await ticket(ids[0])["messagesIn"] as? Int == 2)
            #expect(try await ticket(ids[0])["subject"] as? String == "Printer", "the reply's own subject does not change the ticket's")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.messages WHERE ticket_id = '\(ids[0])' AND subject = 'Re: [#\(numbers[0].lowercased())]'
                """) == 1, "it shows in the header of the customer's message")

            #expect(try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(ids[1])","ticketIDs":["\#(ids[2])"]}"#).0 == .ok)
            try await message(numbers[2])
            #expect(try await ticket(ids[1])["messagesIn"] as? Int == 3, "a merged ticket's number leads to the primary")

            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[0])/status", token: token, body: #"{"status":"closed_locked"}"#).0 == .ok)
            let before = try await kit.count("SELECT count(*)::int FROM {schema}.tickets")
            try await message(numbers[0])
            #expect(try await ticket(ids[0])["status"] as? String == "closed_locked", "a locked ticket stays locked")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == before + 1, "the message opens a new ticket")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.tickets t JOIN {schema}.messages m ON m.ticket_id = t.id
                WHERE t.subject = 'Re: [#\(numbers[0])]' AND t.department_id = '\(kit.departmentID.lowercased)' AND m.body_text = 'Still broken.'
                  AND m.from_address = 'lee@customer.example' AND t.status = 'active'
                """) == 1)
            let (_, _, related) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[0])/related", token: token)
            #expect((related["items"] as? [[String: Any]])?.count == 1, "the locked ticket and the new one are related")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history h JOIN {schema}.tickets t ON t.id = h.ticket_id
                WHERE h.action = 'ticket.related_added' AND (t.id = '\(ids[0])' OR t.subject = 'Re: [#\(numbers[0])]')
                """) == 2, "each link is in its ticket's history")

            try await message("ABC-12345678-0000", department: kit.departmentID.lowercased)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == before + 2, "an unknown number opens a ticket where the command says")
            try await message("ABC-12345678-0001")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == before + 2, "without any department it is dropped, not retried forever")
        }
    }

    @Test("A command naming a department tickets has not learned yet is kept, and opens its ticket when the department arrives")
    func commandWaitsForItsDepartment() async throws {
        try await TicketTestKit.run { _, kit in
            let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
            func open(_ department: UUID, subject: String) async throws {
                let command = OpenTicketCommand(departmentID: department.lowercased, customerEmail: "lee@customer.example", subject: subject, bodyText: "Hello", source: "email")
                let bytes = try CloudEventCoding.encode(CloudEvent(source: "mail", type: OpenTicketCommand.type, subject: subject, brandid: nil, data: command))
                try await kit.database.transaction { try await handler.apply(OpenTicketCommand.type, bytes, on: $0) }
            }
            func departmentCreated(_ department: UUID) -> [String: Any] {
                ["id": department.lowercased, "brandID": kit.brandID.lowercased, "name": "Billing", "frontLineGroupID": UUID().lowercased,
                 "hiddenFromPortal": false, "version": 1]
            }
            func tickets(in department: UUID) async throws -> Int {
                try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE department_id = '\(department.lowercased)'")
            }
            let billing = UUID()
            try await open(billing, subject: "First")
            let number = "ABC-12345678-0002"
            let message = AddTicketMessageCommand(
                ticketNumber: number, fromAddress: "lee@customer.example", subject: "Second", bodyText: "Again", departmentID: billing.lowercased, source: "email")
            try await kit.database.transaction {
                try await handler.apply(AddTicketMessageCommand.type, try CloudEventCoding.encode(CloudEvent(
                    source: "mail", type: AddTicketMessageCommand.type, subject: number, brandid: nil, data: message)), on: $0)
            }
            #expect(try await tickets(in: billing) == 0)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.parked_commands") == 2)
            try await kit.identity("department.created", departmentCreated(billing))
            #expect(try await tickets(in: billing) == 2, "both messages open their tickets with the department's event")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.parked_commands") == 0)

            // The department written by a transaction still open while the command looks for it: the command waits for
            // that transaction and then finds the department, instead of being parked where the event would not see it.
            let shipping = UUID()
            try await kit.database.client.withConnection { connection in
                try await connection.query("BEGIN", logger: kit.database.logger).consume()
                let envelope: [String: Any] = ["specversion": "1.0", "id": UUID().lowercased, "type": "department.created", "source": "identity", "data": departmentCreated(shipping)]
                try await kit.api.directory.apply("department.created", Array(try JSONSerialization.data(withJSONObject: envelope)), on: connection)
                async let command: Void = open(shipping, subject: "Racing")
                var waited = 0
                while try await kit.count("SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 0, waited < 100 {
                    try await Task.sleep(for: .milliseconds(50))
                    waited += 1
                }
                #expect(waited < 100, "the command waits for the department's transaction")
                try await connection.query("COMMIT", logger: kit.database.logger).consume()
                try await command
            }
            #expect(try await tickets(in: shipping) == 1)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.parked_commands") == 0)
        }
    }

    @Test("A command naming a deleted department opens its ticket where the department's tickets went; one deleted with its tickets is kept for an administrator")
    func commandFollowsDeletedDepartment() async throws {
        try await TicketTestKit.run { _, kit in
            let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
            func open(_ department: UUID, subject: String) async throws {
                let command = OpenTicketCommand(
                    departmentID: department.lowercased, groupID: UUID().lowercased, customerEmail: "lee@customer.example", subject: subject,
                    bodyText: "Hello", source: "chat")
                let bytes = try CloudEventCoding.encode(CloudEvent(source: "chat", type: OpenTicketCommand.type, subject: subject, brandid: nil, data: command))
                try await kit.database.transaction { try await handler.apply(OpenTicketCommand.type, bytes, on: $0) }
            }
            func department(_ id: UUID, name: String) -> [String: Any] {
                ["id": id.lowercased, "brandID": kit.brandID.lowercased, "name": name, "frontLineGroupID": UUID().lowercased,
                 "hiddenFromPortal": false, "version": 1]
            }
            let (billing, returns, archive) = (UUID(), UUID(), UUID())
            try await kit.identity("department.created", department(billing, name: "Billing"))
            try await kit.identity("department.created", department(returns, name: "Returns"))
            try await kit.identity("department.created", department(archive, name: "Archive"))
            try await kit.identity("department.deleted", ["departmentID": billing.lowercased, "groupIDs": [], "moveItemsTo": returns.lowercased])
            try await kit.identity("department.deleted", ["departmentID": returns.lowercased, "groupIDs": [], "moveItemsTo": kit.departmentID.lowercased])
            try await open(billing, subject: "Offline message to Billing")
            let opened = try await kit.count("""
                SELECT count(*)::int FROM {schema}.tickets
                WHERE subject = 'Offline message to Billing' AND department_id = '\(kit.departmentID.lowercased)' AND group_id = '\(kit.frontLineID.lowercased)'
                """)
            #expect(opened == 1, "through two deletions to the department the tickets went to, in its front-line group")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.parked_commands") == 0)
            // A command read while Billing was unknown, parked only once it was created and deleted: not kept for good
            // (nothing would release it) but handed back to run again, when it follows the deletion.
            let kept = try await kit.database.transaction { connection in
                try await ParkedCommands(database: kit.database).park(OpenTicketCommand.type, [], department: billing, on: connection)
            }
            #expect(!kept)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.parked_commands") == 0)

            try await kit.identity("department.deleted", ["departmentID": archive.lowercased, "groupIDs": []])
            try await open(archive, subject: "To a department deleted with its tickets")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE subject LIKE 'To a department%'") == 0)
            #expect(
                try await kit.count("SELECT count(*)::int FROM {schema}.parked_commands WHERE reason = 'department_deleted' AND department_id = '\(archive.lowercased)'") == 1,
                "the customer's message is kept for an administrator to place, not dropped")
        }
    }

    @Test("System administrators list the kept commands with what they carry and place each as a ticket in a known department, once")
    func administratorPlacesKeptCommands() async throws {
        try await TicketTestKit.run { client, kit in
            let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
            func send<Command: Codable & Sendable>(_ type: String, _ command: Command) async throws {
                let bytes = try CloudEventCoding.encode(CloudEvent(source: "mail", type: type, subject: "command", brandid: nil, data: command))
                try await kit.database.transaction { try await handler.apply(type, bytes, on: $0) }
            }
            let (archive, unknown) = (UUID(), UUID())
            try await kit.identity(
                "department.created",
                ["id": archive.lowercased, "brandID": kit.brandID.lowercased, "name": "Archive", "frontLineGroupID": UUID().lowercased, "hiddenFromPortal": false, "version": 1])
            try await kit.identity("department.deleted", ["departmentID": archive.lowercased, "groupIDs": []])
            try await send(
                OpenTicketCommand.type,
                OpenTicketCommand(departmentID: archive.lowercased, customerEmail: "lee@customer.example", subject: "Old mailbox", bodyText: "Anyone there?", source: "email"))
            try await send(
                AddTicketMessageCommand.type,
                AddTicketMessageCommand(
                    ticketNumber: "ABC-12345678-0003", fromAddress: "kim@customer.example", subject: "Re: nothing", bodyText: "Hello?", departmentID: unknown.lowercased,
                    source: "email"))

            let admin = try await kit.administratorToken()
            let agentToken = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (forbidden, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/parked-commands", token: agentToken)
            #expect(forbidden == .forbidden)
            let (listed, _, list) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/parked-commands?limit=1", token: admin)
            #expect(listed == .ok)
            let cursor = try #require(list["nextCursor"] as? String, "a page of one leaves the second for the next")
            let (next, _, rest) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/parked-commands?limit=1&cursor=\(cursor)", token: admin)
            #expect(next == .ok)
            #expect(rest["nextCursor"] == nil)
            let items = try #require(list["items"] as? [[String: Any]]) + (try #require(rest["items"] as? [[String: Any]]))
            #expect(items.map { $0["reason"] as? String } == ["department_deleted", "department_unknown"])
            #expect(items.map { $0["customerEmail"] as? String } == ["lee@customer.example", "kim@customer.example"])
            #expect(items.map { $0["subject"] as? String } == ["Old mailbox", "Re: nothing"])
            let ids = items.compactMap { $0["id"] as? String }
            #expect(ids.count == 2)

            let place = "/api/v1/tickets/parked-commands/\(ids[0])/place"
            let (stranger, _, _) = try await TicketTestKit.send(client, .post, place, token: admin, body: #"{"departmentID":"\#(archive.lowercased)"}"#)
            #expect(stranger == .unprocessableContent, "a department tickets does not know (here: deleted) takes nothing")
            let (denied, _, _) = try await TicketTestKit.send(client, .post, place, token: agentToken, body: #"{"departmentID":"\#(kit.departmentID.lowercased)"}"#)
            #expect(denied == .forbidden)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.parked_commands") == 2)
            for (index, id) in ids.enumerated() {
                let (placed, headers, ticket) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/parked-commands/\(id)/place", token: admin, body: #"{"departmentID":"\#(kit.departmentID.lowercased)"}"#)
                #expect(placed == .created)
                #expect(headers[.location] == "/api/v1/tickets/\(ticket["id"] as? String ?? "")")
                #expect(ticket["departmentID"] as? String == kit.departmentID.lowercased)
                #expect(ticket["subject"] as? String == ["Old mailbox", "Re: nothing"][index])
            }
            let body = try await kit.count("SELECT count(*)::int FROM {schema}.messages WHERE body_text IN ('Anyone there?', 'Hello?')")
            #expect(body == 2, "each customer's text is its ticket's first message")
            let (again, againHeaders, _) = try await TicketTestKit.send(
                client, .post, place, token: admin, body: #"{"departmentID":"\#(kit.departmentID.lowercased)"}"#)
            #expect(again == .notFound)
            #expect(againHeaders[.contentType] == "application/problem+json")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE subject IN ('Old mailbox', 'Re: nothing')") == 2)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.parked_commands") == 0)
        }
    }

    @Test("The History tab lists every action with who did it and when, newest first, in pages; the customer does not see it")
    func history() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Unplug it.","sendVariant":"waiting"}"#)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/priority", token: token, body: #"{"priority":"high"}"#)
            var actions: [String] = []
            var cursor: String?
            repeat {
                let (status, _, page) = try await TicketTestKit.send(
                    client, .get, "/api/v1/tickets/\(id)/history?limit=2" + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""), token: token)
                #expect(status == .ok)
                let items = try #require(page["items"] as? [[String: Any]])
                #expect(items.count <= 2)
                if actions.isEmpty {
                    let newest = try #require(items.first)
                    #expect(newest["actorKind"] as? String == "agent")
                    #expect(newest["actorID"] as? String == agent.lowercased)
                    #expect(newest["details"] as? [String: String] == ["from": "normal", "to": "high"])
                    #expect(newest["at"] is String)
                }
                actions += items.compactMap { $0["action"] as? String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil
            #expect(actions == ["ticket.priority_changed", "ticket.status_changed", "ticket.replied", "ticket.assigned", "ticket.created"])
            let (hidden, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/history", token: customer.token)
            #expect(hidden == .notFound)
        }
    }

    @Test("A customer reply to a waiting ticket of an inactive owner moves it to an active agent, where it counts toward their Max Tickets; only the owner replies")
    func inactiveOwner() async throws {
        try await TicketTestKit.run { client, kit in
            let first = try await kit.agent()
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let token = try await kit.token(first, roles: ["Agent"])
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Try again.","sendVariant":"waiting"}"#)
            try await kit.setActive(first, false)
            let second = try await kit.agent()
            let (_, _, moved) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"No luck."}"#)
            #expect(moved["status"] as? String == "active")
            #expect(moved["agentID"] as? String == second.lowercased)
            #expect(try await kit.count("SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(second.lowercased)'") == 1,
                    "a ticket that moves to another agent on a reply counts as a new one for them")
            let (refused, headers, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"I'm back."}"#)
            #expect(refused == .conflict && headers[.contentType] == "application/problem+json", "the former owner takes it before replying")
        }
    }

    @Test("Agents see only their groups' tickets (others are 404) and customers only their own")
    func visibility() async throws {
        try await TicketTestKit.run { client, kit in
            let member = try await kit.agent()
            let otherGroup = UUID()
            try await kit.identity("group.created", ["id": otherGroup.lowercased, "departmentID": kit.departmentID.lowercased, "name": "Level 2"])
            let outsider = try await kit.agent(in: otherGroup)
            let customer = try await kit.customer()
            let stranger = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let (own, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: try await kit.token(member, roles: ["Agent"]))
            #expect(own == .ok)
            let (hidden, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: try await kit.token(outsider, roles: ["Agent"]))
            #expect(hidden == .notFound)
            let (foreign, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: stranger.token)
            #expect(foreign == .notFound)
            let (_, _, mine) = try await TicketTestKit.send(client, .get, "/api/v1/tickets", token: customer.token)
            #expect((mine["items"] as? [[String: Any]])?.count == 1)
            let (_, _, theirs) = try await TicketTestKit.send(client, .get, "/api/v1/tickets", token: stranger.token)
            #expect((theirs["items"] as? [[String: Any]])?.isEmpty == true)
            let (timeline, _, items) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: customer.token)
            #expect(timeline == .ok)
            #expect((items["items"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test("Bad input is a 4xx problem and writes nothing: unknown department, no subject, empty body, unknown status, a close without the required resolution")
    func badInput() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let customer = try await kit.customer()
            let cases: [(String, HTTPResponse.Status)] = [
                (#"{"departmentID":"\#(UUID().uuidString)","subject":"Hi","body":"x"}"#, .unprocessableContent),
                (#"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"  ","body":"x"}"#, .unprocessableContent),
                (#"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Hi","body":"   "}"#, .unprocessableContent),
                (#"{"departmentID":"not-an-id","subject":"Hi","body":"x"}"#, .unprocessableContent),
                (#"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Hi"#, .badRequest),
            ]
            for (body, expected) in cases {
                let (status, headers, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: customer.token, body: body)
                #expect(status == expected, "\(body)")
                #expect(headers[.contentType] == "application/problem+json")
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.outbox") == 0)

            try await kit.departmentSettings(["tickets": ["requireResolutionToClose": true]], version: 2)
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let token = try await kit.token(agent, roles: ["Agent"])
            let (unknown, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: token, body: #"{"status":"solved"}"#)
            #expect(unknown == .badRequest || unknown == .unprocessableContent)
            let (guarded, _, problem) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: token, body: #"{"status":"closed"}"#)
            #expect(guarded == .unprocessableContent)
            #expect((problem["detail"] as? String)?.contains("resolution") == true)
            let (resolved, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/comments", token: token, body: #"{"type":"resolution","body":"Replaced the fuser."}"#)
            #expect(resolved == .created)
            let (closed, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: token, body: #"{"status":"closed"}"#)
            #expect(closed == .ok)
        }
    }

    @Test("A customer finds their tickets by subject and closes one; their next message reopens it")
    func customerSearchAndClose() async throws {
        try await TicketTestKit.run { client, kit in
            _ = try await kit.agent()
            let customer = try await kit.customer()
            let printer = try #require(try await kit.submit(client, token: customer.token, subject: "Printer on fire")["id"] as? String)
            _ = try await kit.submit(client, token: customer.token, subject: "Invoice question")
            let (_, _, found) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?q=PRINTER", token: customer.token)
            #expect((found["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [printer])
            let (closed, _, ticket) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(printer)/close", token: customer.token)
            #expect(closed == .ok)
            #expect(ticket["status"] as? String == "closed")
            let (_, _, reopened) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(printer)/messages", token: customer.token, body: #"{"body":"Fire is back"}"#)
            #expect(reopened["status"] as? String == "active")
        }
    }

    @Test("Managers see another department's tickets only when it allows managers outside it to view them; agents never")
    func outsideManagers() async throws {
        try await TicketTestKit.run { client, kit in
            let billing = UUID()
            let billingGroup = UUID()
            func billingDepartment(version: Int, open: Bool) async throws {
                try await kit.identity("department.updated", [
                    "id": billing.lowercased, "brandID": kit.brandID.lowercased, "name": "Billing", "frontLineGroupID": billingGroup.lowercased,
                    "version": version, "settings": ["allowOutsideManagersToView": open],
                ])
            }
            try await billingDepartment(version: 1, open: false)
            try await kit.identity("group.created", ["id": billingGroup.lowercased, "departmentID": billing.lowercased, "name": "Billing Front Line"])
            let manager = try await kit.token(try await kit.agent(handling: "pull"), roles: ["Agent", "Manager"])
            let agent = try await kit.token(try await kit.agent(handling: "pull"), roles: ["Agent"])
            let customer = try await kit.customer()
            let (_, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token, body: #"{"departmentID":"\#(billing.lowercased)","subject":"Refund","body":"Please"}"#)
            let id = try #require(ticket["id"] as? String)
            let (closed, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: manager)
            #expect(closed == .notFound)
            try await billingDepartment(version: 2, open: true)
            let (open, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: manager)
            #expect(open == .ok)
            let (list, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=department&id=\(billing.lowercased)", token: manager)
            #expect(list == .ok)
            #expect((page["items"] as? [[String: Any]])?.count == 1)
            let (agentView, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: agent)
            #expect(agentView == .notFound)

            let (commented, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/comments", token: manager, body: #"{"body":"Seen from Support"}"#)
            #expect(commented == .created, "viewing includes commenting")
            for (method, path, body) in [
                (HTTPRequest.Method.put, "priority", #"{"priority":"urgent"}"#), (.put, "status", #"{"status":"closed"}"#),
                (.post, "replies", #"{"body":"Refunded"}"#), (.delete, "", ""),
            ] {
                let (refused, headers, _) = try await TicketTestKit.send(client, method, "/api/v1/tickets/\(id)" + (path.isEmpty ? "" : "/\(path)"), token: manager, body: body)
                #expect(refused == .forbidden, "an outside manager only views: \(path)")
                #expect(headers[.contentType] == "application/problem+json")
            }
            let (_, _, bulk) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: manager, body: #"{"ticketIDs":["\#(id)"],"action":"priority","priority":"high"}"#)
            #expect((bulk["items"] as? [[String: Any]])?.first?["status"] as? Int == 403, "a bulk action answers as the single one")
            let (_, _, after) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: manager)
            #expect(after["priority"] as? String == "normal" && after["status"] as? String == "active" && after["deletedAt"] == nil, "nor in bulk")
        }
    }
}

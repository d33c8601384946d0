import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing
import TestSupport
@testable import TicketsApp

/// What other services send on `tickets.commands` is checked as the HTTP API checks a request, but a customer's message
/// in it is kept wherever it can be: nobody is there to send it again.
@Suite("Unfit input in ticket commands", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketCommandInputTests {
    static func open(_ command: OpenTicketCommand, kit: TicketTestKit) async throws {
        let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
        let bytes = try CloudEventCoding.encode(
            CloudEvent(source: command.source, type: OpenTicketCommand.type, subject: command.subject, brandid: nil, data: command))
        try await kit.database.transaction { try await handler.apply(OpenTicketCommand.type, bytes, on: $0) }
    }

    static func add(_ command: AddTicketMessageCommand, kit: TicketTestKit) async throws {
        let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
        let bytes = try CloudEventCoding.encode(
            CloudEvent(source: command.source, type: AddTicketMessageCommand.type, subject: command.subject, brandid: nil, data: command))
        try await kit.database.transaction { try await handler.apply(AddTicketMessageCommand.type, bytes, on: $0) }
    }

    /// The id and number of the ticket titled `subject` in the agent's My Tickets.
    static func listedTicket(_ subject: String, _ client: any TestClientProtocol, token: String) async throws -> (id: String, number: String) {
        let (_, _, found) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine", token: token)
        let ticket = try #require((found["items"] as? [[String: Any]])?.first { $0["subject"] as? String == subject })
        return (try #require(ticket["id"] as? String), try #require(ticket["number"] as? String))
    }

    @Test("Whom else mail was addressed to and copied stays on its message, each address once and only those that name a mailbox, and Reply All copies them")
    func mailRecipientsStayOnTheMessage() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            try await Self.open(
                OpenTicketCommand(
                    departmentID: kit.departmentID.lowercased, customerEmail: "lee@customer.example", subject: "Copied", bodyText: "Hello",
                    source: "email", to: ["sam@customer.example"], cc: ["boss@customer.example", "BOSS@customer.example", "not an address"]),
                kit: kit)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.messages m JOIN {schema}.tickets t ON t.id = m.ticket_id
                WHERE t.subject = 'Copied' AND m.to_addresses = '{sam@customer.example}' AND m.cc_addresses = '{boss@customer.example}'
                """) == 1)
            let (id, number) = try await Self.listedTicket("Copied", client, token: token)
            let (_, _, all) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/compose?mode=replyAll", token: token)
            #expect(all["to"] as? [String] == ["lee@customer.example"])
            #expect(all["cc"] as? [String] == ["sam@customer.example", "boss@customer.example"], "Reply All copies whom the customer's mail named")

            try await Self.add(
                AddTicketMessageCommand(
                    ticketNumber: number, fromAddress: "lee@customer.example", subject: "Re: Copied", bodyText: "And the printer too.", source: "email",
                    cc: ["ops@customer.example"]),
                kit: kit)
            let (_, _, next) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/compose?mode=replyAll", token: token)
            #expect(next["cc"] as? [String] == ["ops@customer.example"], "the latest message's copies")
        }
    }

    @Test("Files an email carried are the ticket's attachments on the message that brought them; those the upload rules refuse are named in a comment")
    func mailAttachmentsAreKeptOrNamed() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            try await Self.open(
                OpenTicketCommand(
                    departmentID: kit.departmentID.lowercased, customerEmail: "lee@customer.example", subject: "Attached", bodyText: "See the files.",
                    source: "email",
                    attachments: [
                        MailAttachmentSortingTests.file("invoice.pdf", Array("%PDF-1.4".utf8), type: "application/pdf"),
                        MailAttachmentSortingTests.file("setup.exe", [0x4D, 0x5A]),
                    ]),
                kit: kit)
            let (id, number) = try await Self.listedTicket("Attached", client, token: token)
            let (_, _, files) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/attachments", token: token)
            let listed = (files["items"] as? [[String: Any]]) ?? []
            #expect(listed.map { $0["filename"] as? String } == ["invoice.pdf"])
            #expect(listed.first?["contentType"] as? String == "application/pdf" && listed.first?["internal"] as? Bool == false)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.message_attachments ma JOIN {schema}.messages m ON m.id = ma.message_id
                WHERE m.ticket_id = '\(id)' AND m.direction = 'in'
                """) == 1, "the first message carries it")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.comments WHERE ticket_id = '\(id)' AND type = 'general' AND body LIKE '%setup.exe: Files of type .exe%'
                """) == 1, "the agent learns something is missing")

            try await Self.add(
                AddTicketMessageCommand(
                    ticketNumber: number, fromAddress: "lee@customer.example", subject: "Re: Attached", bodyText: "And the log.", source: "email",
                    attachments: [MailAttachmentSortingTests.file("printer.log", Array("jam".utf8), type: "text/plain")]),
                kit: kit)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.message_attachments ma JOIN {schema}.messages m ON m.id = ma.message_id
                JOIN {schema}.attachments a ON a.id = ma.attachment_id
                WHERE m.ticket_id = '\(id)' AND m.body_text LIKE 'And the log.%' AND a.filename = 'printer.log'
                """) == 1, "a later email's file goes with its own message")
            #expect(try await kit.eventTypes().filter { $0 == "ticket.attachment_added" }.count == 2)
        }
    }

    @Test("A command naming another department's group, or a group nobody knows, opens its ticket in its department's front line; its own group is kept")
    func groupOutsideTheDepartment() async throws {
        try await TicketTestKit.run { _, kit in
            let other = try await kit.otherBrandDepartment()
            let second = try await kit.secondGroupAgent()
            for (subject, group) in [("Foreign", other.group), ("Unknown", UUID()), ("Own", second.group)] {
                try await Self.open(
                    OpenTicketCommand(
                        departmentID: kit.departmentID.lowercased, groupID: group.lowercased, customerEmail: "lee@customer.example",
                        subject: subject, bodyText: "Hello", source: "chat"),
                    kit: kit)
            }
            func placed(_ subject: String, in group: UUID) async throws -> Int {
                try await kit.count("""
                    SELECT count(*)::int FROM {schema}.tickets
                    WHERE subject = '\(subject)' AND department_id = '\(kit.departmentID.lowercased)' AND group_id = '\(group.lowercased)'
                    """)
            }
            #expect(try await placed("Foreign", in: kit.frontLineID) == 1, "not handed to another department's agents")
            #expect(try await placed("Unknown", in: kit.frontLineID) == 1, "not left in a queue nobody serves")
            #expect(try await placed("Own", in: second.group) == 1)
        }
    }

    @Test("NUL characters in a command's texts are left out and the message kept, also when the command waited for its department")
    func nulCharactersAreLeftOut() async throws {
        try await TicketTestKit.run { _, kit in
            let later = UUID()
            try await Self.open(
                OpenTicketCommand(
                    departmentID: later.lowercased, customerEmail: "lee@customer.example", subject: "Printer\u{0} jam", bodyText: "It\u{0} beeps.",
                    source: "email", rawContent: "Subject: Printer\u{0} jam\r\n\r\nIt\u{0} beeps."),
                kit: kit)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.parked_commands") == 1, "parked until its department is known")
            try await kit.identity("department.created", [
                "id": later.lowercased, "brandID": kit.brandID.lowercased, "name": "Later", "frontLineGroupID": UUID().lowercased,
                "hiddenFromPortal": false, "version": 1,
            ])
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.departments WHERE id = '\(later.lowercased)'") == 1,
                    "the department's event still applies")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE subject = 'Printer jam'") == 1)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.messages m JOIN {schema}.tickets t ON t.id = m.ticket_id
                JOIN {schema}.message_sources s ON s.message_id = m.id
                WHERE t.subject = 'Printer jam' AND m.body_text = 'It beeps.' AND s.raw_content LIKE 'Subject: Printer jam%'
                """) == 1)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.parked_commands") == 0)
        }
    }

    @Test("An email without a subject or text, or longer than the API takes, still becomes a ticket, its whole text kept as its source")
    func unfitEmailsAreKept() async throws {
        try await TicketTestKit.run { _, kit in
            let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
            let long = String(repeating: "All of the logs. ", count: 7_000)
            for (number, subject, text) in [("000-00000000-0001", "", ""), ("000-00000000-0002", "Logs", long)] {
                let command = AddTicketMessageCommand(
                    ticketNumber: number, fromAddress: "lee@customer.example", subject: subject, bodyText: text,
                    departmentID: kit.departmentID.lowercased, source: "email", rawContent: "Subject: \(subject)\r\n\r\n\(text)")
                let bytes = try CloudEventCoding.encode(
                    CloudEvent(source: "email", type: AddTicketMessageCommand.type, subject: number, brandid: nil, data: command))
                try await kit.database.transaction { try await handler.apply(AddTicketMessageCommand.type, bytes, on: $0) }
            }
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.tickets t JOIN {schema}.messages m ON m.ticket_id = t.id
                WHERE t.subject = '(no subject)' AND m.body_text = '(no text)'
                """) == 1)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.tickets t JOIN {schema}.messages m ON m.ticket_id = t.id
                JOIN {schema}.message_sources s ON s.message_id = m.id
                WHERE t.subject = 'Logs' AND length(m.body_text) <= 100000 AND m.body_text LIKE '%Cut at 100,000 characters%'
                  AND length(s.raw_content) > 100000
                """) == 1, "the text cut with a note, the whole email kept")
        }
    }

    @Test("An email from an address the API would refuse an agent (a domain literal, a separator left in) is kept as a ticket, not dropped")
    func looseSendersAreKept() async throws {
        try await TicketTestKit.run { _, kit in
            for sender in ["lee@[192.0.2.7]", "lee,morgan@customer.example", "\"lee<morgan>\"@customer.example"] {
                try await Self.open(OpenTicketCommand(
                    departmentID: kit.departmentID.lowercased, customerEmail: sender, subject: "Printer", bodyText: "Hello", source: "email"), kit: kit)
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 3)
        }
    }

    @Test("A command that meets a server fault (a stored template this instance cannot read) fails, to be run again, instead of being dropped")
    func serverFaultIsRetried() async throws {
        try await TicketTestKit.run { client, kit in
            _ = try await kit.requiredFieldsTemplate(client)
            _ = try await kit.count(#"UPDATE {schema}.templates SET fields = '[{"fieldID":5}]' RETURNING 1"#)
            let command = OpenTicketCommand(
                departmentID: kit.departmentID.lowercased, customerEmail: "lee@customer.example", subject: "Printer", bodyText: "Hello", source: "chat")
            await #expect(throws: (any Error).self, "the consumer runs it again later") {
                try await Self.open(command, kit: kit)
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0)
        }
    }
}

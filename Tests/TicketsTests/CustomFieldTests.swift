import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing
import TestSupport
import TicketsApp

@Suite("Ticket custom fields and templates", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct CustomFieldTests {
    @Test("The department's template requires fields of customers on submit and of agents to close, as each audience's form says; bad values are 422 and write nothing")
    func requiredFields() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let (_, _, referrer) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/custom-fields", token: admin, body: #"{"name":"Referrer","dataType":"dropdown","options":["Magazine","TV"]}"#)
            let (_, _, serial) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/custom-fields", token: admin, body: #"{"name":"Serial number","dataType":"text"}"#)
            let referrerID = try #require(referrer["id"] as? String)
            let serialID = try #require(serial["id"] as? String)
            try await Self.departmentTemplate(
                client, kit, admin: admin,
                #"{"name":"Support","fields":[{"fieldID":"\#(referrerID)","visibility":"both","requiredByUsers":true,"requiredForSend":false,"requiredForClose":false,"showInCompose":false},{"fieldID":"\#(serialID)","visibility":"agents","requiredByUsers":false,"requiredForSend":false,"requiredForClose":true,"showInCompose":true}]}"#)
            let agent = try await kit.agent()
            let agentToken = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let path = "/api/v1/tickets"
            let department = kit.departmentID.lowercased

            let form = "/api/v1/tickets/departments/\(department)/form"
            for token in [nil, customer.token] {
                let (status, _, portal) = try await TicketTestKit.send(client, .get, form, token: token)
                #expect(status == .ok)
                let fields = (portal["fields"] as? [[String: Any]]) ?? []
                #expect(fields.compactMap { $0["id"] as? String } == [referrerID], "customers see the fields visible to users")
                #expect(fields.first?["requiredToSubmit"] as? Bool == true)
                #expect(fields.first?["options"] as? [String] == ["Magazine", "TV"])
                #expect(fields.first?["requiredForClose"] == nil)
            }
            let (_, _, console) = try await TicketTestKit.send(client, .get, form, token: agentToken)
            let agentFields = (console["fields"] as? [[String: Any]]) ?? []
            #expect(agentFields.compactMap { $0["id"] as? String } == [referrerID, serialID], "agents see theirs, in the template's order")
            #expect(agentFields.last?["requiredForClose"] as? Bool == true)
            #expect(agentFields.last?["showInCompose"] as? Bool == true)
            #expect(agentFields.last?["name"] as? String == "Serial number")
            let (unknown, unknownHeaders, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/departments/\(UUID().lowercased)/form", token: nil)
            #expect(unknown == .notFound)
            #expect(unknownHeaders[.contentType] == "application/problem+json")
            let (missing, _, problem) = try await TicketTestKit.send(
                client, .post, path, token: customer.token, body: #"{"departmentID":"\#(department)","subject":"Hi","body":"x"}"#)
            #expect(missing == .unprocessableContent)
            #expect((problem["errors"] as? [[String: String]])?.first?["field"] == "customFields.\(referrerID)")
            let (wrong, _, _) = try await TicketTestKit.send(
                client, .post, path, token: customer.token, body: #"{"departmentID":"\#(department)","subject":"Hi","body":"x","customFields":{"\#(referrerID)":"Radio"}}"#)
            #expect(wrong == .unprocessableContent)
            let (agentsOnly, _, _) = try await TicketTestKit.send(
                client, .post, path, token: customer.token,
                body: #"{"departmentID":"\#(department)","subject":"Hi","body":"x","customFields":{"\#(referrerID)":"TV","\#(serialID)":"SN-1"}}"#)
            #expect(agentsOnly == .unprocessableContent, "customers fill only the fields they see")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0)
            let (ok, _, ticket) = try await TicketTestKit.send(
                client, .post, path, token: customer.token, body: #"{"departmentID":"\#(department)","subject":"Hi","body":"x","customFields":{"\#(referrerID)":"TV"}}"#)
            #expect(ok == .created)
            let id = try #require(ticket["id"] as? String)
            let (closeEarly, _, closeProblem) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: agentToken, body: #"{"status":"closed"}"#)
            #expect(closeEarly == .unprocessableContent)
            #expect((closeProblem["errors"] as? [[String: String]])?.first?["message"] == "Serial number is required")
            let (filled, _, values) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/custom-fields", token: agentToken, body: #"{"\#(serialID)":"SN-42"}"#)
            #expect(filled == .ok)
            #expect(values as? [String: String] == [referrerID: "TV", serialID: "SN-42"])
            let (_, _, customerSees) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/custom-fields", token: customer.token)
            #expect(customerSees as? [String: String] == [referrerID: "TV"], "an agents-only field's value stays with agents")
            let (_, _, agentSees) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/custom-fields", token: agentToken)
            #expect(agentSees as? [String: String] == [referrerID: "TV", serialID: "SN-42"])
            let (closed, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: agentToken, body: #"{"status":"closed"}"#)
            #expect(closed == .ok)
        }
    }

    @Test("A field Required for Agents to save or send holds an agent's reply and their saved fields until it is filled; a field visible to users only is neither on the agents' form nor theirs to fill")
    func requiredToSendAndUsersOnly() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let fields = "/api/v1/tickets/custom-fields"
            let (_, _, order) = try await TicketTestKit.send(client, .post, fields, token: admin, body: #"{"name":"Order number","dataType":"text"}"#)
            let (_, _, optIn) = try await TicketTestKit.send(client, .post, fields, token: admin, body: #"{"name":"Newsletter","dataType":"checkbox"}"#)
            let orderID = try #require(order["id"] as? String), optInID = try #require(optIn["id"] as? String)
            try await Self.departmentTemplate(
                client, kit, admin: admin,
                #"{"name":"Orders","fields":[{"fieldID":"\#(orderID)","visibility":"both","requiredByUsers":false,"requiredForSend":true,"requiredForClose":false,"showInCompose":true},{"fieldID":"\#(optInID)","visibility":"users","requiredByUsers":false,"requiredForSend":false,"requiredForClose":false,"showInCompose":false}]}"#)
            let agentToken = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let form = "/api/v1/tickets/departments/\(kit.departmentID.lowercased)/form"
            let (_, _, console) = try await TicketTestKit.send(client, .get, form, token: agentToken)
            #expect(((console["fields"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == [orderID], "not the users-only field")
            let (_, _, portal) = try await TicketTestKit.send(client, .get, form, token: nil)
            #expect(((portal["fields"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == [orderID, optInID])

            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let reply = "/api/v1/tickets/\(id)/replies"
            let (held, headers, problem) = try await TicketTestKit.send(client, .post, reply, token: agentToken, body: #"{"body":"Which order?"}"#)
            #expect(held == .unprocessableContent && headers[.contentType] == "application/problem+json")
            #expect((problem["errors"] as? [[String: String]])?.first?["field"] == "customFields.\(orderID)")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.messages WHERE direction = 'outgoing'") == 0, "nothing sent")
            let values = "/api/v1/tickets/\(id)/custom-fields"
            let (unsaved, _, saveProblem) = try await TicketTestKit.send(client, .put, values, token: agentToken, body: #"{"\#(orderID)":""}"#)
            #expect(unsaved == .unprocessableContent, "saving leaves the field required to save empty")
            #expect((saveProblem["errors"] as? [[String: String]])?.first?["field"] == "customFields.\(orderID)")
            let (customersOwn, _, ownProblem) = try await TicketTestKit.send(
                client, .put, values, token: agentToken, body: #"{"\#(orderID)":"A-17","\#(optInID)":"true"}"#)
            #expect(customersOwn == .unprocessableContent, "the users-only field is the customer's to fill")
            #expect((ownProblem["errors"] as? [[String: String]])?.first?["field"] == "customFields.\(optInID)")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.ticket_field_values") == 0, "nothing saved")
            #expect(try await TicketTestKit.send(client, .put, values, token: agentToken, body: #"{"\#(orderID)":"A-17"}"#).0 == .ok)
            #expect(try await TicketTestKit.send(client, .put, values, token: agentToken, body: #"{"\#(orderID)":""}"#).0 == .unprocessableContent, "nor can it be cleared")
            #expect(try await TicketTestKit.send(client, .post, reply, token: agentToken, body: #"{"body":"Found it."}"#).0 == .created)
        }
    }

    @Test("A ticket another service opens for a customer (an email) is kept, though it could fill no field customers must fill; a portal submit without it is refused")
    func commandTicketsKeepRequiredFieldsOpen() async throws {
        try await TicketTestKit.run { client, kit in
            let (referrerID, _) = try await kit.requiredFieldsTemplate(client)
            let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
            let command = OpenTicketCommand(
                departmentID: kit.departmentID.lowercased, customerEmail: "lee@customer.example", subject: "Broken", bodyText: "It broke.", source: "email")
            let bytes = try CloudEventCoding.encode(CloudEvent(source: "mail", type: OpenTicketCommand.type, subject: "x", brandid: nil, data: command))
            try await kit.database.transaction { try await handler.apply(OpenTicketCommand.type, bytes, on: $0) }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE subject = 'Broken'") == 1, "the email became a ticket")
            let customer = try await kit.customer()
            let (refused, _, problem) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token, body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Hi","body":"x"}"#)
            #expect(refused == .unprocessableContent)
            #expect((problem["errors"] as? [[String: String]])?.first?["field"] == "customFields.\(referrerID)")
        }
    }

    @Test("A template whose fields contradict each other is refused; field definitions are for employees, not customers")
    func contradictionsAndDefinitionsAccess() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let (_, _, serial) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/custom-fields", token: admin, body: #"{"name":"Serial","dataType":"text"}"#)
            let serialID = try #require(serial["id"] as? String)
            let field = { (visibility: String, users: Bool, send: Bool, close: Bool) in
                #"{"fieldID":"\#(serialID)","visibility":"\#(visibility)","requiredByUsers":\#(users),"requiredForSend":\#(send),"requiredForClose":\#(close),"showInCompose":false}"#
            }
            for (fields, problem) in [
                (field("users", false, false, true), "fields[0].visibility"),
                (field("users", false, true, false), "fields[0].visibility"),
                (field("agents", true, false, false), "fields[0].visibility"),
                (field("both", false, false, false) + "," + field("agents", false, false, true), "fields[1].fieldID"),
            ] {
                let (status, _, refused) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/templates", token: admin, body: #"{"name":"Support","fields":[\#(fields)]}"#)
                #expect(status == .unprocessableContent, "\(fields)")
                #expect((refused["errors"] as? [[String: String]])?.first?["field"] == problem)
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.templates WHERE default_for IS NULL") == 0, "nothing was written")
            let (made, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/templates", token: admin, body: #"{"name":"Support","fields":[\#(field("users", true, false, false))]}"#)
            #expect(made == .created, "a users-only field customers must complete is fine")

            let customer = try await kit.customer()
            let (forCustomer, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/custom-fields", token: customer.token)
            #expect(forCustomer == .forbidden)
            let agent = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (forAgent, _, listed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/custom-fields", token: agent)
            #expect(forAgent == .ok)
            #expect((listed["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [serialID])
        }
    }

    @Test("Administrators list, edit and delete fields and templates; a new ticket takes the fields' Default Values and tells them")
    func manageFieldsAndTemplates() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let agentToken = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let fields = "/api/v1/tickets/custom-fields"
            let (_, _, newsletter) = try await TicketTestKit.send(
                client, .post, fields, token: admin, body: #"{"name":"Newsletter","dataType":"dropdown","options":["Yes","No"],"defaultValue":"Yes"}"#)
            let (_, _, serial) = try await TicketTestKit.send(client, .post, fields, token: admin, body: #"{"name":"Serial","dataType":"text","defaultValue":""}"#)
            #expect(serial["defaultValue"] == nil, "a Default Value left blank is none")
            let (dated, _, bought) = try await TicketTestKit.send(client, .post, fields, token: admin, body: #"{"name":"Bought","dataType":"date","defaultValue":" "}"#)
            #expect(dated == .created && bought["defaultValue"] == nil, "for every data type")
            let newsletterID = try #require(newsletter["id"] as? String)
            let serialID = try #require(serial["id"] as? String)
            let field = { (id: String) in #"{"fieldID":"\#(id)","visibility":"both","requiredByUsers":false,"requiredForSend":false,"requiredForClose":false,"showInCompose":false}"# }
            let (_, _, template) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/templates", token: admin, body: #"{"name":"Support","fields":[\#(field(newsletterID)),\#(field(serialID))]}"#)
            let templateID = try #require(template["id"] as? String)
            try await kit.departmentSettings(["tickets": ["customFieldTemplateID": templateID]], version: 2)
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let (_, _, values) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/custom-fields", token: agentToken)
            #expect(values as? [String: String] == [newsletterID: "Yes"], "the Default Value of a field the customer left out")
            let (_, _, history) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/history", token: agentToken)
            let told = (history["items"] as? [[String: Any]])?.first { $0["action"] as? String == "ticket.custom_fields_changed" }?["details"]
            #expect(told as? [String: String] == [newsletterID: "Yes"], "the values a ticket starts with are told like every later change")
            let created = (history["items"] as? [[String: Any]])?.first { $0["action"] as? String == "ticket.created" }?["details"] as? [String: Any]
            #expect(created?["field.\(newsletterID)"] as? String == "Yes", "a rule on new tickets reads their fields in ticket.created")
            let (_, before, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: agentToken)
            let (resaved, after, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/custom-fields", token: agentToken, body: #"{"\#(newsletterID)":"Yes","\#(serialID)":""}"#)
            #expect(resaved == .ok && after[.eTag] == before[.eTag], "saving the values already there changes nothing")
            let (_, _, unchanged) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/history", token: agentToken)
            #expect((unchanged["items"] as? [[String: Any]])?.count { $0["action"] as? String == "ticket.custom_fields_changed" } == 1)

            let (renamed, _, edited) = try await TicketTestKit.send(
                client, .put, fields + "/\(newsletterID)", token: admin, body: #"{"name":"Promotions","dataType":"dropdown","options":["Yes","No","Later"],"defaultValue":"Later"}"#)
            #expect(renamed == .ok)
            #expect(edited["name"] as? String == "Promotions")
            let (retyped, _, _) = try await TicketTestKit.send(client, .put, fields + "/\(newsletterID)", token: admin, body: #"{"name":"Promotions","dataType":"text"}"#)
            #expect(retyped == .unprocessableContent)
            let (denied, _, _) = try await TicketTestKit.send(client, .put, fields + "/\(newsletterID)", token: agentToken, body: #"{"name":"X","dataType":"dropdown","options":["Yes"]}"#)
            #expect(denied == .forbidden)

            let (_, _, listed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/templates", token: admin)
            #expect(
                (listed["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
                    == ["Default Call Log Template", "Default Live Chat Template", "Default Ticket Template", "Support"])
            let (changed, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/templates/\(templateID)", token: admin, body: #"{"name":"Support v2","fields":[\#(field(serialID))]}"#)
            #expect(changed == .ok)
            let (_, _, read) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/templates/\(templateID)", token: admin)
            #expect(read["name"] as? String == "Support v2")
            #expect((read["fields"] as? [[String: Any]])?.compactMap { $0["fieldID"] as? String } == [serialID])

            let (deletedField, _, _) = try await TicketTestKit.send(client, .delete, fields + "/\(newsletterID)", token: admin)
            #expect(deletedField == .noContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.ticket_field_values") == 0, "its values go with it")
            #expect(try await kit.eventTypes().filter { $0.hasPrefix("custom_field.") } == [
                "custom_field.created", "custom_field.created", "custom_field.created", "custom_field.updated", "custom_field.deleted",
            ], "reports and rules learn each field's definition, and that its values are gone")
            let (deletedTemplate, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/templates/\(templateID)", token: admin)
            #expect(deletedTemplate == .noContent)
            let (missing, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/templates/\(templateID)", token: admin)
            #expect(missing == .notFound)
            let (_, _, plain) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token, body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Hi","body":"x"}"#)
            #expect(plain["id"] is String, "a department whose template was deleted has the default, without fields")
        }
    }

    @Test("The default templates exist from the start and cannot be deleted; a department without a template uses the Default Ticket Template")
    func defaultTicketTemplate() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let customer = try await kit.customer()
            let (_, _, listed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/templates", token: admin)
            let defaults = (listed["items"] as? [[String: Any]] ?? []).filter { $0["defaultFor"] != nil }
            #expect(Set(defaults.compactMap { $0["defaultFor"] as? String }) == ["tickets", "chats", "call_logs"])
            let ticketTemplate = try #require(defaults.first { $0["defaultFor"] as? String == "tickets" }?["id"] as? String)
            let (undeletable, headers, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/templates/\(ticketTemplate)", token: admin)
            #expect(undeletable == .conflict && headers[.contentType] == "application/problem+json")

            let department = #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Hi","body":"x"}"#
            let (_, _, before) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: customer.token, body: department)
            #expect(before["id"] is String, "without fields the default asks nothing")
            let (_, _, field) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/custom-fields", token: admin, body: #"{"name":"Order number","dataType":"text"}"#)
            let fieldID = try #require(field["id"] as? String)
            let (edited, _, template) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/templates/\(ticketTemplate)", token: admin,
                body: #"{"name":"Default Ticket Template","fields":[{"fieldID":"\#(fieldID)","visibility":"both","requiredByUsers":true,"requiredForSend":false,"requiredForClose":false,"showInCompose":false}]}"#)
            #expect(edited == .ok && template["defaultFor"] as? String == "tickets")
            // The request caches hear of a template change from PostgreSQL's notification, a moment after it.
            func submissionRefused() async throws -> Bool {
                for _ in 0..<50 {
                    let (status, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: customer.token, body: department)
                    if status == .unprocessableContent { return true }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return false
            }
            #expect(try await submissionRefused(), "the department has no template of its own: the default's required field applies")
            let (_, _, form) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/departments/\(kit.departmentID.lowercased)/form", token: customer.token)
            #expect((form["fields"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [fieldID], "and its submission form shows it")
            let (filled, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Hi","body":"x","customFields":{"\#(fieldID)":"A-1"}}"#)
            #expect(filled == .created)
            let (_, _, values) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(try #require(ticket["id"] as? String))/custom-fields", token: admin)
            #expect(values[fieldID] as? String == "A-1")

            let (_, _, own) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/templates", token: admin, body: #"{"name":"Support","fields":[]}"#)
            let ownID = try #require(own["id"] as? String)
            try await kit.departmentSettings(["tickets": ["customFieldTemplateID": ownID]], version: 2)
            let (withOwn, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: customer.token, body: department)
            #expect(withOwn == .created, "a template of its own replaces the default")
            let (deletedOwn, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/templates/\(ownID)", token: admin)
            #expect(deletedOwn == .noContent)
            #expect(try await submissionRefused(), "its own template deleted, the department uses the default again")
        }
    }

    @Test("A list shows the values of the custom fields chosen as Visible Fields; a malformed choice is a 400")
    func visibleFields() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let fieldID = try await kit.referrerField(client, admin: admin)
            let customer = try await kit.customer()
            let (_, _, withValue) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Hi","body":"x","customFields":{"\#(fieldID)":"TV"}}"#)
            let id = try #require(withValue["id"] as? String)
            _ = try await kit.submit(client, token: customer.token, subject: "Without")
            let (listed, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine&fields=\(fieldID)", token: token)
            #expect(listed == .ok)
            #expect((page["items"] as? [[String: Any]])?.count == 2)
            #expect(page["fieldValues"] as? [String: [String: String]] == [id: [fieldID: "TV"]])
            let (_, _, plain) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine", token: token)
            #expect(plain["fieldValues"] == nil, "nothing extra unless asked for")
            let (bad, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine&fields=referrer", token: token)
            #expect(bad == .badRequest)
        }
    }

    /// Creates the template `body` describes and makes it the kit's department's Ticket Template.
    static func departmentTemplate(_ client: any TestClientProtocol, _ kit: TicketTestKit, admin: String, _ body: String) async throws {
        let (created, _, template) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/templates", token: admin, body: body)
        #expect(created == .created)
        try await kit.departmentSettings(["tickets": ["customFieldTemplateID": try #require(template["id"] as? String)]], version: 2)
    }
}

import Contracts
import EventBus
import Foundation
import Logging
import NIOHTTP1
import Testing
import TestSupport

@Suite("Tickets through the gateway", .serialized, .enabled(if: TestEnvironment.hasFleet), .timeLimit(.minutes(20)))
struct TicketsThroughTheGatewayTests {
    /// Polls every `interval` until `check` holds for a GET through the gateway, or fails after the timeout. A latency
    /// measured with it includes up to one interval of polling.
    static func eventually(
        _ url: String, headers: [(String, String)], timeout: Duration = .seconds(20), interval: Duration = .milliseconds(100),
        _ check: @escaping ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        try await timedEventually(url, headers: headers, timeout: timeout, interval: interval, check).json
    }

    /// Polls `url` until `check` holds; answers the reply and how long the change took to show: until the first
    /// request that saw it was sent, so that request's own round trip (hundreds of milliseconds on a machine running
    /// two fleets and the suite at once) does not count as the change's delay.
    static func timedEventually(
        _ url: String, headers: [(String, String)], timeout: Duration = .seconds(20), interval: Duration = .milliseconds(100),
        _ check: @escaping ([String: Any]) -> Bool
    ) async throws -> (json: [String: Any], elapsed: Duration) {
        let start = ContinuousClock.now
        var last: [String: Any] = [:]
        while ContinuousClock.now - start < timeout {
            let sent = ContinuousClock.now
            let reply = try await TestHTTP.shared.send(.GET, url, headers: headers)
            last = reply.json ?? [:]
            if reply.status == 200 && check(last) { return (last, sent - start) }
            try await Task.sleep(for: interval)
        }
        throw TestSetupError("condition not met for \(url): \(last)")
    }

    /// A department made through identity, once tickets has it in its directory: (department, front-line group).
    static func department(_ fleet: TestFleet, admin: [(String, String)]) async throws -> (String, String) {
        let brand = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/brand", host: "demo.localhost")
        let department = try await TestHTTP.shared.send(
            .POST, fleet.gatewayURL + "/api/v1/identity/departments", headers: admin,
            json: ["brandID": try #require(brand.json?["id"] as? String), "name": "Support"])
        let departmentID = try #require(department.json?["id"] as? String)
        _ = try await eventually(fleet.gatewayURL + "/api/v1/tickets/departments", headers: [("Host", "demo.localhost")]) { list in
            (list["items"] as? [[String: Any]])?.contains { $0["id"] as? String == departmentID } == true
        }
        return (departmentID, try #require(department.json?["frontLineGroupID"] as? String))
    }

    @Test("A portal ticket (sent twice with one Idempotency-Key, made once) goes by round robin to the active primary agent, who replies; the customer reopens it; a sticky comment on the customer's account leads the agent's timeline; a form sent with a reply is filled out once through its link; a task holds it open until completed; closed and locked it stays locked")
    func ticketLifeCycle() async throws {
        try await withFleet(TestFleet.Options(otherServices: true)) { fleet in
            let host = [("Host", "demo.localhost")]
            let admin = host + [("Authorization", "Bearer \(try await fleet.signIn())")]
            let (departmentID, groupID) = try await Self.department(fleet, admin: admin)

            try await fleet.concierge(["create-user", "--email", "agent@demo.localhost", "--password", "agent-password"])
            let agent = host + [("Authorization", "Bearer \(try await fleet.signIn(email: "agent@demo.localhost", password: "agent-password"))")]
            let agentID = try #require(try await TestHTTP.shared.send(.GET, fleet.gatewayURL + "/api/v1/identity/me", headers: agent).json?["userID"] as? String)
            let membership = try await TestHTTP.shared.send(
                .PUT, fleet.gatewayURL + "/api/v1/identity/groups/\(groupID)/members/\(agentID)", headers: admin, json: ["ticketHandling": "primary"])
            #expect(membership.status == 200)
            let active = try await TestHTTP.shared.send(
                .PUT, fleet.gatewayURL + "/api/v1/identity/agents/\(agentID)/status", headers: agent,
                json: ["groupID": groupID, "channel": "tickets", "active": true])
            #expect(active.status == 200)

            let registered = try await TestHTTP.shared.send(
                .POST, fleet.gatewayURL + "/api/v1/identity/registrations", headers: host,
                json: ["email": "lee@customer.example", "password": "customer-password", "captcha": try await PortalCaptcha.solved(fleet)])
            #expect(registered.status == 201)
            let customer = host + [("Authorization", "Bearer \(try await fleet.signIn(email: "lee@customer.example", password: "customer-password"))")]
            let plain = ["departmentID": departmentID, "subject": "Printer on fire", "body": "It smokes."]
            let unsolved = try await TestHTTP.shared.send(.POST, fleet.gatewayURL + "/api/v1/tickets", headers: customer, json: plain)
            #expect(unsolved.status == 422, "an unverified user passes the CAPTCHA")
            var submission: [String: Any] = plain
            submission["captcha"] = try await PortalCaptcha.solved(fleet)
            let keyed = customer + [("Idempotency-Key", "lee-printer-1")]
            let submitted = try await TestHTTP.shared.send(.POST, fleet.gatewayURL + "/api/v1/tickets", headers: keyed, json: submission)
            #expect(submitted.status == 201)
            let resent = try await TestHTTP.shared.send(.POST, fleet.gatewayURL + "/api/v1/tickets", headers: keyed, json: submission)
            #expect(resent.status == 201, "a submission sent again with its Idempotency-Key answers the same ticket")
            #expect(resent.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(resent.json?["id"] as? String == submitted.json?["id"] as? String)
            let ticketURL = fleet.gatewayURL + "/api/v1/tickets/" + (try #require(submitted.json?["id"] as? String))
            let assigned = try await Self.eventually(ticketURL, headers: agent) { $0["agentID"] as? String == agentID }
            #expect(assigned["status"] as? String == "active")

            let reply = try await TestHTTP.shared.send(.POST, ticketURL + "/replies", headers: agent, json: ["body": "Unplug it.", "sendVariant": "waiting"])
            #expect(reply.status == 201)
            #expect(reply.json?["status"] as? String == "waiting")
            let answer = try await TestHTTP.shared.send(.POST, ticketURL + "/messages", headers: customer, json: ["body": "Still smokes."])
            #expect(answer.json?["status"] as? String == "active")
            try await Self.stickyUserComment(fleet, ticketURL: ticketURL, customer: customer, admin: admin, agent: agent)
            try await Self.sendForm(fleet, ticketURL: ticketURL, admin: admin, agent: agent)
            let requireTasks = try await TestHTTP.shared.send(
                .PATCH, fleet.gatewayURL + "/api/v1/identity/departments/\(departmentID)", headers: admin,
                json: ["name": "Support with tasks", "settings": ["tickets": ["requireAllTasksCompletedToClose": true]]])
            #expect(requireTasks.status == 200)
            _ = try await Self.eventually(fleet.gatewayURL + "/api/v1/tickets/departments", headers: host) { list in
                (list["items"] as? [[String: Any]])?.contains { $0["name"] as? String == "Support with tasks" } == true
            }
            let task = try await TestHTTP.shared.send(.POST, ticketURL + "/tasks", headers: agent, json: ["subject": "Order a new fuser"])
            #expect(task.status == 201)
            let taskURL = fleet.gatewayURL + "/api/v1/tickets/tasks/" + (try #require(task.json?["id"] as? String))
            let held = try await TestHTTP.shared.send(.PUT, ticketURL + "/status", headers: agent, json: ["status": "closed_locked"])
            #expect(held.status == 422)
            let completed = try await TestHTTP.shared.send(.PATCH, taskURL, headers: agent, json: ["status": "completed"])
            #expect(completed.json?["status"] as? String == "completed")
            let locked = try await TestHTTP.shared.send(.PUT, ticketURL + "/status", headers: agent, json: ["status": "closed_locked"])
            #expect(locked.json?["status"] as? String == "closed_locked")
            let refused = try await TestHTTP.shared.send(.POST, ticketURL + "/messages", headers: customer, json: ["body": "Hello?"])
            #expect(refused.status == 409)
            let final = try await TestHTTP.shared.send(.GET, ticketURL, headers: customer)
            #expect(final.json?["status"] as? String == "closed_locked")

            let messages = try await TopicReader.read(brokers: fleet.brokers, topic: ServiceName.tickets.eventsTopic, timeout: .seconds(15)) { messages in
                messages.contains { (try? CloudEventCoding.decodeHeader($0.value))?.type == "ticket.status_changed" }
            }
            let types = messages.compactMap { try? CloudEventCoding.decodeHeader($0.value).type }
            #expect(types.contains("ticket.created"))
            #expect(types.contains("ticket.assigned"))
        }
    }
}

extension TicketsThroughTheGatewayTests {
    /// A sticky comment kept on the customer's account in identity reaches the agents' timeline of their ticket through
    /// `identity.events`, ahead of the newer messages; the customer does not see it.
    static func stickyUserComment(
        _ fleet: TestFleet, ticketURL: String, customer: [(String, String)], admin: [(String, String)], agent: [(String, String)]
    ) async throws {
        let me = try await TestHTTP.shared.send(.GET, fleet.gatewayURL + "/api/v1/identity/me", headers: customer)
        let customerID = try #require(me.json?["userID"] as? String)
        let added = try await TestHTTP.shared.send(
            .POST, fleet.gatewayURL + "/api/v1/identity/users/\(customerID)/comments", headers: admin, json: ["body": "Prefers phone calls", "sticky": true])
        #expect(added.status == 201)
        let timeline = try await eventually(ticketURL + "/timeline", headers: agent) { page in
            (page["items"] as? [[String: Any]])?.first?["kind"] as? String == "user_comment"
        }
        let first = (timeline["items"] as? [[String: Any]])?.first?["comment"] as? [String: Any]
        #expect(first?["body"] as? String == "Prefers phone calls")
        let seen = try await TestHTTP.shared.send(.GET, ticketURL + "/timeline", headers: customer)
        #expect((seen.json?["items"] as? [[String: Any]])?.contains { $0["kind"] as? String == "user_comment" } == false)
    }

    /// Send Form: the agent's reply carries the form's link on the brand's host; whoever holds it fills it out
    /// through the gateway without signing in, once, and the ticket is Active again.
    static func sendForm(_ fleet: TestFleet, ticketURL: String, admin: [(String, String)], agent: [(String, String)]) async throws {
        let form = try await TestHTTP.shared.send(
            .POST, fleet.gatewayURL + "/api/v1/tickets/forms", headers: admin,
            json: ["name": "Printer details", "fields": [["id": "model", "type": "shortResponse", "label": "Model", "required": true]]])
        #expect(form.status == 201)
        let formID = try #require(form.json?["id"] as? String)
        let compose = try await TestHTTP.shared.send(.GET, ticketURL + "/compose?formID=\(formID)", headers: agent)
        let introduction = try #require(compose.json?["bodyHTML"] as? String)
        let sent = try await TestHTTP.shared.send(
            .POST, ticketURL + "/replies", headers: agent, json: ["bodyHTML": introduction, "formID": formID, "sendVariant": "waiting"])
        #expect(sent.json?["status"] as? String == "waiting")
        let timeline = try await TestHTTP.shared.send(.GET, ticketURL + "/timeline", headers: agent)
        let newest = (timeline.json?["items"] as? [[String: Any]])?.first { $0["message"] != nil }
        let html = (newest?["message"] as? [String: Any])?["bodyHTML"] as? String ?? ""
        let link = try #require(html.firstMatch(of: /href="http:\/\/demo\.localhost(\/api\/v1\/tickets\/sent-forms\/[^"]+)"/))
        let formURL = fleet.gatewayURL + String(link.1).replacingOccurrences(of: "&amp;", with: "&")
        let host = [("Host", "demo.localhost")]
        #expect(try await TestHTTP.shared.send(.GET, formURL, headers: host).json?["name"] as? String == "Printer details")
        let filled = try await TestHTTP.shared.send(.POST, formURL, headers: host, json: ["answers": ["model": "LaserJet 4"]])
        #expect(filled.status == 201)
        #expect(try await TestHTTP.shared.send(.POST, formURL, headers: host, json: ["answers": ["model": "LaserJet 4"]]).status == 409)
        #expect(try await TestHTTP.shared.send(.GET, ticketURL, headers: agent).json?["status"] as? String == "active")
    }
}

@Suite("Ticket search index is disposable", .serialized, .enabled(if: TestEnvironment.hasFleet), .timeLimit(.minutes(20)))
struct TicketSearchIndexRebuildTests {
    static let corpus: [(subject: String, body: String, email: String)] = [
        ("Printer jams", "Paper is stuck in the printer tray.", "lee@customer.example"),
        ("Scanner offline", "The scanner shows an error.", "lee@customer.example"),
        ("Printer toner empty", "The light blinks.", "lee@customer.example"),
        ("Invoice question", "The printer on my invoice is the wrong model.", "kim@customer.example"),
        ("Toner order", "Please send toner cartridges.", "kim@customer.example"),
        ("Login problem", "Cannot sign in.", "kim@customer.example"),
    ]

    /// Searches whose ranked answers must survive the index: words in subjects and bodies, two words, a filter.
    static let queries = ["text=printer", "text=toner", "text=printer%20toner", "text=scanner", "text=toner&email=lee@customer.example"]

    @Test("A new message is searchable within a second; after kill -9 and deleting the index, the restarted service rebuilds it from PostgreSQL and every search ranks the same tickets the same way")
    func rebuildAfterKill() async throws {
        try await withFleet(TestFleet.Options(otherServices: true)) { fleet in
            let host = [("Host", "demo.localhost")]
            let admin = host + [("Authorization", "Bearer \(try await fleet.signIn())")]
            let (departmentID, _) = try await TicketsThroughTheGatewayTests.department(fleet, admin: admin)
            var ids: [String] = []
            for ticket in Self.corpus {
                let created = try await TestHTTP.shared.send(
                    .POST, fleet.gatewayURL + "/api/v1/tickets", headers: host,
                    json: [
                        "departmentID": departmentID, "subject": ticket.subject, "body": ticket.body, "email": ticket.email,
                        "captcha": try await PortalCaptcha.solved(fleet),
                    ])
                #expect(created.status == 201)
                ids.append(try #require(created.json?["id"] as? String))
            }
            let searchURL = fleet.gatewayURL + "/api/v1/tickets/search?"
            let (_, latency) = try await TicketsThroughTheGatewayTests.timedEventually(
                searchURL + "text=login", headers: admin, timeout: .seconds(10), interval: .milliseconds(20)
            ) { ($0["items"] as? [[String: Any]])?.count == 1 }
            #expect(latency < .seconds(1), "searchable within a second (took \(latency))")
            let before = try await Self.answers(fleet, admin: admin)
            #expect(Set(before["text=printer"] ?? []) == [ids[0], ids[2], ids[3]])
            #expect(Set(before["text=toner"] ?? []) == [ids[2], ids[4]])
            #expect(before["text=scanner"] == [ids[1]])
            #expect(before["text=toner&email=lee@customer.example"] == [ids[2]], "the filter holds inside the query")

            let tickets = try #require(fleet.others.first { $0.service == .tickets })
            let rebuiltBefore = Self.rebuilds(tickets.process)
            await tickets.process.killHard()
            try FileManager.default.removeItem(atPath: fleet.dataDirectory(of: .tickets) + "/tickets-index")
            try tickets.process.restart()
            try await fleet.waitReady("http://127.0.0.1:\(tickets.port)", tickets.process)
            _ = try await TicketsThroughTheGatewayTests.eventually(searchURL + "text=login", headers: admin, timeout: .seconds(30)) {
                ($0["items"] as? [[String: Any]])?.count == 1
            }
            // Log lines are written in batches: the line may follow the first answers by a moment.
            var rebuilt = Self.rebuilds(tickets.process)
            let deadline = ContinuousClock.now + .seconds(10)
            while rebuilt.count <= rebuiltBefore.count && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                rebuilt = Self.rebuilds(tickets.process)
            }
            #expect(rebuilt.count > rebuiltBefore.count, "the restarted service rebuilt its index")
            #expect(rebuilt.last?.contains(#""documents":"\#(Self.corpus.count)""#) == true, "from every ticket in PostgreSQL: \(rebuilt.last ?? "")")
            #expect(try await Self.answers(fleet, admin: admin) == before, "the same tickets in the same order")
        }
    }

    /// Each query's ticket ids, in ranked order.
    static func answers(_ fleet: TestFleet, admin: [(String, String)]) async throws -> [String: [String]] {
        var answers: [String: [String]] = [:]
        for query in queries {
            let reply = try await TestHTTP.shared.send(.GET, fleet.gatewayURL + "/api/v1/tickets/search?" + query, headers: admin)
            #expect(reply.status == 200)
            answers[query] = (reply.json?["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } ?? []
        }
        return answers
    }

    /// The log lines in which the process said it rebuilt its search index.
    static func rebuilds(_ process: ManagedProcess) -> [String] {
        ((try? String(contentsOfFile: process.logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).filter {
            $0.contains("search index rebuilt") && $0.contains("tickets")
        }
    }
}

@Suite("Ticket commands", .serialized, .enabled(if: TestEnvironment.hasFleet), .timeLimit(.minutes(20)))
struct TicketCommandTests {
    @Test("A ticket.create command on tickets.commands opens one ticket, even when delivered twice")
    func openTicketOnce() async throws {
        try await withFleet(TestFleet.Options(otherServices: true)) { fleet in
            let host = [("Host", "demo.localhost")]
            let admin = host + [("Authorization", "Bearer \(try await fleet.signIn())")]
            let (departmentID, _) = try await TicketsThroughTheGatewayTests.department(fleet, admin: admin)
            let command = OpenTicketCommand(
                departmentID: departmentID, customerEmail: "offline@customer.example", subject: "Left a message in chat",
                bodyText: "Please call me back.", source: "livechat")
            let event = CloudEvent(source: ServiceName.livechat.rawValue, type: OpenTicketCommand.type, subject: departmentID, brandid: nil, data: command)
            let bytes = try CloudEventCoding.encode(event)
            let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: fleet.brokers), logger: Logger(label: "test"))
            let message = OutgoingMessage(topic: ServiceName.tickets.commandsTopic, key: departmentID, value: bytes)
            let results = await producer.send([message, message])
            await producer.shutdown()
            #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
            let searchURL = fleet.gatewayURL + "/api/v1/tickets/search?email=offline@customer.example"
            let found = try await TicketsThroughTheGatewayTests.eventually(searchURL, headers: admin) { ($0["items"] as? [[String: Any]])?.isEmpty == false }
            try await Task.sleep(for: .seconds(2))
            let settled = try await TestHTTP.shared.send(.GET, searchURL, headers: admin)
            #expect((settled.json?["items"] as? [[String: Any]])?.count == 1, "the redelivered command opened no second ticket")
            #expect(((found["items"] as? [[String: Any]])?.first?["ticket"] as? [String: Any])?["subject"] as? String == "Left a message in chat")
        }
    }
}

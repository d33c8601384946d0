import Database
import Foundation
import HTTPTypes
import PostgresNIO
import Testing
import TestSupport

@testable import TicketsApp

@Suite("Timing alerts: idle and duration warnings and critical alerts", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TimingAlertTests {
    @Test("Only set thresholds count; the level is the highest threshold passed")
    func thresholds() {
        var settings = TicketSettings()
        #expect(TimingRules.thresholds(.idle, settings: settings).isEmpty)
        settings.idleWarningMinutes = 10
        settings.idleCriticalMinutes = 30
        settings.durationCriticalMinutes = 60
        let idle = TimingRules.thresholds(.idle, settings: settings)
        #expect(idle == [TimingThreshold(level: 1, minutes: 10), TimingThreshold(level: 2, minutes: 30)])
        #expect(TimingRules.thresholds(.duration, settings: settings) == [TimingThreshold(level: 2, minutes: 60)])
        #expect(TimingRules.level(after: 599, thresholds: idle) == 0)
        #expect(TimingRules.level(after: 600, thresholds: idle) == 1)
        #expect(TimingRules.level(after: 1_800, thresholds: idle) == 2)
        #expect(TimingAlert.duration.eventType(level: 2) == "ticket.duration_critical")
    }

    @Test("Each alert is raised once per idle period and once per ticket's life; a reply starts a new idle period")
    func raisedOnce() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let (patched, _, _) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/settings", token: try await kit.administratorToken(),
                body: #"{"idleWarningMinutes":10,"idleCriticalMinutes":30,"durationWarningMinutes":120}"#)
            #expect(patched == .ok)
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            func age(_ column: String, minutes: Int) async throws {
                try await kit.database.client.query(PostgresQuery(unsafeSQL: """
                    UPDATE \(kit.database.table("tickets")) SET \(column) = now() - interval '\(minutes) minutes' WHERE id = '\(id)'
                    """)).consume()
            }
            func alerts() async throws -> [String] { try await kit.eventTypes().filter { $0.hasPrefix("ticket.idle_") || $0.hasPrefix("ticket.duration_") } }

            #expect(try await kit.api.store.raiseTimingAlerts() == 0)
            try await age("awaiting_since", minutes: 11)
            #expect(try await kit.api.store.raiseTimingAlerts() == 1)
            #expect(try await kit.api.store.raiseTimingAlerts() == 0, "a warning is raised once")
            try await age("awaiting_since", minutes: 31)
            try await age("created_at", minutes: 121)
            #expect(try await kit.api.store.raiseTimingAlerts() == 2)
            #expect(try await alerts() == ["ticket.idle_warning", "ticket.idle_critical", "ticket.duration_warning"])
            func shown() async throws -> (idle: String?, duration: String?, listed: [String?]) {
                let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
                let (_, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine&status=active", token: token)
                let row = (page["items"] as? [[String: Any]])?.first { $0["id"] as? String == id }
                return (ticket["idleAlert"] as? String, ticket["durationAlert"] as? String, [row?["idleAlert"] as? String, row?["durationAlert"] as? String])
            }
            let critical = try await shown()
            #expect(critical.idle == "critical" && critical.duration == "warning", "the ticket shows what was raised")
            #expect(critical.listed == ["critical", "warning"], "and so does its row in the agent's list")
            let (_, _, asCustomer) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: customer.token)
            #expect(asCustomer["idleAlert"] as? String == "none" && asCustomer["durationAlert"] as? String == "none",
                "the agent is warned, not the customer")

            let (replied, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"On it.","sendVariant":"active"}"#)
            #expect(replied == .created)
            #expect(try await kit.api.store.raiseTimingAlerts() == 0, "the reply restarted the idle time")
            let afterReply = try await shown()
            #expect(afterReply.idle == "none" && afterReply.duration == "warning")
            try await age("idle_since", minutes: 12)
            #expect(try await kit.api.store.raiseTimingAlerts() == 1)
            #expect(try await alerts().last == "ticket.idle_warning")
            #expect(try await alerts().count { $0.hasPrefix("ticket.duration_") } == 1, "the duration warning stays raised")
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: token, body: #"{"status":"closed"}"#).0 == .ok)
            let (_, _, closed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(closed["idleAlert"] as? String == "none" && closed["durationAlert"] as? String == "none", "a closed ticket is not flagged")
        }
    }

    @Test("Clearing or raising a threshold brings down the levels raised under the old ones, once the worker sees the change")
    func changedThresholds() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let admin = try await kit.administratorToken()
            func patch(_ body: String) async throws {
                #expect(try await TicketTestKit.send(client, .patch, "/api/v1/tickets/settings", token: admin, body: body).0 == .ok)
            }
            try await patch(#"{"idleWarningMinutes":10,"idleCriticalMinutes":30,"durationCriticalMinutes":60}"#)
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            try await kit.database.client.query(PostgresQuery(unsafeSQL: """
                UPDATE \(kit.database.table("tickets")) SET awaiting_since = now() - interval '31 minutes', created_at = now() - interval '61 minutes'
                WHERE id = '\(id)'
                """)).consume()
            let watch = TimingSettingsWatch()
            #expect(try await kit.api.store.raiseTimingAlerts(watch: watch) == 2)
            func shown() async throws -> [String?] {
                let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
                return [ticket["idleAlert"] as? String, ticket["durationAlert"] as? String]
            }
            #expect(try await shown() == ["critical", "critical"])
            try await patch(#"{"idleCriticalMinutes":null,"durationCriticalMinutes":null}"#)
            #expect(try await kit.api.store.raiseTimingAlerts(watch: watch) == 0, "bringing a level down raises nothing")
            #expect(try await shown() == ["warning", "none"], "the idle time is still past the warning; no duration threshold is left")
            try await patch(#"{"idleWarningMinutes":45}"#)
            #expect(try await kit.api.store.raiseTimingAlerts(watch: watch) == 0)
            #expect(try await shown() == ["none", "none"])
            try await patch(#"{"idleWarningMinutes":20}"#)
            #expect(try await kit.api.store.raiseTimingAlerts(watch: watch) == 1, "a lowered threshold warns again")
            #expect(try await shown() == ["warning", "none"])
        }
    }
}

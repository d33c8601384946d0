@testable import ServiceKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

import Testing

@Suite("Service bootstrap")
struct ServiceKitTests {
    @Test("Configuration comes from CONCIERGE_ variables and a malformed number names its variable")
    func configuration() throws {
        let configuration = try ServiceConfiguration.fromEnvironment(
            serviceName: "identity", defaultPort: 8081, portVariable: "CONCIERGE_IDENTITY_PORT",
            ["CONCIERGE_IDENTITY_PORT": "9001", "CONCIERGE_DATABASE_URL": "postgres://u:p@127.0.0.1:1/db"])
        #expect(configuration.port == 9001)
        #expect(configuration.databaseURL == "postgres://u:p@127.0.0.1:1/db")
        #expect(configuration.instance == "identity-9001")
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.fromEnvironment(serviceName: "identity", defaultPort: 8081, portVariable: "CONCIERGE_IDENTITY_PORT", ["CONCIERGE_IDENTITY_PORT": "eighty"])
        }
    }

    @Test("Consumers remember processed events 30 days by default, and never for less than the outbox keeps events to replay")
    func processedEventsRetention() throws {
        func read(_ values: [String: String]) throws -> ServiceConfiguration {
            try ServiceConfiguration.fromEnvironment(serviceName: "identity", defaultPort: 8081, portVariable: "CONCIERGE_IDENTITY_PORT", values)
        }
        #expect(try read([:]).processedEventsRetentionHours == 720)
        #expect(try read(["CONCIERGE_OUTBOX_RETENTION_HOURS": "2000"]).processedEventsRetentionHours == 2000)
        #expect(throws: ConfigurationError.self) {
            try read(["CONCIERGE_OUTBOX_RETENTION_HOURS": "168", "CONCIERGE_PROCESSED_EVENTS_RETENTION_HOURS": "24"])
        }
        for value in ["0", "-1", "23", "9999999999"] {
            #expect(throws: ConfigurationError.self, "\(value)") {
                try read(["CONCIERGE_OUTBOX_RETENTION_HOURS": "1", "CONCIERGE_PROCESSED_EVENTS_RETENTION_HOURS": value])
            }
        }
    }

    @Test("An event loop count that is not a number of threads stops the process with the variable named")
    func eventLoopCount() throws {
        for value in ["two", "-1", "2000"] {
            #expect(throws: ConfigurationError.self, "\(value)") {
                try EventLoopThreading.configureLoopCount(EnvironmentReader(["CONCIERGE_EVENT_LOOPS": value]))
            }
        }
        try EventLoopThreading.configureLoopCount(EnvironmentReader([:]))
        if ProcessInfo.processInfo.environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil {
            #expect(EventLoopThreading.loopCount == System.coreCount, "unset, the loops stay one per core")
        }
    }

    @Test("Log lines are JSON objects carrying the request id")
    func jsonLogs() throws {
        let line = JSONLogHandler.render(level: .info, message: "hello", label: "identity", service: "identity-1", metadata: ["request_id": "r-1"])
        let object = try #require((try JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])
        #expect(object["request_id"] as? String == "r-1")
        #expect(object["message"] as? String == "hello")
        #expect(object["level"] as? String == "info")
    }

    @Test("An event's metadata overrides the logger's under the same key, and keys come in order")
    func logMetadataOrder() {
        let pairs = JSONLogHandler.pairs(["request_id": "r-1", "zone": "a"], over: ["zone": "b", "method": "GET"])
        #expect(pairs.map(\.key) == ["method", "request_id", "zone"])
        #expect(pairs.map { "\($0.value)" } == ["GET", "r-1", "b"])
        var line: [UInt8] = []
        JSONLogHandler.render(
            level: .info, message: "access", label: "gateway", service: "gateway-1", metadata: pairs,
            time: Date(timeIntervalSince1970: 0), into: &line)
        #expect(String(decoding: line, as: UTF8.self) == #"{"time":"1970-01-01T00:00:00.000","level":"info","service":"gateway-1","logger":"gateway","message":"access","method":"GET","request_id":"r-1","zone":"b"}"#)
    }

    @Test("Readiness fails with the check's name when a dependency fails or hangs past the limit")
    func readiness() async {
        let checks = [
            ReadinessCheck(name: "database") {},
            ReadinessCheck(name: "broker") { try await Task.sleep(for: .seconds(30)) },
        ]
        let start = ContinuousClock.now
        let failures = await HealthRoutes.evaluate(checks, timeout: .milliseconds(200))
        #expect(failures.count == 1)
        #expect(failures.first?.hasPrefix("broker") == true)
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test("Requests are counted in /metrics by route and status, errors become problem+json, an address holding NUL is a 400, and the request id is echoed")
    func metricsAndErrors() async throws {
        let metrics = HTTPMetrics()
        let router = ServiceRouter.make(metrics: metrics, checks: [ReadinessCheck(name: "always") {}])
        router.get("/things/{id}") { _, context -> String in
            guard context.parameters.get("id") == "1" else { throw Problem.notFound("no such thing") }
            return "one"
        }
        router.get("/boom") { _, _ -> String in throw CancellationError() }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/things/1", method: .get, headers: [.init("X-Request-Id")!: "req-42"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.init("X-Request-Id")!] == "req-42")
            }
            try await client.execute(uri: "/things/2", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/boom", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/things/1?q=a%00b", method: .get) { response in
                #expect(response.status == .badRequest, "NUL, which no text column holds, is refused before the handler")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"http_requests_total{method="GET",route="/things/{id}",status="200"} 1"#))
                #expect(text.contains(#"http_requests_total{method="GET",route="/things/{id}",status="404"} 1"#))
                #expect(text.contains("http_request_duration_seconds_bucket"))
            }
        }
    }

    @Test("An address holds NUL where it has %00, and only there")
    func encodedNUL() {
        for address in ["%00", "/a?q=%00", "/a/%000", "/a?q=%%00", "/x%00y"] {
            #expect(ProblemMiddleware<ServiceRequestContext>.holdsEncodedNUL(address), "\(address)")
        }
        for address in ["", "%0", "/a?q=%2500", "/a?q=0%0", "/a?q=%0a00", "/a/00%"] {
            #expect(!ProblemMiddleware<ServiceRequestContext>.holdsEncodedNUL(address), "\(address)")
        }
    }

    @Test("A deadline returns even when the operation ignores cancellation")
    func deadline() async {
        let start = ContinuousClock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(100)) {
                while true { try? await Task.sleep(for: .seconds(1)) }
            }
        }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test("The start-up gate releases waiters once opened and later waiters at once")
    func startupGate() async {
        let gate = StartupGate()
        let waiter = Task { await gate.wait(); return true }
        try? await Task.sleep(for: .milliseconds(50))
        gate.open()
        #expect(await waiter.value)
        await gate.wait()
        #expect(gate.isOpen)
    }
}

@Suite("JSON log lines")
struct JSONLogLineTests {
    @Test("A line's time is UTC to the millisecond, without a zone, as ISO 8601")
    func timestamp() throws {
        let expected: [Int64: String] = [
            0: "1970-01-01T00:00:00.000", 946_684_799_999: "1999-12-31T23:59:59.999", 1_796_174_786_230: "2026-12-02T01:26:26.230",
            1_709_164_800_005: "2024-02-29T00:00:00.005", 4_102_444_799_999: "2099-12-31T23:59:59.999", -1: "1969-12-31T23:59:59.999",
        ]
        for (milliseconds, text) in expected {
            #expect(LogTimestamp.text(Date(timeIntervalSince1970: Double(milliseconds) / 1000)) == text)
        }
        let line = JSONLogHandler.render(level: .info, message: "m", label: "l", service: "s", metadata: [:], time: Date(timeIntervalSince1970: 0))
        #expect(line.hasPrefix(#"{"time":"1970-01-01T00:00:00.000","#))
    }

    @Test("Quotes, backslashes, newlines and control characters in messages and metadata stay valid JSON")
    func escaping() throws {
        let line = JSONLogHandler.render(
            level: .warning, message: "say \"hi\"\n\\ \u{01}", label: "l", service: "s",
            metadata: ["nested": .dictionary(["list": .array(["a", "b\"c"])]), "count": .stringConvertible(3)])
        let object = try #require((try JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])
        #expect(object["message"] as? String == "say \"hi\"\n\\ \u{01}")
        #expect(object["count"] as? String == "3")
        #expect(((object["nested"] as? [String: Any])?["list"] as? [String]) == ["a", "b\"c"])
    }
}

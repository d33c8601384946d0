import Contracts
import Foundation
import Synchronization

/// A whole Concierge started from the built binaries for end-to-end tests: its own database, its own broker,
/// two identity instances, optionally every other service, and the gateway, each on a free port.
public final class TestFleet: Sendable {
    public let databaseURL: String
    public let brokerPort: Int
    public let broker: ManagedProcess
    public let identities: [ManagedProcess]
    public let identityPorts: [Int]
    public let gateway: ManagedProcess
    public let gatewayPort: Int
    public let others: [(service: ServiceName, process: ManagedProcess, port: Int)]
    public let logDirectory: String
    let binDirectory: String

    public var gatewayURL: String { "http://127.0.0.1:\(gatewayPort)" }
    public var brokers: String { "127.0.0.1:\(brokerPort)" }
    public func identityURL(_ index: Int) -> String { "http://127.0.0.1:\(identityPorts[index])" }
    /// Where a service other than identity keeps its files (e.g. its search index).
    public func dataDirectory(of service: ServiceName) -> String { logDirectory + "/data/" + service.rawValue }

    public struct Options: Sendable {
        public var otherServices: Bool
        /// How many tickets processes run (with `otherServices`), each on its own port with its own search index, all
        /// behind the gateway's round robin.
        public var ticketsInstances: Int
        public var gatewayTimeoutMilliseconds: Int
        /// Variables every process of the fleet gets on top of the test's own.
        public var environment: [String: String]

        /// The gateway's upstream deadline. Generous by default: two fleets and the in-process suites share two cores,
        /// and a sign-in (bcrypt) queued behind them once took longer than 3 s. The deadline test sets its own.
        public init(
            otherServices: Bool = false, ticketsInstances: Int = 1, gatewayTimeoutMilliseconds: Int = 15_000, environment: [String: String] = [:]
        ) {
            self.otherServices = otherServices
            self.ticketsInstances = ticketsInstances
            self.gatewayTimeoutMilliseconds = gatewayTimeoutMilliseconds
            self.environment = environment
        }
    }

    /// Starts the broker, then both identity instances at the same moment on an empty database (so their
    /// migrations race), then the other services and the gateway; returns when every one is ready.
    public static func start(_ options: Options = Options()) async throws -> TestFleet {
        guard let bin = TestEnvironment.binDirectory, let tansu = TestEnvironment.tansu else {
            throw TestSetupError("CONCIERGE_TEST_BIN_DIR and CONCIERGE_TEST_TANSU must be set (run through make test)")
        }
        let fleet = try TestFleet(
            databaseURL: try await TestDatabase.create(), bin: bin, tansu: tansu, options: options)
        try await fleet.startAll()
        return fleet
    }

    private init(databaseURL: String, bin: String, tansu: String, options: Options) throws {
        let logDirectory = TestEnvironment.runDirectory + "/e2e-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        self.logDirectory = logDirectory
        self.binDirectory = bin
        self.databaseURL = databaseURL
        let brokerPort = FreePort.next()
        self.brokerPort = brokerPort
        let listener = "tcp://127.0.0.1:\(brokerPort)"
        self.broker = ManagedProcess(
            name: "broker", executable: tansu,
            arguments: ["broker", "--listener-url", listener, "--advertised-listener-url", listener],
            environment: [:], logDirectory: logDirectory)
        let common: [String: String] = [
            "CONCIERGE_DATABASE_URL": databaseURL,
            "CONCIERGE_KAFKA_BROKERS": "127.0.0.1:\(brokerPort)",
            "CONCIERGE_KAFKA_MESSAGE_TIMEOUT_MS": "5000",
            "CONCIERGE_LOG_LEVEL": "info",
            "CONCIERGE_BCRYPT_COST": "4",
            "CONCIERGE_CAPTCHA_DIFFICULTY": "8",
            "CONCIERGE_OUTBOX_POLL_MS": "50",
            "CONCIERGE_DATABASE_MAX_CONNECTIONS": "6",
            "CONCIERGE_DATABASE_MIN_CONNECTIONS": "1",
            "CONCIERGE_SOCKET_DIR": logDirectory + "/sockets",
        ].merging(options.environment) { _, chosen in chosen }
        let identityPorts = [FreePort.next(), FreePort.next()]
        self.identityPorts = identityPorts
        self.identities = identityPorts.enumerated().map { index, port in
            ManagedProcess(
                name: "identity-\(index + 1)", executable: bin + "/identity",
                environment: common.merging([
                    "CONCIERGE_IDENTITY_PORT": "\(port)", "CONCIERGE_INSTANCE": "identity-\(index + 1)",
                ]) { _, new in new },
                logDirectory: logDirectory)
        }
        var gatewayEnvironment = common
        gatewayEnvironment["CONCIERGE_IDENTITY_URLS"] = identityPorts.map { "http://127.0.0.1:\($0)" }.joined(separator: ",")
        gatewayEnvironment["CONCIERGE_GATEWAY_UPSTREAM_TIMEOUT_MS"] = "\(options.gatewayTimeoutMilliseconds)"
        var others: [(ServiceName, ManagedProcess, Int)] = []
        if options.otherServices {
            for service in ServiceName.allCases where service != .identity {
                var urls: [String] = []
                for instance in 1...(service == .tickets ? max(1, options.ticketsInstances) : 1) {
                    let port = FreePort.next()
                    let name = instance == 1 ? service.rawValue : "\(service.rawValue)-\(instance)"
                    urls.append("http://127.0.0.1:\(port)")
                    others.append((service, ManagedProcess(
                        name: name, executable: bin + "/" + service.rawValue,
                        environment: common.merging([
                            service.environmentPrefix + "PORT": "\(port)", "CONCIERGE_DATA_DIR": logDirectory + "/data/" + name,
                        ]) { _, new in new },
                        logDirectory: logDirectory), port))
                }
                gatewayEnvironment[service.environmentPrefix + "URLS"] = urls.joined(separator: ",")
            }
        }
        self.others = others
        let gatewayPort = FreePort.next()
        self.gatewayPort = gatewayPort
        gatewayEnvironment["CONCIERGE_HTTP_PORT"] = "\(gatewayPort)"
        self.gateway = ManagedProcess(name: "gateway", executable: bin + "/gateway", environment: gatewayEnvironment, logDirectory: logDirectory)
    }

    private func startAll() async throws {
        try await startBroker()
        for identity in identities { try identity.start() }
        for (_, process, _) in others { try process.start() }
        for (index, _) in identities.enumerated() { try await waitReady(identityURL(index), identities[index]) }
        _ = try await concierge(["seed"])
        try gateway.start()
        try await waitReady(gatewayURL, gateway)
        for (_, process, port) in others { try await waitReady("http://127.0.0.1:\(port)", process) }
    }

    public func startBroker() async throws {
        try broker.start()
        let deadline = ContinuousClock.now + .seconds(20)
        while !FreePort.isOpen(brokerPort) {
            guard ContinuousClock.now < deadline else { throw TestSetupError("broker did not start:\n\(broker.logTail())") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// kill -9 the broker: everything it held (messages, offsets) is gone, as with Tansu's memory storage.
    public func killBroker() async {
        await broker.killHard()
    }

    public func waitReady(_ baseURL: String, _ process: ManagedProcess, timeout: Duration = .seconds(60)) async throws {
        guard await TestHTTP.shared.waitForOK(baseURL + "/health/ready", timeout: timeout) else {
            throw TestSetupError("\(process.name) not ready at \(baseURL):\n\(process.logTail())")
        }
    }

    /// Runs the `concierge` admin CLI against this fleet and returns its output.
    @discardableResult
    public func concierge(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binDirectory + "/concierge")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging([
            "CONCIERGE_DATABASE_URL": databaseURL, "CONCIERGE_KAFKA_BROKERS": brokers,
            "CONCIERGE_KAFKA_MESSAGE_TIMEOUT_MS": "5000",
        ]) { _, new in new }
        // What the command prints, apart from its log lines: a PostgreSQL connection retried under load logs a line
        // with its time, and two listings compared for equality must not differ by it.
        let output = Pipe(), log = Pipe()
        process.standardOutput = output
        process.standardError = log
        // The output is a few lines, far below the pipe's buffer, so it is read after the exit.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let logged = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw TestSetupError("concierge \(arguments) failed: \(text)\(logged)")
        }
        return text
    }

    public func shutdown() async {
        await gateway.stop()
        for (_, process, _) in others { await process.stop() }
        for identity in identities { await identity.stop() }
        await broker.killHard()
    }
}

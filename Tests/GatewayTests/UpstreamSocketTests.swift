import Contracts
import Foundation
import GatewayApp
import Hummingbird
import ServiceKit
import ServiceLifecycle
import Testing
import TestSupport

@Suite("Instances on the gateway's host reached through their Unix-domain sockets", .serialized, .timeLimit(.minutes(1)))
struct UpstreamSocketTests {
    /// A tickets instance answering on its port, and with `socket` on that socket too, each saying which one it was.
    struct Instance: Service {
        let port: Int
        let socket: String?

        static func application(answering: String, on address: BindAddress) -> some ApplicationProtocol {
            let router = Router()
            router.get("/api/v1/tickets/where") { _, _ in answering }
            return Application(router: router, configuration: .init(address: address))
        }

        func run() async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await Self.application(answering: "port", on: .hostname("127.0.0.1", port: port)).runService() }
                if let socket {
                    group.addTask { try await Self.application(answering: "socket", on: .unixDomainSocket(path: socket)).runService() }
                }
                try await group.waitForAll()
            }
        }
    }

    static func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gw-sock-" + UUID().uuidString.prefix(8)).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    static func answers(_ directory: String, listening: Bool) async throws -> [String] {
        var answers: [String] = []
        try await withGateway(
            for: .tickets, upstream: { port in Instance(port: port, socket: listening ? "\(directory)/\(port).sock" : nil) },
            environment: [LocalSocket.directoryVariable: directory]
        ) { gatewayPort, _ in
            if listening {
                while !FileManager.default.fileExists(atPath: try Self.socketFile(in: directory)) { try await Task.sleep(for: .milliseconds(20)) }
            }
            for _ in 1...3 {
                let reply = try await TestHTTP.shared.get("http://127.0.0.1:\(gatewayPort)/api/v1/tickets/where", host: "127.0.0.1")
                answers.append("\(reply.status) \(reply.text)")
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
        return answers
    }

    static func socketFile(in directory: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return names.first { $0.hasSuffix(".sock") }.map { "\(directory)/\($0)" } ?? "\(directory)/none"
    }

    @Test("Requests to an instance on this host go through the socket it listens on in CONCIERGE_SOCKET_DIR")
    func throughTheSocket() async throws {
        #expect(try await Self.answers(Self.temporaryDirectory(), listening: true) == Array(repeating: "200 socket", count: 3))
    }

    @Test("An instance that has no socket there is reached on its port")
    func portWithoutSocket() async throws {
        #expect(try await Self.answers(Self.temporaryDirectory(), listening: false) == Array(repeating: "200 port", count: 3))
    }

    @Test("Only instances on the loopback interface get a socket, and only one whose path fits a socket address")
    func whichInstancesGetOne() throws {
        let configuration = try GatewayConfiguration.fromEnvironment([
            LocalSocket.directoryVariable: "/run/concierge",
            "CONCIERGE_TICKETS_URLS": "http://127.0.0.1:8082,http://localhost:8092,http://10.0.0.7:8082",
        ])
        #expect(configuration.upstreams[.tickets]?.map(\.socketPath) == ["/run/concierge/8082.sock", "/run/concierge/8092.sock", nil])
        #expect(try GatewayConfiguration.fromEnvironment(["CONCIERGE_TICKETS_URLS": "http://127.0.0.1:8082"]).upstreams[.tickets]?.first?.socketPath == nil)
        #expect(LocalSocket.path(directory: "", port: 8082) == nil)
        #expect(LocalSocket.path(directory: "/" + String(repeating: "d", count: 100), port: 8082) == nil)
        #expect(LocalSocket.path(directory: "/run/concierge/", port: 8082) == "/run/concierge/8082.sock")
    }
}

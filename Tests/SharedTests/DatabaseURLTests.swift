import Database
import PostgresNIO
import ServiceKit
import Testing
import TestSupport

@Suite("Database URL")
struct DatabaseURLTests {
    @Test("A postgres URL becomes a pooled configuration whose prepared statements always run their generic plan")
    func configuration() throws {
        let configuration = try DatabaseURL.configuration("postgres://concierge:secret@127.0.0.1:55432/concierge", maximumConnections: 12)
        #expect(configuration.host == "127.0.0.1" && configuration.port == 55432)
        #expect(configuration.username == "concierge" && configuration.password == "secret" && configuration.database == "concierge")
        #expect(configuration.options.maximumConnections == 12)
        #expect(configuration.options.additionalStartupParameters.contains { $0 == ("plan_cache_mode", "force_generic_plan") })
    }

    @Test("Connections are kept and never pinged unless asked, and the minimum never exceeds the maximum")
    func connectionsKept() throws {
        let url = "postgres://concierge:secret@127.0.0.1:55432/concierge"
        let plain = try DatabaseURL.configuration(url, maximumConnections: 12)
        #expect(plain.options.minimumConnections == 0 && plain.options.keepAliveBehavior == nil)
        let kept = try DatabaseURL.configuration(url, maximumConnections: 12, minimumConnections: 40, keepAlive: .seconds(30))
        #expect(kept.options.minimumConnections == 12)
        #expect(kept.options.keepAliveBehavior?.frequency == .seconds(30))
    }

    @Test("A service keeps all its connections and pings none unless its environment says otherwise")
    func serviceDefaults() throws {
        let defaults = try ServiceConfiguration.fromEnvironment(serviceName: "tickets", defaultPort: 8082, portVariable: "CONCIERGE_TICKETS_PORT", [:])
        #expect(defaults.databaseMinConnections == defaults.databaseMaxConnections && defaults.databaseKeepAliveSeconds == 0)
        let set = try ServiceConfiguration.fromEnvironment(
            serviceName: "tickets", defaultPort: 8082, portVariable: "CONCIERGE_TICKETS_PORT",
            ["CONCIERGE_DATABASE_MAX_CONNECTIONS": "6", "CONCIERGE_DATABASE_MIN_CONNECTIONS": "1", "CONCIERGE_DATABASE_KEEPALIVE_SECONDS": "45"])
        #expect(set.databaseMaxConnections == 6 && set.databaseMinConnections == 1 && set.databaseKeepAliveSeconds == 45)
    }

    @Test("A URL whose host parameter names a directory reaches the server through its Unix-domain socket there")
    func socketURL() throws {
        let configuration = try DatabaseURL.configuration(
            "postgres://concierge:secret@127.0.0.1:55432/concierge?host=/run/concierge/pg-socket", maximumConnections: 4)
        #expect(configuration.unixSocketPath == "/run/concierge/pg-socket/.s.PGSQL.55432" && configuration.host == nil)
        #expect(configuration.username == "concierge" && configuration.password == "secret" && configuration.database == "concierge")
        #expect(configuration.options.additionalStartupParameters.contains { $0 == ("plan_cache_mode", "force_generic_plan") })
        let noHost = try DatabaseURL.configuration("postgres://concierge@/concierge?host=/tmp", maximumConnections: 4)
        #expect(noHost.unixSocketPath == "/tmp/.s.PGSQL.5432")
    }

    @Test("Anything but a postgres URL, or a socket directory that is not an absolute path, is a configuration error")
    func badURL() {
        #expect(throws: (any Error).self) { try DatabaseURL.configuration("mysql://root@localhost/db", maximumConnections: 1) }
        #expect(throws: (any Error).self) { try DatabaseURL.configuration("postgres://u@localhost/db?host=socket", maximumConnections: 1) }
        #expect(throws: (any Error).self) { try DatabaseURL.configuration("postgres://u@/db", maximumConnections: 1) }
    }

    @Test(
        "A service's queries run over the test cluster's Unix-domain socket",
        .enabled(if: TestEnvironment.hasDatabase && TestEnvironment.databaseSocketDirectory != nil))
    func queriesOverTheSocket() async throws {
        let base = try #require(TestEnvironment.databaseURL), directory = try #require(TestEnvironment.databaseSocketDirectory)
        let answer = try await TestDatabase.withClient(url: base + "?host=" + directory) { client in
            var total = 0
            for try await value in try await client.query("SELECT inet_server_addr() IS NULL AS local, 41 + 1", logger: TestDatabase.logger)
                .decode((Bool, Int).self)
            {
                #expect(value.0, "a connection through the socket has no server address")
                total = value.1
            }
            return total
        }
        #expect(answer == 42)
    }
}

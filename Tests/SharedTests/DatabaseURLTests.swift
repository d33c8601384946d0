import Database
import PostgresNIO
import Testing

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

    @Test("Anything but a postgres URL is a configuration error")
    func badURL() {
        #expect(throws: (any Error).self) { try DatabaseURL.configuration("mysql://root@localhost/db", maximumConnections: 1) }
    }
}

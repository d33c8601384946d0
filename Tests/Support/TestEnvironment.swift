import Foundation

/// What `make test` (scripts/test.sh) tells the tests: where the test PostgreSQL, broker and binaries are.
public enum TestEnvironment {
    static var values: [String: String] { ProcessInfo.processInfo.environment }

    public static var databaseURL: String? { values["CONCIERGE_TEST_DATABASE_URL"] }
    /// The test cluster's Unix-domain socket directory.
    public static var databaseSocketDirectory: String? { values["CONCIERGE_TEST_DATABASE_SOCKET_DIR"] }
    public static var kafkaBrokers: String? { values["CONCIERGE_TEST_KAFKA_BROKERS"] }
    public static var binDirectory: String? { values["CONCIERGE_TEST_BIN_DIR"] }
    public static var tansu: String? { values["CONCIERGE_TEST_TANSU"] }
    /// Where the project's Python wheels are (feedparser among them).
    public static var pythonPath: String? { values["CONCIERGE_TEST_PYTHONPATH"] }
    public static var runDirectory: String { values["CONCIERGE_TEST_RUN_DIR"] ?? NSTemporaryDirectory() }

    /// A Python with aiosmtpd (Debian's python3-aiosmtpd), for a real SMTP server in mail tests.
    public static var smtpPython: String? { values["CONCIERGE_TEST_SMTP_PYTHON"] }

    public static var hasDatabase: Bool { databaseURL != nil }
    public static var hasBroker: Bool { kafkaBrokers != nil }
    public static var hasFleet: Bool { databaseURL != nil && binDirectory != nil && tansu != nil }

    /// The same URL pointing at another database of the test cluster.
    public static func databaseURL(named database: String) -> String? {
        guard let url = databaseURL, var components = URLComponents(string: url) else { return nil }
        components.path = "/" + database
        return components.string
    }
}

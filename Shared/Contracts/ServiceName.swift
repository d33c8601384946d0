/// The services of the fleet: each owns one PostgreSQL schema, one `<name>.events` topic and one HTTP port.
public enum ServiceName: String, CaseIterable, Sendable, Codable {
    case identity, tickets, livechat, whoson, knowledge, surveys, reporting, automation

    public var defaultPort: Int {
        switch self {
        case .identity: 8081
        case .tickets: 8082
        case .livechat: 8083
        case .whoson: 8084
        case .knowledge: 8085
        case .surveys: 8086
        case .reporting: 8087
        case .automation: 8088
        }
    }

    public var schema: String { rawValue }
    public var eventsTopic: String { "\(rawValue).events" }
    public var commandsTopic: String { "\(rawValue).commands" }
    /// Prefix of this service's environment variables, e.g. `CONCIERGE_IDENTITY_`.
    public var environmentPrefix: String { "CONCIERGE_\(rawValue.uppercased())_" }
}

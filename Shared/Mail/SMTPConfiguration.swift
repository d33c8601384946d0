import ServiceKit

/// Where outgoing mail goes: `CONCIERGE_SMTP_HOST`, `CONCIERGE_SMTP_PORT`, `CONCIERGE_MAIL_FROM`.
public struct SMTPConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var from: String
    public var heloName: String

    public init(host: String, port: Int, from: String, heloName: String = "concierge.localhost") {
        self.host = host
        self.port = port
        self.from = from
        self.heloName = heloName
    }

    public static func fromEnvironment(_ environment: EnvironmentReader) throws -> SMTPConfiguration {
        SMTPConfiguration(
            host: environment.string("CONCIERGE_SMTP_HOST", default: "127.0.0.1"),
            port: try environment.int("CONCIERGE_SMTP_PORT", default: 2525),
            from: environment.string("CONCIERGE_MAIL_FROM", default: "Concierge <no-reply@concierge.localhost>"))
    }
}

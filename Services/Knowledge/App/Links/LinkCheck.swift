import Foundation

/// The outcome of checking one link: broken or not, with the HTTP status when there was one and why it failed.
public struct LinkCheck: Codable, Sendable, Equatable {
    public var url: String
    public var broken: Bool
    public var status: Int?
    public var reason: String?
    public var checkedAt: Date

    /// What an HTTP status means for a link: 2xx and 3xx work, 4xx and 5xx are broken.
    public static func from(status: Int, url: String, at now: Date) -> LinkCheck {
        LinkCheck(url: url, broken: status >= 400, status: status, reason: status >= 400 ? "HTTP \(status)" : nil, checkedAt: now)
    }

    public static func failed(_ url: String, reason: String, at now: Date) -> LinkCheck {
        LinkCheck(url: url, broken: true, status: nil, reason: reason, checkedAt: now)
    }
}

import HTTPTypes
import Hummingbird

/// The scheme and host a person used to reach the fleet, for absolute links in emails and pages. The gateway
/// forwards both (`X-Forwarded-Proto` from `CONCIERGE_PUBLIC_SCHEME`, `X-Forwarded-Host` from the Host header) and
/// drops any copy a client sent; a request that reached a service directly falls back to plain http and its own
/// authority.
public enum PublicOrigin {
    public static let schemeHeader = HTTPField.Name("X-Forwarded-Proto")!
    public static let hostHeader = HTTPField.Name("X-Forwarded-Host")!

    /// `https` or `http`, as the gateway forwarded it.
    public static func scheme(of request: Request) -> String {
        request.headers[schemeHeader] == "https" ? "https" : "http"
    }

    public static func host(of request: Request) -> String {
        request.headers[hostHeader] ?? request.head.authority ?? "localhost"
    }

    /// "scheme://host", without a trailing slash.
    public static func of(_ request: Request) -> String {
        scheme(of: request) + "://" + host(of: request)
    }
}

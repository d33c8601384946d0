import Foundation
import HTTPTypes
import Hummingbird

/// An RFC 9457 problem: every error a client sees, with a stable `type` it can branch on.
public struct Problem: Error, HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var type: String
    public var title: String
    public var detail: String?
    public var errors: [FieldError]
    public var headers: HTTPFields

    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public init(
        status: HTTPResponse.Status, type: String, title: String, detail: String? = nil,
        errors: [FieldError] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    public static let typeBase = "https://concierge.dev/problems/"

    public static func badRequest(_ detail: String) -> Problem {
        Problem(status: .badRequest, type: typeBase + "malformed-request", title: "Malformed request", detail: detail)
    }

    public static func unprocessable(_ detail: String, errors: [FieldError] = []) -> Problem {
        Problem(
            status: .unprocessableContent, type: typeBase + "validation-failed", title: "Validation failed",
            detail: detail, errors: errors)
    }

    public static func unauthorized(_ detail: String) -> Problem {
        Problem(
            status: .unauthorized, type: typeBase + "unauthenticated", title: "Authentication required",
            detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    public static func forbidden(_ detail: String) -> Problem {
        Problem(status: .forbidden, type: typeBase + "forbidden", title: "Forbidden", detail: detail)
    }

    public static func notFound(_ detail: String) -> Problem {
        Problem(status: .notFound, type: typeBase + "not-found", title: "Not found", detail: detail)
    }

    public static func conflict(_ detail: String) -> Problem {
        Problem(status: .conflict, type: typeBase + "conflict", title: "Conflict", detail: detail)
    }

    public static func preconditionFailed(_ detail: String) -> Problem {
        Problem(status: .preconditionFailed, type: typeBase + "stale-version", title: "Precondition failed", detail: detail)
    }

    public static func unavailable(_ detail: String) -> Problem {
        Problem(status: .serviceUnavailable, type: typeBase + "unavailable", title: "Service unavailable", detail: detail)
    }

    /// A request body over the limit of whoever read it (the gateway's, a service's upload size).
    public static let contentTooLarge = Problem(status: .contentTooLarge, type: typeBase + "too-large", title: "Content too large")

    public static func gatewayTimeout(_ detail: String) -> Problem {
        Problem(status: .gatewayTimeout, type: typeBase + "upstream-timeout", title: "Gateway timeout", detail: detail)
    }

    public static func internalError(requestID: String?) -> Problem {
        Problem(
            status: .internalServerError, type: typeBase + "internal-error", title: "Internal error",
            detail: requestID.map { "The error was logged with request id \($0)." })
    }

    public static let mediaType = "application/problem+json"

    /// The JSON body, built by hand so field order is stable and no encoder is needed on the error path.
    public var body: [UInt8] {
        var object: [String: Any] = ["type": type, "title": title, "status": Int(status.code)]
        if let detail { object["detail"] = detail }
        if !errors.isEmpty { object["errors"] = errors.map { ["field": $0.field, "message": $0.message] } }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Array(data)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        makeResponse()
    }

    public func makeResponse() -> Response {
        Response(status: status, headers: responseHeaders, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The answer's header fields: the problem's own and its media type.
    public var responseHeaders: HTTPFields {
        var fields = headers
        fields[.contentType] = Self.mediaType
        return fields
    }
}

extension Problem {
    /// Throws one 422 naming every invalid field, or nothing when `errors` is empty.
    public static func throwIfInvalid(_ errors: [FieldError]) throws {
        guard errors.isEmpty else {
            throw Problem.unprocessable(errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "), errors: errors)
        }
    }
}

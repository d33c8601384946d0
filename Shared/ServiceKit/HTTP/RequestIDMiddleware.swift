import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Adopts the gateway's request id and brand headers (or makes an id when called directly), puts the id on every
/// log line of the request, and echoes it in the response.
public struct RequestIDMiddleware<Context: ConciergeContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[HTTPField.Name.requestID].flatMap(RequestIDMiddleware.sanitized) ?? RequestIDMiddleware.make()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        context.brandID = request.headers[HTTPField.Name.brandID]
        context.clientAddress = request.headers[HTTPField.Name.clientAddress]
        var response = try await next(request, context)
        response.headers[HTTPField.Name.requestID] = id
        return response
    }

    /// Accepts only short printable ids so a client cannot inject log content.
    static func sanitized(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return value
    }

    public static func make() -> String { UUIDv7.generate().uuidString.lowercased() }
}

extension HTTPField.Name {
    public static let requestID = HTTPField.Name(InternalHeaders.requestID)!
    public static let brandID = HTTPField.Name(InternalHeaders.brandID)!
    public static let clientAddress = HTTPField.Name(InternalHeaders.clientAddress)!
}

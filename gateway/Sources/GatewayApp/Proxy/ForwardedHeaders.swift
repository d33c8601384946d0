import Contracts
import Foundation
import HTTPTypes
import ServiceKit

/// The headers a request carries upstream: the client's, less hop-by-hop headers and any internal header the
/// client tried to set, plus the gateway's own brand id, request id, client address and the public scheme and host.
public enum ForwardedHeaders {
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
    ]
    static let internalNames: Set<String> = Set(InternalHeaders.all.map { $0.lowercased() } + ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"])
    /// What never goes upstream from a client: hop-by-hop headers, the gateway's own, a second Host, and an
    /// expectation the gateway answered itself (``ContinueExpectation``).
    static let dropped: Set<String> = hopByHop.union(internalNames).union(["host", "expect"])

    public static func upstream(
        from client: HTTPFields, brandID: String, requestID: String, clientAddress: String?, host: String, scheme: String
    ) -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(client.count + 6)
        let named = named(byConnectionIn: client)
        for field in client {
            let name = field.name.canonicalName
            if dropped.contains(name) || named.contains(name) { continue }
            fields.append(field)
        }
        fields.append(HTTPField(name: .brandID, value: brandID))
        fields.append(HTTPField(name: .requestID, value: requestID))
        fields.append(HTTPField(name: PublicOrigin.hostHeader, value: host))
        fields.append(HTTPField(name: PublicOrigin.schemeHeader, value: scheme))
        if let clientAddress {
            fields.append(HTTPField(name: .clientAddress, value: clientAddress))
            fields.append(HTTPField(name: HTTPField.Name("X-Forwarded-For")!, value: clientAddress))
        }
        return fields
    }

    /// The upstream's response headers less hop-by-hop ones, which belong to the upstream connection.
    public static func downstream(from upstream: HTTPFields) -> HTTPFields {
        var fields = HTTPFields()
        let named = named(byConnectionIn: upstream)
        for field in upstream where !hopByHop.contains(field.name.canonicalName) && !named.contains(field.name.canonicalName) { fields.append(field) }
        return fields
    }

    /// The headers a `Connection` header names: hop-by-hop too, for that connection only (RFC 9110 §7.6.1).
    static func named(byConnectionIn fields: HTTPFields) -> Set<String> {
        Set(fields[values: .connection].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty })
    }
}

extension HTTPField.Name {
    static let brandID = HTTPField.Name(InternalHeaders.brandID)!
    static let requestID = HTTPField.Name(InternalHeaders.requestID)!
    static let clientAddress = HTTPField.Name(InternalHeaders.clientAddress)!
}

import Contracts
import Hummingbird
import NIOCore
import ServiceKit

/// Per-request state of the gateway: the id it gave the request and the caller's address.
public struct GatewayContext: ConciergeContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String?
    public var brandID: String?
    public var clientAddress: String?
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }
}

import Contracts
import Hummingbird
import NIOCore

/// What middleware and handlers of every service learn about a request.
public protocol ConciergeContext: RequestContext {
    var requestID: String? { get set }
    var brandID: String? { get set }
    var clientAddress: String? { get set }
    var principal: Principal? { get set }
}

/// The request context of the fleet's services.
public struct ServiceRequestContext: ConciergeContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String?
    public var brandID: String?
    public var clientAddress: String?
    public var principal: Principal?
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}

import HTTPTypes
import NIOCore

/// One API request on its way through the gateway: read whole, forwarded to an instance, answered. Used only on its
/// client connection's event loop.
final class ProxyExchange {
    let requestID: String
    let started = ContinuousClock.now
    let head: HTTPRequest
    let decision: ProxyDecision
    /// The body read so far (only for a request that will be forwarded).
    var body: ByteBuffer?
    var bodyLength = 0
    var requestEnded = false
    /// The client asked to close the connection after this answer (or the answer closes it).
    var closing: Bool
    /// Instances not tried yet, the next first.
    var untried: ArraySlice<UpstreamAddress> = []
    var connection: UpstreamConnection?
    var timeout: Scheduled<Void>?
    /// When the service last sent a part of the answer (or the request was sent): the upstream timeout counts from it.
    var lastUpstreamPart = NIODeadline.now()
    /// Reading from the service is paused because the client reads slower than the service sends: the service is
    /// not silent then, and the upstream timeout waits.
    var pausedForClient = false
    /// The status sent to the client, once its head is written.
    var status: HTTPResponse.Status?
    var finished = false
    /// Sent a second time after a kept connection closed under it.
    var resent = false

    init(requestID: String, head: HTTPRequest, decision: ProxyDecision) {
        self.requestID = requestID
        self.head = head
        self.decision = decision
        self.closing = head.headerFields[.connection]?.lowercased().contains("close") == true
    }

    /// Adds a part of the body; false once the body is larger than `limit`.
    func append(_ part: ByteBuffer, limit: Int) -> Bool {
        bodyLength += part.readableBytes
        guard bodyLength <= limit else {
            body = nil
            return false
        }
        guard case .forward = decision else { return true }
        if body == nil { body = part } else { body?.writeImmutableBuffer(part) }
        return true
    }
}

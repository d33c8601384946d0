import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Who hears the answer to the request an upstream connection carries. Called on the connection's event loop.
protocol UpstreamReceiver: AnyObject {
    func upstreamReceived(_ part: HTTPResponsePart)
    /// The end of one read from the socket: the moment to flush what was passed on.
    func upstreamReadComplete()
    /// The connection closed or failed before the answer's end.
    func upstreamFailed(_ error: any Error)
}

/// One keep-alive HTTP/1.1 connection to a service instance, on the event loop of the client connections it serves;
/// it carries one request at a time. Used only on its event loop.
final class UpstreamConnection {
    let address: UpstreamAddress
    let channel: any Channel
    private let handler: UpstreamResponseHandler
    /// When it was last given back to the pool.
    var idleSince = NIODeadline.now()
    /// Requests sent on it so far.
    private(set) var carried = 0

    init(address: UpstreamAddress, channel: any Channel, handler: UpstreamResponseHandler) {
        self.address = address
        self.channel = channel
        self.handler = handler
    }

    /// Sends a whole request; its answer goes to `receiver`.
    func send(_ head: HTTPRequest, body: ByteBuffer, to receiver: any UpstreamReceiver) {
        carried += 1
        handler.start(receiver)
        handler.write(.head(head))
        if body.readableBytes > 0 { handler.write(.body(body)) }
        handler.write(.end(nil), flush: true)
    }

    /// Whether it may carry another request: open, its last answer complete and not marked `Connection: close`.
    var isReusable: Bool { handler.isReusable && channel.isActive }

    /// Whether it reads from the service (``setReading(_:)``).
    private(set) var reading = true

    /// Stops (or resumes) reading the answer, while the client cannot take more.
    func setReading(_ reading: Bool) {
        self.reading = reading
        channel.setOption(ChannelOptions.autoRead, value: reading).whenComplete { _ in }
        if reading { channel.read() }
    }

    /// Detaches the receiver and closes the connection (an answer cut short, a timeout, a client gone).
    func close() {
        handler.detach()
        channel.close(promise: nil)
    }

    /// Detaches the receiver once its answer is complete, reading again if a slow client had paused it: the answer's
    /// end can arrive in the reads already under way, and a pooled connection that does not read would never hear
    /// the next request's answer.
    func finish() {
        handler.detach()
        if !reading { setReading(true) }
    }

    /// The pipeline of a new connection: HTTP/1.1 client codec and the handler that passes answers on.
    static func configure(_ channel: any Channel, address: UpstreamAddress) throws -> UpstreamConnection {
        let handler = UpstreamResponseHandler()
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHTTPClientHandlers(leftOverBytesStrategy: .fireError)
        try pipeline.addHandler(HTTP1ToHTTPClientCodec())
        try pipeline.addHandler(handler)
        return UpstreamConnection(address: address, channel: channel, handler: handler)
    }
}

/// The last handler of an upstream connection: hands each part of an answer to the current receiver.
final class UpstreamResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPRequestPart

    private var context: ChannelHandlerContext?
    private var receiver: (any UpstreamReceiver)?
    private var answering = false
    private var keepAlive = true

    var isReusable: Bool { keepAlive && !answering }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func start(_ receiver: any UpstreamReceiver) {
        self.receiver = receiver
        answering = true
    }

    func detach() {
        receiver = nil
    }

    func write(_ part: HTTPRequestPart, flush: Bool = false) {
        guard let context else { return }
        if flush { context.writeAndFlush(wrapOutboundOut(part), promise: nil) } else { context.write(wrapOutboundOut(part), promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let head):
            if head.status.kind == .informational { return }
            if head.headerFields[.connection]?.lowercased().contains("close") == true { keepAlive = false }
        case .body:
            break
        case .end:
            answering = false
        }
        receiver?.upstreamReceived(part)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        receiver?.upstreamReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepAlive = false
        fail(ChannelError.ioOnClosedChannel)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        keepAlive = false
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        guard answering, let receiver else { return }
        answering = false
        self.receiver = nil
        receiver.upstreamFailed(error)
    }
}

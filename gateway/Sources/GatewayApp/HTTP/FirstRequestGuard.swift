import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit

/// A client connection's first request, while Hummingbird's WebSocket upgrade negotiation holds it: the proxy and
/// its timeouts join the pipeline only once that request's head has been read, so a first request that cannot be
/// read as HTTP/1.1 (a control character in a header, a made-up version, garbage) would get no answer and keep its
/// connection open for good, and so would one whose head never ends. This handler, right after the request decoder,
/// answers the first with a 400 problem and closes the connection, and closes one whose first head has not arrived
/// within the idle timeout. A first request asking for an upgrade the gateway does not make goes on as plain HTTP
/// (``UpgradeRequest``); one whose method nothing serves (a CONNECT, after which NIO's decoder reads the connection
/// as a tunnel, so its request would never end) is answered 405 and closed. It leaves the pipeline once the first
/// head is read.
final class FirstRequestGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var done = false
    private var refused = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            let (guardian, context) = loopBound.value
            guardian.end(context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // The parts of a request refused here go no further.
        guard !refused else { return }
        guard !done, case .head(let head) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        guard let method = HTTPRequest.Method(head.method.rawValue), ProxyDecision.servedMethods.contains(method) else {
            refused = true
            return answerAndClose(ProxyDecision.methodNotAllowed, context: context)
        }
        context.fireChannelRead(wrapInboundOut(.head(UpgradeRequest.served(head))))
        done = true
        deadline?.cancel()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !done else { return context.fireErrorCaught(error) }
        answerAndClose(Self.unreadable, context: context)
    }

    private func answerAndClose(_ problem: Problem, context: ChannelHandlerContext) {
        done = true
        deadline?.cancel()
        let body = problem.body
        var headers = HTTPHeaders(problem.responseHeaders.map { ($0.name.canonicalName, $0.value) })
        if problem.status == .methodNotAllowed { headers.add(name: "Allow", value: ProxyDecision.allowedMethods) }
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: problem.status.code), headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            let (guardian, context) = loopBound.value
            guardian.end(context)
        }
    }

    static var unreadable: Problem { Problem.badRequest("The request could not be read as HTTP/1.1.") }

    /// Ends the negotiation as a client that went away would (so Hummingbird does not log it as a failure) and closes.
    private func end(_ context: ChannelHandlerContext) {
        done = true
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        context.close(promise: nil)
    }
}

/// A server child channel whose connections' first request is guarded by ``FirstRequestGuard``.
struct FirstRequestGuardedChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner
    let timeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let timeout = self.timeout
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try operations.addHandler(FirstRequestGuard(timeout: timeout), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

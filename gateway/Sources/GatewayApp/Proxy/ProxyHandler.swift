import Contracts
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOPosix
import ServiceKit

/// Forwards `/api/v1/<service>/…` (and the public pages a service renders) to an instance of that service, for the
/// brand of the request's host, inside the client connection's pipeline: the request is read whole, sent on a
/// keep-alive connection of the same event loop (``UpstreamConnectionPool``) and the answer passed back part by part
/// as it arrives. An instance that refuses the connection is skipped for the next; none reachable is a 503, none
/// answering in time a 504, one failing mid-way a 502 (the upstream timeout counts from the last part the service
/// sent, so a long answer that keeps coming is not cut). Other requests go on to the gateway's own routes.
///
/// It sits between HTTP decoding and Hummingbird, so it also keeps the connection's order (one request at a time,
/// pipelined ones wait), answers `Expect: 100-continue` (``ContinueExpectation``) and keeps the connection's
/// timeouts (``ClientTimeouts``), which Hummingbird's own handler cannot see for forwarded requests.
public final class ProxyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private enum State {
        case idle
        /// A request for the gateway's own routes: its parts go on to Hummingbird, its answer comes back through here.
        case ownRoute(requestEnded: Bool, answerEnded: Bool)
        case forwarding(ProxyExchange)
    }

    let forwarding: Forwarding
    private var context: ChannelHandlerContext?
    private var connections: LoopConnections?
    private var clientAddress: String?
    private var state = State.idle
    /// Parts of requests that arrived while an earlier one was being answered.
    private var waiting = CircularBuffer<HTTPRequestPart>()
    private var readHeld = false
    private var lastActive = NIODeadline.now()
    private var timeoutCheck: Scheduled<Void>?
    private var closeWhenIdle = false
    /// Parts passed on to Hummingbird outside a socket read, which it takes in only at the next read-complete.
    private var passedOnOutsideRead = false
    private var inSocketRead = false
    /// The connection's first request was a WebSocket upgrade ``WebSocketProxy`` refused (``RefusedUpgrade``): the
    /// proxy answers it with the refusal's problem and closes; Hummingbird's own answer (a bare 400) and close are
    /// dropped.
    private var answersRefusedUpgrade = false

    init(forwarding: Forwarding) {
        self.forwarding = forwarding
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connections = forwarding.connections.connections(on: context.eventLoop)
        clientAddress = context.channel.remoteAddress?.ipAddress
        if let refusal = RefusedUpgrade.take(from: context.pipeline.syncOperations) {
            answersRefusedUpgrade = true
            return answerAndClose(refusal.problem, requestID: refusal.requestID, context: context)
        }
        scheduleTimeoutCheck(context)
    }

    /// Answers `problem` on its own (a refused WebSocket upgrade, whose request NIO's upgrade handler kept; a request
    /// that cannot be read) and closes the connection.
    private func answerAndClose(_ problem: Problem, requestID: String, context: ChannelHandlerContext) {
        let body = problem.body
        var fields = problem.responseHeaders
        fields[.contentLength] = String(body.count)
        fields[.requestID] = requestID
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: problem.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    /// A request that cannot be read as HTTP/1.1 between requests (a control character in a header, say) is answered
    /// as the first one on a connection is (``FirstRequestGuard``): a 400 problem, and the connection closed. Hummingbird,
    /// which it would reach otherwise, answers a bare 400. So is one that cannot be read in the middle of a request to
    /// forward (a malformed chunk of its body): nothing of it was sent on, since a request is forwarded once read whole.
    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, waiting.isEmpty else { return context.fireErrorCaught(error) }
        switch state {
        case .idle:
            answerAndClose(FirstRequestGuard.unreadable, requestID: RequestIDMiddleware<GatewayContext>.make(), context: context)
        case .forwarding(let exchange) where !exchange.requestEnded && exchange.status == nil:
            exchange.closing = true
            answer(exchange, with: FirstRequestGuard.unreadable)
        case .forwarding, .ownRoute:
            context.fireErrorCaught(error)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timeoutCheck?.cancel()
        self.context = nil
    }

    // MARK: Requests in

    /// Whether a part read now can be handled now (else it waits for the current answer).
    private var takesParts: Bool {
        switch state {
        case .idle: true
        case .ownRoute(let requestEnded, _): !requestEnded
        case .forwarding(let exchange): !exchange.requestEnded && !exchange.finished
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActive = .now()
        inSocketRead = true
        let part = unwrapInboundIn(data)
        if waiting.isEmpty && takesParts { handle(part) } else { waiting.append(part) }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        inSocketRead = false
        passedOnOutsideRead = false
        context.fireChannelReadComplete()
    }

    public func read(context: ChannelHandlerContext) {
        if waiting.isEmpty && takesParts { context.read() } else { readHeld = true }
    }

    private func handle(_ part: HTTPRequestPart) {
        guard let context else { return }
        switch state {
        case .idle:
            guard !closeWhenIdle, case .head(let head) = part else { return }
            begin(head, context: context)
        case .ownRoute(_, let answerEnded):
            passOn(part, context: context)
            if case .end = part {
                if answerEnded { becomeIdle() } else { state = .ownRoute(requestEnded: true, answerEnded: false) }
            }
        case .forwarding(let exchange):
            read(part, into: exchange)
        }
    }

    private func passOn(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        context.fireChannelRead(wrapInboundOut(part))
        if !inSocketRead { passedOnOutsideRead = true }
    }

    private func begin(_ head: HTTPRequest, context: ChannelHandlerContext) {
        let decision = ProxyDecision.decide(
            method: head.method, path: head.path ?? "/", authority: head.authority, extraHosts: head.headerFields[values: ProxyDecision.hostField].count,
            directory: forwarding.directory, services: forwarding.services)
        guard decision != .ownRoutes else {
            state = .ownRoute(requestEnded: false, answerEnded: false)
            passOn(.head(head), context: context)
            return
        }
        let exchange = ProxyExchange(requestID: RequestIDMiddleware<GatewayContext>.make(), head: head, decision: decision)
        if case .forward(let service, _, _) = decision { exchange.untried = forwarding.instances[service]?.order()[...] ?? [] }
        state = .forwarding(exchange)
        if decision == .refuse(ProxyDecision.methodNotAllowed) {
            // A CONNECT's bytes after its head are a tunnel's, not a request's end: answer now and close.
            exchange.closing = true
            return answer(exchange, with: ProxyDecision.methodNotAllowed)
        }
        if ContinueExpectation.asked(head) { answerExpectation(of: exchange, context: context) }
    }

    /// A client waiting for 100 (Continue) gets it when its body will be read, or the final answer at once (a refusal,
    /// a body announced over the limit) and the connection closes, since a body may still follow.
    private func answerExpectation(of exchange: ProxyExchange, context: ChannelHandlerContext) {
        if case .refuse(let problem) = exchange.decision {
            exchange.closing = true
            return answer(exchange, with: problem)
        }
        if let length = ContinueExpectation.announcedLength(exchange.head), length > forwarding.maximumBody {
            exchange.closing = true
            return answer(exchange, with: Problem.contentTooLarge)
        }
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }

    private func read(_ part: HTTPRequestPart, into exchange: ProxyExchange) {
        switch part {
        case .head:
            return
        case .body(let bytes):
            if !exchange.append(bytes, limit: forwarding.maximumBody) {
                exchange.closing = true
                answer(exchange, with: Problem.contentTooLarge)
            }
        case .end:
            exchange.requestEnded = true
            switch exchange.decision {
            case .refuse(let problem): answer(exchange, with: problem)
            case .forward: forward(exchange)
            case .ownRoutes: return
            }
        }
    }

    // MARK: Forwarding

    private func forward(_ exchange: ProxyExchange, fresh: Bool = false) {
        guard case .forward(let service, let brandID, let host) = exchange.decision, let connections else { return }
        guard let address = exchange.untried.popFirst() else {
            return answer(exchange, with: Problem.unavailable("The \(service.rawValue) service is not running."))
        }
        connections.acquire(address, fresh: fresh) { [self] result in
            guard isCurrent(exchange) else {
                if case .success(let connection) = result { connections.release(connection) }
                return
            }
            switch result {
            case .success(let connection):
                exchange.connection = connection
                exchange.lastUpstreamPart = .now()
                scheduleUpstreamTimeout(exchange, in: forwarding.timeout)
                let head = ProxyDecision.upstreamHead(
                    exchange.head, to: address, brandID: brandID, host: host, requestID: exchange.requestID, clientAddress: clientAddress,
                    scheme: forwarding.publicScheme, bodyLength: exchange.bodyLength)
                connection.send(head, body: exchange.body ?? ByteBuffer(), to: self)
            case .failure(let error) where Self.isUnreachable(error):
                logger(exchange).warning("upstream unreachable", metadata: ["upstream": "\(address)", "error": "\(error)"])
                forward(exchange)
            case .failure(let error):
                logger(exchange).error("upstream failed", metadata: ["upstream": "\(address)", "error": "\(error)"])
                answer(exchange, with: Self.badGateway(service))
            }
        }
    }

    private func isCurrent(_ exchange: ProxyExchange) -> Bool {
        guard case .forwarding(let current) = state, current === exchange, !exchange.finished, context != nil else { return false }
        return true
    }

    private func scheduleUpstreamTimeout(_ exchange: ProxyExchange, in delay: TimeAmount) {
        exchange.timeout = connections?.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in timedOut(exchange) }
    }

    /// The service sent nothing for the upstream timeout: a 504 before its answer began, the answer cut short after.
    private func timedOut(_ exchange: ProxyExchange) {
        guard isCurrent(exchange), case .forward(let service, _, _) = exchange.decision else { return }
        let quiet = NIODeadline.now() - exchange.lastUpstreamPart
        if exchange.pausedForClient { return scheduleUpstreamTimeout(exchange, in: forwarding.timeout) }
        if quiet < forwarding.timeout { return scheduleUpstreamTimeout(exchange, in: forwarding.timeout - quiet) }
        exchange.timeout = nil
        exchange.connection?.close()
        exchange.connection = nil
        if exchange.status == nil {
            answer(exchange, with: Problem.gatewayTimeout("The \(service.rawValue) service did not answer within \(forwarding.timeoutText)."))
        } else {
            exchange.closing = true
            complete(exchange)
        }
    }

    /// Errors that prove the request never reached the instance, so another instance may take it.
    static func isUnreachable(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        return false
    }

    static func badGateway(_ service: ServiceName) -> Problem {
        Problem(
            status: .badGateway, type: Problem.typeBase + "upstream-failed", title: "Bad gateway",
            detail: "The \(service.rawValue) service failed to answer.")
    }

    // MARK: Answers out

    /// Answers with a problem of the gateway's own (refused, too large, unreachable, timed out).
    private func answer(_ exchange: ProxyExchange, with problem: Problem) {
        guard let context else { return }
        let body = problem.body
        var fields = problem.responseHeaders
        fields[.contentLength] = String(body.count)
        fields[.requestID] = exchange.requestID
        if exchange.closing { fields[.connection] = "close" }
        if problem.status == .methodNotAllowed { fields[.allow] = ProxyDecision.allowedMethods }
        exchange.status = problem.status
        context.write(wrapOutboundOut(.head(HTTPResponse(status: problem.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        end(exchange, trailers: nil, context: context)
    }

    /// Writes the answer's end; the connection closes once it is written when the exchange asks so.
    private func end(_ exchange: ProxyExchange, trailers: HTTPFields?, context: ChannelHandlerContext) {
        guard exchange.closing || closeWhenIdle else {
            context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
            return complete(exchange)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: written)
        complete(exchange, closing: false)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    /// The exchange is over: its connection goes back to the pool (closed when its answer was cut short), it is
    /// logged, the next request may start, or the client connection closes now (`closing`: an answer cut short).
    private func complete(_ exchange: ProxyExchange, closing: Bool = true) {
        guard !exchange.finished else { return }
        exchange.finished = true
        exchange.timeout?.cancel()
        exchange.timeout = nil
        if let connection = exchange.connection {
            exchange.connection = nil
            connections?.release(connection)
        }
        record(exchange)
        if exchange.closing || closeWhenIdle {
            state = .idle
            closeWhenIdle = true
            if closing { context?.close(promise: nil) }
        } else if exchange.requestEnded {
            becomeIdle()
        }
    }

    private func becomeIdle() {
        state = .idle
        lastActive = .now()
        if closeWhenIdle {
            context?.close(promise: nil)
            return
        }
        while takesParts, let next = waiting.popFirst() { handle(next) }
        if passedOnOutsideRead, !inSocketRead {
            passedOnOutsideRead = false
            context?.fireChannelReadComplete()
        }
        if readHeld, waiting.isEmpty, takesParts {
            readHeld = false
            context?.read()
        }
    }

    private func logger(_ exchange: ProxyExchange) -> Logger {
        var logger = forwarding.logger
        logger[metadataKey: "request_id"] = .string(exchange.requestID)
        return logger
    }

    private func record(_ exchange: ProxyExchange) {
        let elapsed = ContinuousClock.now - exchange.started
        let status = Int(exchange.status?.code ?? 499)
        let path = exchange.head.path ?? "/"
        let route = if case .forward(let service, _, _) = exchange.decision { "/api/v1/\(service.rawValue)" } else { AccessLogMiddleware.routeLabel(path) }
        forwarding.metrics.record(method: exchange.head.method.rawValue, route: route, status: status, duration: elapsed)
        // The request id rides with the line rather than on a copy of the logger made for it (a tenth of the line's cost).
        forwarding.logger.info(
            "access",
            metadata: [
                "request_id": .string(exchange.requestID), "method": .string(exchange.head.method.rawValue), "path": .string(String(path.prefix { $0 != "?" })),
                "host": .string(exchange.head.authority ?? ""), "status": .stringConvertible(status),
                "duration_ms": .stringConvertible(AccessLogMiddleware.milliseconds(elapsed)), "client": .string(clientAddress ?? ""),
            ])
    }

    // MARK: Answers of the gateway's own routes, and the connection

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if answersRefusedUpgrade { return promise?.succeed(()) ?? () }
        context.write(data, promise: promise)
        guard case .end = unwrapOutboundIn(data), case .ownRoute(let requestEnded, _) = state else { return }
        if requestEnded { becomeIdle() } else { state = .ownRoute(requestEnded: false, answerEnded: true) }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // The proxy's answer to a refused upgrade closes the connection once it is written.
        if answersRefusedUpgrade { return promise?.succeed(()) ?? () }
        context.close(mode: mode, promise: promise)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if case .forwarding(let exchange) = state, !exchange.finished {
            exchange.closing = true
            complete(exchange)
        }
        timeoutCheck?.cancel()
        context.fireChannelInactive()
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if case .forwarding(let exchange) = state {
            // A slow client holds the answer back, not the service: the upstream timeout counts again from here.
            exchange.pausedForClient = !context.channel.isWritable
            exchange.lastUpstreamPart = .now()
            exchange.connection?.setReading(context.channel.isWritable)
        }
        context.fireChannelWritabilityChanged()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        switch state {
        case .idle: context.close(promise: nil)
        case .forwarding: closeWhenIdle = true
        case .ownRoute:
            closeWhenIdle = true
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func scheduleTimeoutCheck(_ context: ChannelHandlerContext) {
        timeoutCheck = context.eventLoop.assumeIsolated().scheduleTask(in: forwarding.clientTimeouts.checkInterval) { [self] in
            checkTimeouts(context)
        }
    }

    /// Closes a connection idle too long; answers 408 to a request whose body stopped coming and closes its connection.
    private func checkTimeouts(_ context: ChannelHandlerContext) {
        let quiet = NIODeadline.now() - lastActive
        let timeouts = forwarding.clientTimeouts
        switch state {
        case .idle where waiting.isEmpty && quiet >= timeouts.idle:
            return context.close(promise: nil)
        case .forwarding(let exchange) where !exchange.requestEnded && !exchange.finished && quiet >= timeouts.requestRead:
            exchange.closing = true
            answer(exchange, with: Self.requestTimeout(timeouts.requestRead))
        case .ownRoute(requestEnded: false, _) where quiet >= timeouts.requestRead:
            return context.close(promise: nil)
        default:
            break
        }
        scheduleTimeoutCheck(context)
    }

    static func requestTimeout(_ timeout: TimeAmount) -> Problem {
        Problem(
            status: .requestTimeout, type: Problem.typeBase + "request-timeout", title: "Request timeout",
            detail: "The request's body stopped arriving for \(Duration.nanoseconds(timeout.nanoseconds)).")
    }
}

extension ProxyHandler: UpstreamReceiver {
    func upstreamReceived(_ part: HTTPResponsePart) {
        guard case .forwarding(let exchange) = state, let context else { return }
        exchange.lastUpstreamPart = .now()
        switch part {
        case .head(let head):
            exchange.status = head.status
            let head = ProxyDecision.downstreamHead(head, requestID: exchange.requestID, closing: exchange.closing || closeWhenIdle)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
        case .body(let bytes):
            context.write(wrapOutboundOut(.body(bytes)), promise: nil)
        case .end(let trailers):
            end(exchange, trailers: trailers, context: context)
        }
    }

    func upstreamReadComplete() {
        context?.flush()
    }

    func upstreamFailed(_ error: any Error) {
        guard case .forwarding(let exchange) = state, isCurrent(exchange), case .forward(let service, _, _) = exchange.decision else { return }
        let connection = exchange.connection
        exchange.connection = nil
        exchange.timeout?.cancel()
        exchange.timeout = nil
        if let connection, ProxyDecision.resendsOnNewConnection(
            exchange.head, requestsOnConnection: connection.carried, answerStarted: exchange.status != nil, resent: exchange.resent)
        {
            exchange.resent = true
            logger(exchange).warning("upstream connection closed on reuse; sending again", metadata: ["upstream": "\(connection.address)"])
            exchange.untried = [connection.address] + exchange.untried
            return forward(exchange, fresh: true)
        }
        logger(exchange).error("upstream failed", metadata: ["error": "\(error)"])
        if exchange.status == nil {
            answer(exchange, with: Self.badGateway(service))
        } else {
            exchange.closing = true
            complete(exchange)
        }
    }
}

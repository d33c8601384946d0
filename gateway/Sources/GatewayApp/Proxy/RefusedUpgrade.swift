import HummingbirdWebSocket
import NIOCore
import ServiceKit

/// Marks a connection whose WebSocket upgrade ``WebSocketProxy`` refused, with the answer the client gets. NIO's
/// upgrade handler keeps a refused upgrade request to itself and Hummingbird answers it with a bare 400; the
/// ``ProxyHandler`` added after the refusal takes this mark and answers with its problem instead (404 unknown host,
/// 503 no instance reachable, and so on).
final class RefusedUpgrade: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    let problem: Problem
    let requestID: String

    private init(problem: Problem, requestID: String) {
        self.problem = problem
        self.requestID = requestID
    }

    /// Marks `channel` with the answer to its refused upgrade, and answers "do not upgrade".
    static func mark<Handler>(_ channel: any Channel, _ problem: Problem, requestID: String) async -> ShouldUpgradeResult<Handler> {
        try? await channel.pipeline.addHandler(RefusedUpgrade(problem: problem, requestID: requestID))
        return .dontUpgrade
    }

    /// The mark, taken off the pipeline, when it carries one.
    static func take(from pipeline: ChannelPipeline.SynchronousOperations) -> RefusedUpgrade? {
        guard let mark = try? pipeline.handler(type: RefusedUpgrade.self) else { return nil }
        pipeline.removeHandler(mark, promise: nil)
        return mark
    }
}

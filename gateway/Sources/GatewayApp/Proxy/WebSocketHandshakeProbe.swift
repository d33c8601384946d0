import Foundation
import HTTPTypes
import NIOCore
import NIOPosix

/// Asks an instance whether it takes a WebSocket at a path, before the client hears 101: it sends the handshake the
/// bridge would send, reads the answer's status line, ends an accepted session with a close frame and closes (the
/// service sees a session that opened and closed at once: handlers must not take one for a visitor). The bridge then
/// connects only where the answer was 101, so a path no service serves gets the service's refusal as a problem
/// rather than a 101 and a 1011 close, and swift-websocket's client, which leaves the connection of a refused
/// handshake open for good (a file descriptor a request), never meets a refusal.
enum WebSocketHandshakeProbe {
    /// The status the instance answered the handshake with; throws when it could not be reached or did not answer
    /// within `timeout`.
    static func status(
        of instance: UpstreamAddress, path: String, headers: HTTPFields, on eventLoop: any EventLoop, timeout: TimeAmount = .seconds(2)
    ) async throws -> Int {
        let answered = eventLoop.makePromise(of: Int.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop).connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(StatusLineReader(answered: answered)) }
                }
                .connect(host: instance.host, port: instance.port).get()
        } catch {
            answered.fail(error)
            throw error
        }
        let deadline = eventLoop.scheduleTask(in: timeout) { answered.fail(ChannelError.connectTimeout(timeout)) }
        channel.writeAndFlush(ByteBuffer(string: request(path: path, authority: instance.authority, headers: headers)), promise: nil)
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        let status = try await answered.futureResult.get()
        // An accepted handshake opened a session: it ends as a client's would, with a close frame (Normal Closure).
        if status == 101 { try? await channel.writeAndFlush(ByteBuffer(bytes: closeFrame())).get() }
        return status
    }

    /// A client's close frame with status 1000, masked as a client's frames are (RFC 6455 5.3).
    static func closeFrame() -> [UInt8] {
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        return [0x88, 0x82] + mask + [0x03 ^ mask[0], 0xE8 ^ mask[1]]
    }

    static func request(path: String, authority: String, headers: HTTPFields) -> String {
        var text = "GET \(path) HTTP/1.1\r\nHost: \(authority)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: \(Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString())\r\nSec-WebSocket-Version: 13\r\n"
        for field in headers { text += "\(field.name.rawName): \(field.value)\r\n" }
        return text + "\r\n"
    }

    /// Reads an answer's status code from its first line (`HTTP/1.1 101 Switching Protocols`).
    static func statusCode(of line: String) -> Int? {
        let parts = line.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), parts[1].count == 3 else { return nil }
        return Int(parts[1])
    }

    private final class StatusLineReader: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        let answered: EventLoopPromise<Int>
        var line = ByteBuffer()

        init(answered: EventLoopPromise<Int>) {
            self.answered = answered
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            line.writeBuffer(&bytes)
            guard let end = line.readableBytesView.firstIndex(of: UInt8(ascii: "\r")) else {
                if line.readableBytes > 1024 { answered.fail(ChannelError.inputClosed) }
                return
            }
            let text = String(decoding: line.readableBytesView[..<end], as: UTF8.self)
            if let status = WebSocketHandshakeProbe.statusCode(of: text) { answered.succeed(status) } else { answered.fail(ChannelError.inputClosed) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            answered.fail(ChannelError.inputClosed)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            answered.fail(error)
            context.close(promise: nil)
        }
    }
}

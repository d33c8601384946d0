import Foundation
import NIOCore
import NIOExtras
import NIOPosix

public struct SMTPError: Error, CustomStringConvertible {
    public let code: Int
    public let reply: String
    public let step: String

    public init(code: Int, reply: String, step: String) {
        self.code = code
        self.reply = reply
        self.step = step
    }

    public var description: String { "SMTP \(step) answered \(code) \(reply)" }
}

/// Delivers one message per connection to an SMTP relay (RFC 5321: EHLO, MAIL, RCPT, DATA, QUIT), with a time
/// limit on the whole dialogue so a stuck server cannot hold the mail relay.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration

    public init(configuration: SMTPConfiguration) {
        self.configuration = configuration
    }

    public func send(_ message: MailMessage, timeout: Duration = .seconds(30)) async throws {
        let configuration = self.configuration
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var replies = ReplyReader(lines: inbound.makeAsyncIterator())
            func command(_ line: String?, expect codes: Set<Int>, step: String) async throws {
                if let line { try await outbound.write(ByteBuffer(string: line + "\r\n")) }
                let (code, text) = try await replies.next(within: timeout)
                guard codes.contains(code) else { throw SMTPError(code: code, reply: text, step: step) }
            }
            try await command(nil, expect: [220], step: "greeting")
            try await command("EHLO \(configuration.heloName)", expect: [250], step: "EHLO")
            try await command("MAIL FROM:<\(MailMessage.address(configuration.from))>", expect: [250], step: "MAIL FROM")
            try await command("RCPT TO:<\(MailMessage.address(message.to))>", expect: [250, 251], step: "RCPT TO")
            try await command("DATA", expect: [354], step: "DATA")
            let data = message.rendered(from: configuration.from, messageID: "\(UUID().uuidString.lowercased())@\(configuration.heloName)")
            try await command(data + "\r\n.", expect: [250], step: "message")
            // The message is delivered once its data is accepted: a QUIT the server does not answer must not send it again.
            try? await command("QUIT", expect: [221], step: "QUIT")
        }
    }
}

/// Reads SMTP replies, joining the lines of a multi-line reply ("250-…" … "250 …").
struct ReplyReader {
    var lines: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator

    mutating func next(within timeout: Duration) async throws -> (Int, String) {
        var text: [String] = []
        while true {
            guard let buffer = try await lines.next() else { throw SMTPError(code: 0, reply: "connection closed", step: "reply") }
            let line = String(buffer: buffer).trimmingCharacters(in: .whitespacesAndNewlines)
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPError(code: 0, reply: line, step: "reply") }
            text.append(String(line.dropFirst(4)))
            if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return (code, text.joined(separator: " ")) }
        }
    }
}

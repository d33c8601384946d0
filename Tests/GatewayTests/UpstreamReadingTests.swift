import NIOCore
import NIOEmbedded
import Testing

@testable import GatewayApp

@Suite("Upstream connections paused for a slow client")
struct UpstreamReadingTests {
    @Test("A connection whose reading a slow client paused reads again once its answer is complete, before the pool keeps it")
    func finishingResumesReading() throws {
        let channel = EmbeddedChannel()
        let connection = try UpstreamConnection.configure(channel, address: UpstreamAddress(host: "127.0.0.1", port: 8082))
        connection.setReading(false)
        #expect(!connection.reading)
        connection.finish()
        #expect(connection.reading, "pooled without reading, it would never hear the next request's answer")
        _ = try? channel.finish()
    }
}

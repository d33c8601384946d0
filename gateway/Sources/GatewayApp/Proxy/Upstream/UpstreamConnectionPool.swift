import NIOCore
import NIOPosix
import Synchronization

/// Keep-alive connections to the services' instances, kept per event loop: a request is forwarded on a connection
/// of the loop its client connection lives on, so the whole exchange stays on one thread.
public final class UpstreamConnectionPool: Sendable {
    let connectTimeout: TimeAmount
    /// A connection idle for longer is closed rather than reused.
    let idleTimeout: TimeAmount
    /// At most this many idle connections per instance and loop; more are closed as they come back.
    let maximumIdle: Int
    private let loops = Mutex<[ObjectIdentifier: NIOLoopBound<LoopConnections>]>([:])

    public init(connectTimeout: TimeAmount = .seconds(2), idleTimeout: TimeAmount = .seconds(30), maximumIdle: Int = 256) {
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maximumIdle = maximumIdle
    }

    /// The connections of `eventLoop`; call it on that loop.
    func connections(on eventLoop: any EventLoop) -> LoopConnections {
        let key = ObjectIdentifier(eventLoop)
        return loops.withLock { loops in
            if let found = loops[key] { return found.value }
            let created = LoopConnections(eventLoop: eventLoop, pool: self)
            loops[key] = NIOLoopBound(created, eventLoop: eventLoop)
            return created
        }
    }

    /// Closes every idle connection (at shutdown).
    public func closeAll() {
        let all = loops.withLock { Array($0.values) }
        for loop in all {
            loop.eventLoop.execute { loop.value.closeIdle() }
        }
    }
}

/// One event loop's idle connections, by instance. Used only on that loop.
final class LoopConnections {
    let eventLoop: any EventLoop
    private let pool: UpstreamConnectionPool
    private var idle: [UpstreamAddress: [UpstreamConnection]] = [:]

    init(eventLoop: any EventLoop, pool: UpstreamConnectionPool) {
        self.eventLoop = eventLoop
        self.pool = pool
    }

    /// Hands `then` an idle connection to `address` when there is a recent one (unless `fresh`), else a new one (or
    /// why none).
    func acquire(_ address: UpstreamAddress, fresh: Bool = false, then: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        let now = NIODeadline.now()
        while !fresh, let connection = idle[address]?.popLast() {
            if connection.isReusable, now - connection.idleSince < pool.idleTimeout { return then(.success(connection)) }
            connection.close()
        }
        connect(address).assumeIsolated().whenComplete { result in
            then(result.flatMap { channel in Result { try UpstreamConnection.configure(channel, address: address) } })
        }
    }

    /// A new connection to the instance: through its Unix-domain socket when it has one that answers, else to its port
    /// (an instance started without `CONCIERGE_SOCKET_DIR`, or one that left a socket file behind).
    private func connect(_ address: UpstreamAddress) -> EventLoopFuture<any Channel> {
        let (eventLoop, timeout) = (self.eventLoop, pool.connectTimeout)
        guard let socket = address.socketPath else { return Self.connectToPort(address, on: eventLoop, timeout: timeout) }
        return ClientBootstrap(group: eventLoop).connectTimeout(timeout).connect(unixDomainSocketPath: socket)
            .flatMapError { _ in Self.connectToPort(address, on: eventLoop, timeout: timeout) }
    }

    private static func connectToPort(_ address: UpstreamAddress, on eventLoop: any EventLoop, timeout: TimeAmount) -> EventLoopFuture<any Channel> {
        ClientBootstrap(group: eventLoop).connectTimeout(timeout).channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: address.host, port: address.port)
    }

    /// Takes back a connection whose answer is complete; closes it when it cannot carry another.
    func release(_ connection: UpstreamConnection) {
        connection.finish()
        guard connection.isReusable, (idle[connection.address]?.count ?? 0) < pool.maximumIdle else {
            connection.close()
            return
        }
        connection.idleSince = .now()
        idle[connection.address, default: []].append(connection)
    }

    func closeIdle() {
        for connection in idle.values.joined() { connection.close() }
        idle = [:]
    }
}

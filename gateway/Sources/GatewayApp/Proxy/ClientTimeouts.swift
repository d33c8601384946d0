import NIOCore

/// How long the gateway waits on a client: `idle` for a connection's next request (a request's head that never ends
/// counts as nothing), `requestRead` for the next part of a request's body once its head arrived. A connection idle
/// too long is closed; a body that stops coming is answered 408 and its connection closed, so a client cannot hold a
/// connection and its buffer by announcing a body and sending nothing.
public struct ClientTimeouts: Sendable, Equatable {
    public var idle: TimeAmount
    public var requestRead: TimeAmount

    public init(idle: TimeAmount = .seconds(75), requestRead: TimeAmount = .seconds(30)) {
        self.idle = idle
        self.requestRead = requestRead
    }

    /// How often a connection checks them: a quarter of the shorter, so each acts within a quarter more than itself.
    var checkInterval: TimeAmount { .nanoseconds(max(min(idle, requestRead).nanoseconds / 4, 1_000_000)) }
}

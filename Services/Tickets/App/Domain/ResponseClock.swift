import Foundation

/// How long a customer has been waiting for an agent: the moment the oldest unanswered customer message arrived
/// (nil when the agent has answered), when a transfer handed that wait to a new agent, and when the ticket's agent
/// first responded. Reports read response times from it (Average Initial Response Time, Average Response Time), and
/// the Idle Timing alerts count from the wait: a customer who writes again does not restart it, an agent's reply ends
/// it, and a transfer leaves it running while the new agent's response is measured from the transfer ("idle time is
/// not reset for the new agent. However, agent response time IS reset" [S001:3248]).
public struct ResponseClock: Sendable, Equatable {
    public var awaitingSince: Date?
    public var firstResponseAt: Date?
    /// The transfer that handed a running wait to the ticket's agent: their response is measured from it.
    public var transferredAt: Date?

    public init(awaitingSince: Date? = nil, firstResponseAt: Date? = nil, transferredAt: Date? = nil) {
        self.awaitingSince = awaitingSince
        self.firstResponseAt = firstResponseAt
        self.transferredAt = transferredAt
    }
}

/// What an agent's reply measured: seconds since the oldest unanswered customer message, and whether it was the
/// agent's first response on the ticket.
public struct MeasuredResponse: Sendable, Equatable {
    public var seconds: Int
    public var first: Bool

    public init(seconds: Int, first: Bool) {
        self.seconds = seconds
        self.first = first
    }

    /// The reply event's details: `responseSeconds` and `firstResponse`.
    public var details: [String: String] { ["responseSeconds": String(seconds), "firstResponse": String(first)] }
}

public enum ResponseClockRules {
    /// A customer's message starts the wait unless one is already running.
    public static func customerWrote(_ clock: ResponseClock, at moment: Date) -> ResponseClock {
        var next = clock
        if next.awaitingSince == nil { next.awaitingSince = moment }
        return next
    }

    /// An agent's reply ends the wait; it is measured when the customer was waiting, from the transfer that handed
    /// the wait to this agent if there was one.
    public static func agentReplied(_ clock: ResponseClock, at moment: Date) -> (clock: ResponseClock, measured: MeasuredResponse?) {
        guard let waiting = clock.awaitingSince else { return (clock, nil) }
        let since = max(waiting, clock.transferredAt ?? waiting)
        let measured = MeasuredResponse(seconds: max(0, Int(moment.timeIntervalSince(since).rounded(.down))), first: clock.firstResponseAt == nil)
        return (ResponseClock(awaitingSince: nil, firstResponseAt: clock.firstResponseAt ?? moment), measured)
    }

    /// A transfer starts the receiving agent's clock: a wait that was running goes on (the idle time is not reset) but
    /// their response is measured from the transfer, and their next response counts as their first.
    public static func transferred(_ clock: ResponseClock, at moment: Date) -> ResponseClock {
        ResponseClock(awaitingSince: clock.awaitingSince, firstResponseAt: nil, transferredAt: clock.awaitingSince.map { _ in moment })
    }
}

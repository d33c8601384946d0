import Synchronization

/// The tickets that searches loaded to show their hits, kept for the index version whose hits named them, so that a
/// search answered from the index's cache needs no PostgreSQL either.
///
/// Every change to a ticket is an event that re-indexes it, and each commit of the index changes its version, so a
/// kept ticket is never older than the index that found it: a search shows what the index says of a ticket until
/// that ticket's change is indexed (within the second it takes), then reads it again. An instance hears of another
/// instance's changes through the broker, later when the broker lags or is down, so a kept ticket is also read
/// again once it is `maxAge` old. Hits of the writer itself (``SearchResults/version`` nil) are never kept. One
/// version is kept at a time: another one starts afresh, and so does going past `capacity` tickets.
final class SearchedTickets: Sendable {
    private struct State {
        var version: String?
        var tickets: [String: (ticket: Ticket, at: ContinuousClock.Instant)] = [:]
    }

    let capacity: Int
    let maxAge: Duration
    private let state = Mutex(State())

    init(capacity: Int, maxAge: Duration = .seconds(1)) {
        self.capacity = max(0, capacity)
        self.maxAge = maxAge
    }

    /// The kept tickets among `ids` for `version` (none for another version or nil), and the ids still to load.
    func tickets(_ ids: [String], version: String?, now: ContinuousClock.Instant = .now) -> (kept: [String: Ticket], missing: [String]) {
        guard let version, capacity > 0 else { return ([:], ids) }
        return state.withLock { state in
            guard state.version == version else { return ([:], ids) }
            var kept: [String: Ticket] = [:]
            var missing: [String] = []
            for id in ids {
                if let entry = state.tickets[id], now - entry.at < maxAge { kept[id] = entry.ticket } else { missing.append(id) }
            }
            return (kept, missing)
        }
    }

    /// Keeps `tickets`, loaded for hits of `version`.
    func keep(_ tickets: [Ticket], version: String?, now: ContinuousClock.Instant = .now) {
        guard let version, capacity > 0, !tickets.isEmpty else { return }
        state.withLock { state in
            if state.version != version || state.tickets.count + tickets.count > capacity { state = State(version: version) }
            for ticket in tickets { state.tickets[ticket.id] = (ticket, now) }
        }
    }
}

import Foundation

/// Settings → Tickets, Timing: a ticket idle (no agent response) or open for longer than a threshold raises a
/// warning, then a critical alert, each once: `ticket.idle_warning`, `ticket.idle_critical` (Active tickets, from
/// the oldest unanswered customer message (``ResponseClock``), or from the last action when the customer is not
/// waiting; the customer writing again does not restart it, an agent's reply does) and `ticket.duration_warning`,
/// `ticket.duration_critical` (Active or Waiting tickets, from their creation).
public enum TimingAlert: String, Sendable, CaseIterable {
    case idle
    case duration

    /// The ticket column that remembers the level already raised, and the moment (a column or an indexed expression)
    /// the clock starts from.
    var levelColumn: String { self == .idle ? "idle_alert" : "duration_alert" }
    var startColumn: String { self == .idle ? "COALESCE(awaiting_since, idle_since)" : "created_at" }
    var statuses: [TicketStatus] { self == .idle ? [.active] : [.active, .waiting] }

    public func eventType(level: Int) -> String { "ticket.\(rawValue)_\(level >= 2 ? "critical" : "warning")" }

    /// The level a ticket shows: the one raised while its status is one the alert watches (a closed ticket's past
    /// alerts are not flagged).
    public func shown(level: Int, status: TicketStatus) -> TimingAlertLevel {
        statuses.contains(status) ? TimingAlertLevel(level: level) : .none
    }
}

/// How far past the Timing thresholds a ticket's idle or duration time is, as the ticket shows it: what the agent is
/// warned of [S001:7753-7756].
public enum TimingAlertLevel: String, Codable, Sendable {
    case none, warning, critical

    public init(level: Int) {
        self = level >= 2 ? .critical : level == 1 ? .warning : .none
    }
}

/// One level an alert may reach: 1 warning, 2 critical, after `minutes`.
public struct TimingThreshold: Sendable, Equatable {
    public var level: Int
    public var minutes: Int
}

public enum TimingRules {
    /// The thresholds of `alert` that are set, lowest level first. A critical threshold below the warning one makes
    /// the warning pointless: the ticket goes critical.
    public static func thresholds(_ alert: TimingAlert, settings: TicketSettings) -> [TimingThreshold] {
        let (warning, critical) = alert == .idle
            ? (settings.idleWarningMinutes, settings.idleCriticalMinutes) : (settings.durationWarningMinutes, settings.durationCriticalMinutes)
        var result: [TimingThreshold] = []
        if let warning, critical.map({ warning < $0 }) ?? true { result.append(TimingThreshold(level: 1, minutes: warning)) }
        if let critical { result.append(TimingThreshold(level: 2, minutes: critical)) }
        return result
    }

    /// The level a ticket has reached after `elapsed` seconds (0: none).
    public static func level(after elapsed: TimeInterval, thresholds: [TimingThreshold]) -> Int {
        thresholds.filter { elapsed >= TimeInterval($0.minutes) * 60 }.map(\.level).max() ?? 0
    }
}

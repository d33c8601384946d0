import Foundation

/// How many of something fell in each period of a user's Statistics tab.
public struct ActivityCounts: Codable, Sendable, Equatable {
    public var last7Days: Int
    public var last30Days: Int
    public var last90Days: Int
    public var allTime: Int

    public init(last7Days: Int, last30Days: Int, last90Days: Int, allTime: Int) {
        self.last7Days = last7Days
        self.last30Days = last30Days
        self.last90Days = last90Days
        self.allTime = allTime
    }
}

/// A user's Statistics and History tabs, as far as tickets know them: the tickets submitted from their address
/// and the time logged on those tickets, by period, and when they last submitted one. Only the tickets the asking
/// agent sees are counted.
public struct CustomerActivity: Codable, Sendable, Equatable {
    public var email: String
    public var tickets: ActivityCounts
    public var timeLogs: ActivityCounts
    public var minutesLogged: ActivityCounts
    public var lastTicketAt: Date?
}

public enum ActivityPeriods {
    /// The starts of the Last 7, 30 and 90 Days periods that end at `now`.
    public static func starts(endingAt now: Date) -> [Date] {
        [7, 30, 90].map { now.addingTimeInterval(-Double($0) * 86_400) }
    }
}

import Foundation

/// An estimate as the agent enters it: a number of minutes, hours, days or weeks (calendar days and weeks).
public struct TaskEstimate: Codable, Sendable, Equatable {
    public var value: Int
    public var unit: String

    public static let units = ["minutes": 1, "hours": 60, "days": 1_440, "weeks": 10_080]

    public init(value: Int, unit: String) {
        self.value = value
        self.unit = unit
    }

    /// The estimate in minutes; nil for an unknown unit or a value too large to count (rather than trapping on it).
    public var minutes: Int? {
        guard let factor = Self.units[unit] else { return nil }
        let (minutes, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? nil : minutes
    }
}

/// The body of `POST …/tasks` and `PATCH …/tasks/{id}`: every field optional; on a `PATCH` an absent field stays
/// and a null one is cleared.
public struct TaskRequest: Decodable, Sendable {
    public var subject: String?
    public var description: String?
    public var agentID: String?
    public var status: String?
    public var priority: String?
    public var startAt: FieldChange<Date> = .unchanged
    public var dueAt: FieldChange<Date> = .unchanged
    public var originalEstimate: FieldChange<TaskEstimate> = .unchanged
    public var remainingEstimate: FieldChange<TaskEstimate> = .unchanged
    public var reminderMinutes: FieldChange<Int> = .unchanged

    enum CodingKeys: String, CodingKey {
        case subject, description, agentID, status, priority, startAt, dueAt, originalEstimate, remainingEstimate, reminderMinutes
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        subject = try container.decodeIfPresent(String.self, forKey: .subject)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        agentID = try container.decodeIfPresent(String.self, forKey: .agentID)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        priority = try container.decodeIfPresent(String.self, forKey: .priority)
        startAt = try container.change(Date.self, forKey: .startAt)
        dueAt = try container.change(Date.self, forKey: .dueAt)
        originalEstimate = try container.change(TaskEstimate.self, forKey: .originalEstimate)
        remainingEstimate = try container.change(TaskEstimate.self, forKey: .remainingEstimate)
        reminderMinutes = try container.change(Int.self, forKey: .reminderMinutes)
    }
}

import Foundation
import ServiceKit

/// How often a scheduled task recurs (Task Scheduler, Recurrence Information): every `every` hours, days, weeks,
/// months or years; weekly on the `weekdays` chosen (1 Sunday … 7 Saturday; none means the first occurrence's day).
public struct Recurrence: Codable, Sendable, Equatable {
    public enum Frequency: String, Codable, Sendable, CaseIterable {
        case hourly, daily, weekly, monthly, yearly
    }

    public var frequency: Frequency
    public var every: Int
    public var weekdays: [Int]

    public init(frequency: Frequency, every: Int = 1, weekdays: [Int] = []) {
        self.frequency = frequency
        self.every = every
        self.weekdays = weekdays
    }

    enum CodingKeys: String, CodingKey { case frequency, every, weekdays }

    /// `every` is 1 and `weekdays` none unless given.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        frequency = try container.decode(Frequency.self, forKey: .frequency)
        every = try container.decodeIfPresent(Int.self, forKey: .every) ?? 1
        weekdays = try container.decodeIfPresent([Int].self, forKey: .weekdays) ?? []
    }
}

/// A Task Scheduler entry: the task it makes (subject, agent, status, priority, estimates, description), its first
/// occurrence and recurrence, in a time zone. Each occurrence makes a new task whatever became of the earlier ones;
/// only deleting the entry stops it.
public struct TaskSchedule: Codable, Sendable, Equatable {
    public var id: String
    public var brandID: String?
    public var subject: String
    public var description: String
    public var agentID: String
    public var status: TaskStatus
    public var priority: TicketPriority
    public var originalEstimateMinutes: Int?
    public var remainingEstimateMinutes: Int?
    public var firstOccurrence: Date
    public var recurrence: Recurrence
    public var timeZone: String
    /// When the next task is made.
    public var nextRunAt: Date
    public var createdBy: String
    public var createdAt: Date
    public var version: Int

    public var etag: String { "\"\(version)\"" }
}

/// `POST`/`PUT …/task-schedules`: the task's fields as a task takes them, and when it recurs.
public struct TaskScheduleRequest: Decodable, Sendable {
    public var task: TaskRequest
    public var firstOccurrence: Date?
    public var recurrence: Recurrence?
    public var timeZone: String?

    enum CodingKeys: String, CodingKey { case firstOccurrence, recurrence, timeZone }

    public init(from decoder: any Decoder) throws {
        task = try TaskRequest(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        firstOccurrence = try container.decodeIfPresent(Date.self, forKey: .firstOccurrence)
        recurrence = try container.decodeIfPresent(Recurrence.self, forKey: .recurrence)
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
    }
}

public enum TaskScheduleRules {
    public static let maximumEvery = 99

    /// A schedule from its request: the task's fields checked as a new task's (no start or due date: each task
    /// starts at its occurrence), a first occurrence, a recurrence of 1 to 99 units with weekdays 1–7 only when
    /// weekly, a known time zone (UTC by default). 422 naming every wrong field.
    public static func schedule(
        from request: TaskScheduleRequest, id: String, brandID: String?, createdBy: String, now: Date, version: Int = 1
    ) throws -> TaskSchedule {
        var errors: [Problem.FieldError] = []
        if request.task.startAt.isSet || request.task.dueAt.isSet || request.task.reminderMinutes.isSet {
            errors.append(.init(field: "startAt", message: "a scheduled task starts at each occurrence; it takes no start, due date or reminder"))
        }
        var template: TaskItem?
        do {
            template = try TaskRules.new(request.task, id: id, brandID: brandID, ticketID: nil, createdBy: createdBy, now: now)
        } catch let problem as Problem {
            errors += problem.errors
        }
        if request.firstOccurrence == nil { errors.append(.init(field: "firstOccurrence", message: "required")) }
        let recurrence = request.recurrence
        if let recurrence {
            if !(1...maximumEvery).contains(recurrence.every) { errors.append(.init(field: "recurrence.every", message: "1...\(maximumEvery)")) }
            if recurrence.frequency != .weekly, !recurrence.weekdays.isEmpty {
                errors.append(.init(field: "recurrence.weekdays", message: "only a weekly recurrence has weekdays"))
            }
            if !recurrence.weekdays.allSatisfy((1...7).contains) { errors.append(.init(field: "recurrence.weekdays", message: "1 (Sunday) to 7 (Saturday)")) }
        } else {
            errors.append(.init(field: "recurrence", message: "required"))
        }
        let zoneName = request.timeZone ?? "UTC"
        let zone = TimeZone(identifier: zoneName)
        if zone == nil { errors.append(.init(field: "timeZone", message: "unknown time zone")) }
        guard errors.isEmpty, let template, let first = request.firstOccurrence, let recurrence, let zone else {
            throw Problem.unprocessable("The scheduled task is not valid.", errors: errors)
        }
        let weekly = Recurrence(frequency: recurrence.frequency, every: recurrence.every, weekdays: Array(Set(recurrence.weekdays)).sorted())
        return TaskSchedule(
            id: id, brandID: brandID, subject: template.subject, description: template.description, agentID: template.agentID,
            status: template.status, priority: template.priority, originalEstimateMinutes: template.originalEstimateMinutes,
            remainingEstimateMinutes: template.remainingEstimateMinutes, firstOccurrence: first, recurrence: weekly, timeZone: zoneName,
            nextRunAt: first < now ? occurrence(after: now, of: first, weekly, in: zone) : first, createdBy: createdBy, createdAt: now,
            version: version)
    }

    /// The first occurrence later than `moment`: counted from `first` (so a monthly task on the 31st keeps to the
    /// month's last day and returns to the 31st), weekly ones on the chosen days of every `every`-th week.
    public static func occurrence(after moment: Date, of first: Date, _ recurrence: Recurrence, in zone: TimeZone) -> Date {
        guard moment >= first else { return first }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let every = max(1, recurrence.every)
        if recurrence.frequency == .weekly { return weeklyOccurrence(after: moment, of: first, every: every, weekdays: recurrence.weekdays, calendar: calendar) }
        let unit: Calendar.Component = switch recurrence.frequency {
        case .hourly: .hour
        case .daily: .day
        case .monthly: .month
        case .yearly, .weekly: .year
        }
        let elapsed = calendar.dateComponents([unit], from: first, to: moment).value(for: unit) ?? 0
        var step = max(0, elapsed / every - 1)
        while true {
            if let next = calendar.date(byAdding: unit, value: step * every, to: first), next > moment { return next }
            step += 1
        }
    }

    private static func weeklyOccurrence(after moment: Date, of first: Date, every: Int, weekdays: [Int], calendar: Calendar) -> Date {
        let days = weekdays.isEmpty ? [calendar.component(.weekday, from: first)] : weekdays
        let time = calendar.dateComponents([.hour, .minute, .second], from: first)
        let firstWeek = calendar.dateInterval(of: .weekOfYear, for: first)?.start ?? first
        var day = calendar.startOfDay(for: max(moment, first))
        for _ in 0..<(every * 7 + 8) {
            let week = calendar.dateInterval(of: .weekOfYear, for: day)?.start ?? day
            let weeks = (calendar.dateComponents([.day], from: firstWeek, to: week).day ?? 0) / 7
            if weeks % every == 0, days.contains(calendar.component(.weekday, from: day)),
                let candidate = calendar.date(bySettingHour: time.hour ?? 0, minute: time.minute ?? 0, second: time.second ?? 0, of: day),
                candidate > moment, candidate >= first
            {
                return candidate
            }
            day = calendar.date(byAdding: .day, value: 1, to: day) ?? day.addingTimeInterval(86_400)
        }
        return moment.addingTimeInterval(TimeInterval(every * 7 * 86_400))
    }

    /// The task an occurrence makes: the entry's fields, in its brand, starting at the occurrence.
    public static func task(of schedule: TaskSchedule, at occurrence: Date, id: String, now: Date) -> TaskItem {
        TaskItem(
            id: id, brandID: schedule.brandID, ticketID: nil, agentID: schedule.agentID, subject: schedule.subject, description: schedule.description,
            status: schedule.status, priority: schedule.priority, startAt: occurrence, originalEstimateMinutes: schedule.originalEstimateMinutes,
            remainingEstimateMinutes: schedule.remainingEstimateMinutes, createdBy: schedule.createdBy, createdAt: now, updatedAt: now, version: 1)
    }
}

import Contracts
import Foundation
import ServiceKit

/// An administrator's rule for redistributing a group's unanswered Active tickets when agents come and go
/// (Tickets settings, Rebalance Rules): which agents' tickets it takes back, how long a ticket an agent touched
/// stays held, and when it runs (every interval, at up to three times of day, when an agent starts or stops
/// receiving tickets).
public struct RebalanceRule: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var groupID: String
    /// The agents whose tickets the rule redistributes; empty means every agent of the group.
    public var agentIDs: [String]
    public var holdAfterComposeMinutes: Int
    public var holdAfterReadMinutes: Int
    public var holdAfterAssignedMinutes: Int
    public var rebalancePinned: Bool
    public var rebalancePinnedAfterMinutes: Int
    public var onInterval: Bool
    public var intervalMinutes: Int
    public var onSchedule: Bool
    /// Times of day, "HH:mm" in `timeZone`; at most three.
    public var schedule: [String]
    public var timeZone: String
    public var onAgentStart: Bool
    public var onAgentStop: Bool
    public var lastRunAt: Date?
    public var nextRunAt: Date?
    public var version: Int
}

/// What an administrator sends to create or replace a rule; missing settings take the documented defaults.
public struct RebalanceRuleInput: Codable, Sendable {
    public var name: String
    public var groupID: String
    public var agentIDs: [String]?
    public var holdAfterComposeMinutes: Int?
    public var holdAfterReadMinutes: Int?
    public var holdAfterAssignedMinutes: Int?
    public var rebalancePinned: Bool?
    public var rebalancePinnedAfterMinutes: Int?
    public var onInterval: Bool?
    public var intervalMinutes: Int?
    public var onSchedule: Bool?
    public var schedule: [String]?
    public var timeZone: String?
    public var onAgentStart: Bool?
    public var onAgentStop: Bool?
}

/// The rules' checks and clock, as plain functions.
public enum RebalanceRules {
    public static let maximumScheduledTimes = 3
    /// The documented hold times: a ticket an agent composed in, read, or was assigned within these minutes stays theirs.
    public static let defaultHoldAfterComposeMinutes = 30
    public static let defaultHoldAfterReadMinutes = 10
    public static let defaultHoldAfterAssignedMinutes = 20

    /// A rule for a group the directory does not hold, or naming agents who are not its members, would never run as
    /// meant: the fields saying so (`groupKnown`: the group exists; `members`: its agents, lower case).
    public static func membershipErrors(of rule: RebalanceRule, groupKnown: Bool, members: Set<String>) -> [Problem.FieldError] {
        guard groupKnown else { return [.init(field: "groupID", message: "no such group")] }
        return rule.agentIDs.filter { !members.contains($0) }.map { .init(field: "agentIDs", message: "\($0) is not an agent of the group") }
    }

    /// The rule an input describes, with the documented defaults (hold 30/10/20 minutes, pinned after 2 hours
    /// but off, every hour); every problem at once as a 422.
    public static func rule(from input: RebalanceRuleInput, id: String, version: Int) throws -> RebalanceRule {
        var errors: [Problem.FieldError] = []
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 100 { errors.append(.init(field: "name", message: "1 to 100 characters")) }
        if UUID(parsing: input.groupID) == nil { errors.append(.init(field: "groupID", message: "must be a group id")) }
        for agent in input.agentIDs ?? [] where UUID(parsing: agent) == nil {
            errors.append(.init(field: "agentIDs", message: "\(agent) is not an agent id"))
        }
        let minutes: [(String, Int?, Int)] = [
            ("holdAfterComposeMinutes", input.holdAfterComposeMinutes, defaultHoldAfterComposeMinutes),
            ("holdAfterReadMinutes", input.holdAfterReadMinutes, defaultHoldAfterReadMinutes),
            ("holdAfterAssignedMinutes", input.holdAfterAssignedMinutes, defaultHoldAfterAssignedMinutes),
            ("rebalancePinnedAfterMinutes", input.rebalancePinnedAfterMinutes, 120),
            ("intervalMinutes", input.intervalMinutes, 60),
        ]
        var values: [String: Int] = [:]
        for (field, given, fallback) in minutes {
            let value = given ?? fallback
            let least = field == "intervalMinutes" ? 1 : 0
            if !(least...10_080).contains(value) { errors.append(.init(field: field, message: "\(least) to 10080 minutes")) }
            values[field] = value
        }
        let schedule = input.schedule ?? []
        if schedule.count > maximumScheduledTimes { errors.append(.init(field: "schedule", message: "at most \(maximumScheduledTimes) times a day")) }
        for time in schedule where minuteOfDay(time) == nil { errors.append(.init(field: "schedule", message: "\(time) is not a time such as 07:30")) }
        let timeZone = input.timeZone ?? "UTC"
        if TimeZone(identifier: timeZone) == nil { errors.append(.init(field: "timeZone", message: "not an IANA time zone")) }
        if input.onSchedule == true && schedule.isEmpty { errors.append(.init(field: "schedule", message: "give the times to run at")) }
        if Set(schedule.compactMap(minuteOfDay)).count < schedule.compactMap(minuteOfDay).count {
            errors.append(.init(field: "schedule", message: "each time of day once"))
        }
        // Rebalancing is "NOT meant to be a way to redistribute tickets on an hourly basis" [S001:7786]: the interval is
        // the default trigger only of a rule that names no other.
        let namesAnotherTrigger = input.onSchedule == true || input.onAgentStart == true || input.onAgentStop == true
        let onInterval = input.onInterval ?? !namesAnotherTrigger
        // A rule with every trigger off would be saved and never run.
        if !onInterval && !namesAnotherTrigger {
            errors.append(.init(field: "onInterval", message: "a rule runs on an interval, at set times, or when agents start or stop receiving tickets"))
        }
        try Problem.throwIfInvalid(errors)
        return RebalanceRule(
            id: id, name: name, groupID: input.groupID.lowercased(), agentIDs: (input.agentIDs ?? []).map { $0.lowercased() },
            holdAfterComposeMinutes: values["holdAfterComposeMinutes"] ?? defaultHoldAfterComposeMinutes,
            holdAfterReadMinutes: values["holdAfterReadMinutes"] ?? defaultHoldAfterReadMinutes,
            holdAfterAssignedMinutes: values["holdAfterAssignedMinutes"] ?? defaultHoldAfterAssignedMinutes, rebalancePinned: input.rebalancePinned ?? false,
            rebalancePinnedAfterMinutes: values["rebalancePinnedAfterMinutes"] ?? 120, onInterval: onInterval,
            intervalMinutes: values["intervalMinutes"] ?? 60, onSchedule: input.onSchedule ?? false, schedule: schedule, timeZone: timeZone,
            onAgentStart: input.onAgentStart ?? false, onAgentStop: input.onAgentStop ?? false, lastRunAt: nil, nextRunAt: nil, version: version)
    }

    /// "HH:mm" → minutes after midnight.
    static func minuteOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }

    /// When the rule next runs by the clock after `now`: the interval from now, or the next scheduled time of day
    /// in the rule's time zone, whichever comes first; nil when it runs only on agents' starts and stops.
    public static func nextRun(of rule: RebalanceRule, after now: Date) -> Date? {
        var candidates: [Date] = []
        if rule.onInterval { candidates.append(now.addingTimeInterval(Double(rule.intervalMinutes) * 60)) }
        if rule.onSchedule, let zone = TimeZone(identifier: rule.timeZone) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            for time in rule.schedule {
                guard let minutes = minuteOfDay(time) else { continue }
                let components = DateComponents(hour: minutes / 60, minute: minutes % 60, second: 0)
                if let next = calendar.nextDate(after: now, matching: components, matchingPolicy: .nextTime) { candidates.append(next) }
            }
        }
        return candidates.min()
    }

    /// When an edited rule runs next: a run an agent's start or stop made due (`pending`, not after `now`) stays due
    /// while the rule keeps its group; else the rule's schedule from `now`.
    public static func nextRun(ofEdited rule: RebalanceRule, pending: Date?, sameGroup: Bool, after now: Date) -> Date? {
        if let pending, pending <= now, sameGroup { return pending }
        return nextRun(of: rule, after: now)
    }

    /// What a run of the rule may take back, as of `now`.
    public static func policy(of rule: RebalanceRule, now: Date) -> RebalancePolicy {
        RebalancePolicy(
            agents: rule.agentIDs.compactMap(UUID.init(parsing:)),
            heldComposedSince: now.addingTimeInterval(-Double(rule.holdAfterComposeMinutes) * 60),
            heldReadSince: now.addingTimeInterval(-Double(rule.holdAfterReadMinutes) * 60),
            heldAssignedSince: now.addingTimeInterval(-Double(rule.holdAfterAssignedMinutes) * 60),
            windowsOpenSince: now.addingTimeInterval(-RebalancePolicy.abandonedWindowAge),
            pinnedUntouchedSince: rule.rebalancePinned ? now.addingTimeInterval(-Double(rule.rebalancePinnedAfterMinutes) * 60) : nil)
    }
}

/// Which of a group's unanswered Active tickets a rebalance takes back: those of `agents` (all when empty), not
/// held (composed, read or assigned after the given moments, or open in their owner's window or preview pane
/// since `windowsOpenSince`), not pinned unless untouched since `pinnedUntouchedSince`.
public struct RebalancePolicy: Sendable, Equatable {
    public var agents: [UUID]
    public var heldComposedSince: Date?
    public var heldReadSince: Date?
    public var heldAssignedSince: Date?
    /// Windows opened before this are taken as abandoned (a console that crashed never closes its window).
    public var windowsOpenSince: Date?
    public var pinnedUntouchedSince: Date?

    /// How long an open window holds its ticket at most.
    public static let abandonedWindowAge: TimeInterval = 12 * 3600

    /// A manager's Rebalance: every agent's tickets, but not those an agent is viewing or writing a response in ("when an
    /// agent views a ticket, it is temporarily assigned to that agent", and when they begin to write one [S001:2942-2944]),
    /// held for the documented read and compose times, nor pinned ones. What was only assigned moves: that is what a
    /// rebalance is for.
    public static func manual(now: Date) -> RebalancePolicy {
        RebalancePolicy(
            agents: [], heldComposedSince: now.addingTimeInterval(-Double(RebalanceRules.defaultHoldAfterComposeMinutes) * 60),
            heldReadSince: now.addingTimeInterval(-Double(RebalanceRules.defaultHoldAfterReadMinutes) * 60), heldAssignedSince: nil,
            windowsOpenSince: now.addingTimeInterval(-abandonedWindowAge), pinnedUntouchedSince: nil)
    }
}

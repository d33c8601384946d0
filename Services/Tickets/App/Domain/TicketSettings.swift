import Foundation
import ServiceKit

/// Settings → Tickets, Options and Timing (seed 001, 7738-7756), one document for the installation.
public struct TicketSettings: Codable, Sendable, Equatable {
    public enum ReplyOption: String, Codable, Sendable { case reply, replyAll }
    public enum AgentChoice: String, Codable, Sendable { case always, never }

    /// "Auto Save Frequency": how often the agent console saves a reply draft, in seconds.
    public var autoSaveSeconds = 30
    /// "Default Reply Option": what the reply button does first (the other stays in its menu).
    public var defaultReplyOption = ReplyOption.reply
    /// "Max Messages in Replies": earlier messages quoted under a reply (default the most recent one).
    public var maxMessagesInReplies = 1
    /// "Show Agents When Transferring": whether a transfer may name an agent (default Always).
    public var showAgentsWhenTransferring = AgentChoice.always
    /// "Stop Idle Events After" (days): idle Waiting tickets stop triggering idle events after this; nil: never.
    public var stopIdleEventsAfterDays: Int?
    /// Timing: idle (no agent response) and duration (open) thresholds for warning and critical notifications, in
    /// minutes; nil: off.
    public var idleWarningMinutes: Int?
    public var idleCriticalMinutes: Int?
    public var durationWarningMinutes: Int?
    public var durationCriticalMinutes: Int?
    /// Days a deleted ticket or task is kept (read-only, under "only deleted items") before it is purged. The seed says
    /// 90 days [S001:3264] where the Deletions report says 30 [S001:4825], so it is a setting, 90 by default.
    public var purgeDeletedAfterDays = TimerPolicy.defaultPurgeDays

    public init() {}
}

public enum TicketSettingsRules {
    /// Every problem at once (422): positive counts within bounds, a critical threshold after its warning.
    public static func validate(_ settings: TicketSettings) throws {
        var errors: [Problem.FieldError] = []
        func check(_ value: Int?, _ field: String, _ range: ClosedRange<Int>) {
            if let value, !range.contains(value) { errors.append(.init(field: field, message: "\(range.lowerBound)...\(range.upperBound)")) }
        }
        check(settings.autoSaveSeconds, "autoSaveSeconds", 5...3_600)
        check(settings.maxMessagesInReplies, "maxMessagesInReplies", 0...100)
        check(settings.stopIdleEventsAfterDays, "stopIdleEventsAfterDays", 1...3_650)
        check(settings.purgeDeletedAfterDays, "purgeDeletedAfterDays", 1...3_650)
        let week = 7 * 24 * 60 * 52
        for (value, field) in [
            (settings.idleWarningMinutes, "idleWarningMinutes"), (settings.idleCriticalMinutes, "idleCriticalMinutes"),
            (settings.durationWarningMinutes, "durationWarningMinutes"), (settings.durationCriticalMinutes, "durationCriticalMinutes"),
        ] { check(value, field, 1...week) }
        if let warning = settings.idleWarningMinutes, let critical = settings.idleCriticalMinutes, critical <= warning {
            errors.append(.init(field: "idleCriticalMinutes", message: "after the idle warning"))
        }
        if let warning = settings.durationWarningMinutes, let critical = settings.durationCriticalMinutes, critical <= warning {
            errors.append(.init(field: "durationCriticalMinutes", message: "after the duration warning"))
        }
        try Problem.throwIfInvalid(errors)
    }
}

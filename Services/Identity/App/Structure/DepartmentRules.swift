import Contracts
import Foundation
import ServiceKit

/// What makes a department and a group valid, as plain functions over the facts the caller looked up.
public enum DepartmentRules {
    public static func validate(_ department: Department, departmentGroupIDs: Set<String>, roleNames: Set<String>) throws {
        var errors: [Problem.FieldError] = []
        func check(_ ok: Bool, _ field: String, _ message: String) {
            if !ok { errors.append(.init(field: field, message: message)) }
        }
        check((1...100).contains(department.name.unicodeScalars.count), "name", "1...100 characters")
        check(departmentGroupIDs.contains(department.frontLineGroupID), "frontLineGroupID", "must be a group of this department")
        check(UserProfileRules.isLanguageTag(department.language), "language", "must be a language tag such as en or pt-BR")
        if let email = department.emailAddress {
            check((try? RegistrationService.validateEmail(email)) != nil, "emailAddress", "is not an email address")
        }
        let settings = department.settings
        let tickets = settings.tickets
        check(tickets.newTicketsInPortal == "Nobody" || roleNames.contains(tickets.newTicketsInPortal), "settings.tickets.newTicketsInPortal",
              "must be a role or Nobody")
        check((1...87_600).contains(tickets.autoCloseAfterHours), "settings.tickets.autoCloseAfterHours", "1...87600 hours")
        check((1...87_600).contains(tickets.autoLockAfterHours), "settings.tickets.autoLockAfterHours", "1...87600 hours")
        check((1...3_650).contains(tickets.autoDeleteAfterDays), "settings.tickets.autoDeleteAfterDays", "1...3650 days")
        check((1...3_650).contains(settings.callLogs.autoDeleteAfterDays), "settings.callLogs.autoDeleteAfterDays", "1...3650 days")
        check((0...3_600).contains(settings.liveChat.estimatedWaitSeconds), "settings.liveChat.estimatedWaitSeconds", "0...3600 seconds")
        let texts = [tickets.messageBeforeSubmission, tickets.messageAfterSubmission, settings.liveChat.messageBeforeChat,
                     settings.liveChat.welcomeMessage, settings.liveChat.messageAfterChat, settings.liveChat.estimatedWaitTimeMessage]
        check(texts.allSatisfy { $0.count <= BrandSettingsRules.maximumHTMLLength }, "settings", "messages hold at most 20000 characters")
        for problem in settings.businessHours.problems(prefix: "settings.businessHours") { check(false, problem.field, problem.message) }
        // Templates live in the tickets service, which checks that one exists; a malformed id would read as none there.
        let templates = [("tickets", tickets.customFieldTemplateID), ("liveChat", settings.liveChat.customFieldTemplateID),
                         ("callLogs", settings.callLogs.customFieldTemplateID)]
        for (tab, template) in templates {
            check(template.map { UUID(uuidString: $0) != nil } ?? true, "settings.\(tab).customFieldTemplateID", "must be a template's id")
        }
        try Problem.throwIfInvalid(errors)
    }

    /// The settings with their portal and chat messages made safe HTML: they may hold HTML [S001:6048], and the
    /// portal and the chat widget show them to anonymous visitors.
    public static func madeSafe(_ settings: DepartmentSettings) -> DepartmentSettings {
        var safe = settings
        let media = MediaPolicy(frameHosts: [])
        for text in [\DepartmentSettings.tickets.messageBeforeSubmission, \.tickets.messageAfterSubmission, \.liveChat.messageBeforeChat,
                     \.liveChat.welcomeMessage, \.liveChat.messageAfterChat, \.liveChat.estimatedWaitTimeMessage] where !safe[keyPath: text].isEmpty {
            safe[keyPath: text] = SafeHTML.sanitize(safe[keyPath: text], media: media)
        }
        return safe
    }

    public static func validate(_ group: Group) throws {
        var errors: [Problem.FieldError] = []
        if !(1...100).contains(group.name.unicodeScalars.count) { errors.append(.init(field: "name", message: "1...100 characters")) }
        for estimate in group.timeEstimates.all where !(estimate.minutes.map { (0...10_000).contains($0) } ?? true) {
            errors.append(.init(field: "timeEstimates.\(estimate.name)", message: "0...10000 minutes"))
        }
        try Problem.throwIfInvalid(errors)
    }

}

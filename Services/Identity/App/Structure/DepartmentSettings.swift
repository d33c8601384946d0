import Contracts

/// The Tickets tab of a department, with the documented defaults (timers are off until enabled).
public struct DepartmentTicketSettings: Codable, Sendable, Equatable {
    /// "New Tickets in Portal": the role needed to submit, or Nobody to hide the department from the portal.
    public var newTicketsInPortal = "Everyone"
    public var customFieldTemplateID: String?
    public var surveyToOfferWhenClosed: String?
    public var autoCloseEnabled = false
    /// Waiting tickets close after this many hours; any action resets the timer.
    public var autoCloseAfterHours = 168
    public var autoLockEnabled = false
    /// Closed tickets are locked (no reopening by a customer reply) after this many hours.
    public var autoLockAfterHours = 322
    public var autoDeleteEnabled = false
    /// Closed and closed-and-locked tickets are deleted after this many days.
    public var autoDeleteAfterDays = 365
    public var includeTicketsWithResolutionsInAutoDelete = false
    public var requireResolutionToClose = false
    public var requireAllTasksCompletedToClose = false
    public var notifyCustomerOnAutoClose = false
    public var requireVerifiedEmailToStartTickets = false
    public var searchKnowledgeBaseBeforeSubmission = true
    public var messageBeforeSubmission = ""
    public var messageAfterSubmission = ""

    public init() {}
}

/// The Live Chat tab of a department.
public struct DepartmentChatSettings: Codable, Sendable, Equatable {
    public var customFieldTemplateID: String?
    public var estimatedWaitSeconds = 30
    public var surveyToOffer: String?
    public var enableChatsInPortal = true
    public var searchKnowledgeBaseBeforeChat = true
    public var messageBeforeChat = ""
    public var welcomeMessage = ""
    public var messageAfterChat = ""
    public var estimatedWaitTimeMessage = ""

    public init() {}
}

/// The Call Logs tab of a department.
public struct DepartmentCallLogSettings: Codable, Sendable, Equatable {
    public var customFieldTemplateID: String?
    public var autoDeleteEnabled = false
    public var autoDeleteAfterDays = 365

    public init() {}
}

/// Everything a department holds beyond its name, brand and front-line group: the Options, Tickets, Live
/// Chat, Call Logs and Business Hours tabs. Tickets and live chat keep it from `department.*` events.
public struct DepartmentSettings: Codable, Sendable, Equatable {
    public var enableAutoResponder = true
    /// Non-members find the department's items read-only through advanced search.
    public var allowAllAgentsAdvancedSearch = false
    /// Managers of any department may view this department's tickets.
    public var allowOutsideManagersToView = false
    public var timeLogsBillableByDefault = false
    public var tickets = DepartmentTicketSettings()
    public var liveChat = DepartmentChatSettings()
    public var callLogs = DepartmentCallLogSettings()
    /// "Inherit business hours from Brand": when true the brand's weekly hours and time zone apply; otherwise
    /// `businessHours`'.
    public var inheritBusinessHoursFromBrand = true
    /// The Holidays tab's own choice [S001:6042]: when true the brand's holidays apply; otherwise `businessHours`'.
    public var inheritHolidaysFromBrand = true
    public var businessHours = BusinessSchedule.standard

    public init() {}

    /// The schedule the department keeps, given its brand's: the hours from one or the other, the holidays likewise.
    public func schedule(brand: BusinessSchedule) -> BusinessSchedule {
        var schedule = inheritBusinessHoursFromBrand ? brand : businessHours
        schedule.holidays = inheritHolidaysFromBrand ? brand.holidays : businessHours.holidays
        return schedule
    }
}

/// Minutes per activity for the cost reports (Group → Time Estimates).
public struct TimeEstimates: Codable, Sendable, Equatable {
    public var ticketCreated: Int?
    public var ticketTransferred: Int?
    public var ticketMessageIn: Int?
    public var ticketMessageOut: Int?
    public var liveChatStarted: Int?
    public var liveChatTransferred: Int?

    public init() {}

    public var all: [(name: String, minutes: Int?)] {
        [("ticketCreated", ticketCreated), ("ticketTransferred", ticketTransferred), ("ticketMessageIn", ticketMessageIn),
         ("ticketMessageOut", ticketMessageOut), ("liveChatStarted", liveChatStarted), ("liveChatTransferred", liveChatTransferred)]
    }
}

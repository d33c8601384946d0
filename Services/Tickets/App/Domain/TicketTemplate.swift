import ServiceKit

/// A custom field template: the ordered fields a department's tickets carry, each with who sees it and when it
/// is required (by users on submit, by agents to send a reply, by agents to close).
public struct TicketTemplate: Codable, Sendable, Equatable {
    public struct Field: Codable, Sendable, Equatable {
        public enum Visibility: String, Codable, Sendable {
            case users, agents, both
        }

        public var fieldID: String
        public var displayName: String?
        public var visibility: Visibility
        public var requiredByUsers: Bool
        public var requiredForSend: Bool
        public var requiredForClose: Bool
        public var showInCompose: Bool

        public init(
            fieldID: String, displayName: String? = nil, visibility: Visibility = .both, requiredByUsers: Bool = false, requiredForSend: Bool = false,
            requiredForClose: Bool = false, showInCompose: Bool = false
        ) {
            self.fieldID = fieldID
            self.displayName = displayName
            self.visibility = visibility
            self.requiredByUsers = requiredByUsers
            self.requiredForSend = requiredForSend
            self.requiredForClose = requiredForClose
            self.showInCompose = showInCompose
        }
    }

    /// The moment requirements are checked.
    public enum Moment: Sendable {
        case submit, send, close
    }

    /// What a default template is the default of: the three exist from the start and cannot be deleted. A department
    /// without a Ticket Template of its own uses the tickets one.
    public enum DefaultUse: String, Codable, Sendable {
        case tickets, chats
        case callLogs = "call_logs"
    }

    public var id: String
    public var name: String
    public var fields: [Field]
    public var defaultFor: DefaultUse?

    public init(id: String, name: String, fields: [Field], defaultFor: DefaultUse? = nil) {
        self.id = id
        self.name = name
        self.fields = fields
        self.defaultFor = defaultFor
    }

    /// What makes the template's fields contradictory, as 422 field errors: a field listed twice, a requirement for
    /// agents on a field only customers see (the agent's form never shows it, so it could never be met), a
    /// requirement for customers on a field only agents see.
    public var contradictions: [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        var seen: Set<String> = []
        for (index, field) in fields.enumerated() {
            let at = "fields[\(index)]"
            if !seen.insert(field.fieldID).inserted { errors.append(.init(field: at + ".fieldID", message: "is in the template already")) }
            if field.visibility == .users, field.requiredForSend || field.requiredForClose {
                errors.append(.init(field: at + ".visibility", message: "a field agents must complete must be visible to agents"))
            }
            if field.visibility == .agents, field.requiredByUsers {
                errors.append(.init(field: at + ".visibility", message: "a field users must complete must be visible to users"))
            }
        }
        return errors
    }

    /// The fields required at `moment` that `values` leave empty, as 422 field errors; a required checkbox must be
    /// checked (unchecked is how an untouched box reads). A requirement on a field the one who must fill it does not see
    /// (a template saved before ``contradictions`` were refused) is not enforced.
    public func missing(at moment: Moment, values: [String: String], definitions: [String: CustomFieldDefinition]) -> [Problem.FieldError] {
        fields.filter { field in
            switch moment {
            case .submit: field.requiredByUsers && field.visibility != .agents
            case .send: field.requiredForSend && field.visibility != .users
            case .close: field.requiredForClose && field.visibility != .users
            }
        }
        .filter { field in
            let value = values[field.fieldID] ?? ""
            return value.isEmpty || (definitions[field.fieldID]?.dataType == .checkbox && value != "true")
        }
        .map { field in
            let name = field.displayName ?? definitions[field.fieldID]?.name ?? field.fieldID
            let checkbox = definitions[field.fieldID]?.dataType == .checkbox
            return Problem.FieldError(field: "customFields.\(field.fieldID)", message: "\(name) \(checkbox ? "must be checked" : "is required")")
        }
    }

    /// The values a customer may set: fields of the template visible to users.
    public func userEditable(_ fieldID: String) -> Bool {
        fields.contains { $0.fieldID == fieldID && $0.visibility != .agents }
    }

    /// The values an agent may set: fields of the template visible to agents (not those for users only).
    public func agentEditable(_ fieldID: String) -> Bool {
        fields.contains { $0.fieldID == fieldID && $0.visibility != .users }
    }

    /// The Default Values of the template's fields that `values` leave out, for a new ticket.
    public func defaults(besides values: [String: String], definitions: [String: CustomFieldDefinition]) -> [String: String] {
        var defaults: [String: String] = [:]
        for field in fields where values[field.fieldID] == nil {
            if let value = definitions[field.fieldID]?.defaultValue, !value.isEmpty { defaults[field.fieldID] = value }
        }
        return defaults
    }

    /// The values a customer is shown: those of the template's fields visible to users (not agent-only fields, nor
    /// values of fields the template no longer has).
    public func shownToUsers(_ values: [String: String]) -> [String: String] {
        values.filter { userEditable($0.key) }
    }
}

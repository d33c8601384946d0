import ServiceKit

/// A department's ticket form as one audience fills it in: the fields of the department's template that audience
/// sees (the template's Visibility), in the template's order, each with its definition and when it is required.
/// Customers learn which fields they must fill in to submit; agents which a reply or closing needs, and which the
/// compose window shows ("Show in communication view").
public struct TicketForm: Codable, Sendable, Equatable {
    public enum Audience: Sendable {
        case users, agents
    }

    public struct Field: Codable, Sendable, Equatable {
        public var id: String
        /// The template's display name for the field, else the field's own name.
        public var name: String
        public var dataType: CustomFieldType
        public var options: [String]
        public var defaultValue: String?
        /// Customers: required to submit. Agents: nil (see the three below).
        public var requiredToSubmit: Bool?
        public var requiredForSend: Bool?
        public var requiredForClose: Bool?
        public var showInCompose: Bool?
    }

    public var departmentID: String
    public var fields: [Field]
    /// The department's portal settings: the messages before and after submission, the knowledge base search,
    /// whether a verified email address is required, and the brand's privacy policy to consent to.
    public var portal: PortalSubmission?

    /// The form of a department with `template` (none: no fields), its fields defined by `definitions` (by id; a field
    /// the template names but nobody defines any more is left out).
    public static func of(
        department: String, template: TicketTemplate?, definitions: [String: CustomFieldDefinition], for audience: Audience
    ) -> TicketForm {
        let fields = (template?.fields ?? []).compactMap { field -> Field? in
            guard let definition = definitions[field.fieldID], field.visibility.shows(audience) else { return nil }
            let agents = audience == .agents
            return Field(
                id: definition.id, name: field.displayName ?? definition.name, dataType: definition.dataType, options: definition.options,
                defaultValue: definition.defaultValue, requiredToSubmit: agents ? nil : field.requiredByUsers,
                requiredForSend: agents ? field.requiredForSend : nil, requiredForClose: agents ? field.requiredForClose : nil,
                showInCompose: agents ? field.showInCompose : nil)
        }
        return TicketForm(departmentID: department, fields: fields)
    }
}

extension TicketTemplate.Field.Visibility {
    /// Whether a field of this visibility is shown to `audience`.
    func shows(_ audience: TicketForm.Audience) -> Bool {
        switch (self, audience) {
        case (.both, _), (.users, .users), (.agents, .agents): true
        case (.users, .agents), (.agents, .users): false
        }
    }
}

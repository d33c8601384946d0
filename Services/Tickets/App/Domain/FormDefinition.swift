import Foundation
import ServiceKit

/// A form (Settings → Forms) an agent sends to a ticket's customer to collect what the ticket needs after it
/// started: system details, access details, serial numbers. Each sent copy is filled out once.
public struct FormDefinition: Codable, Sendable, Equatable {
    public var id: String
    /// The friendly name in the forms list.
    public var name: String
    /// The text of the `#FormLink#` link.
    public var linkText: String
    /// The heading and text of the page shown once the form is filled out.
    public var thankYouHeader: String
    public var thankYouText: String
    /// Posted in a live chat; must contain `#FormLink#`.
    public var chatIntroduction: String
    /// Safe HTML the agent's reply starts from; must contain `#FormLink#`.
    public var emailIntroduction: String
    public var fields: [FormField]
    public var version: Int
}

/// One item of a form, in the order the customer sees them.
public struct FormField: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Shown as an `<h2>`; nothing to fill in.
        case header
        /// A label; nothing to fill in.
        case informational
        case multipleSelection, singleSelection, shortResponse, longResponse, yesNo, checkbox, emailAddress, link

        /// Whether the customer answers it (headers and informational text are only shown).
        public var answered: Bool { self != .header && self != .informational }
        public var hasOptions: Bool { self == .multipleSelection || self == .singleSelection }
    }

    public var id: String
    public var type: Kind
    /// The question, the header or the informational text.
    public var label: String
    /// The choices of a selection, in order.
    public var options: [String]
    public var required: Bool
}

/// `POST`/`PUT …/forms` body; what it leaves out takes the documented default text.
public struct FormInput: Decodable, Sendable {
    public struct Field: Decodable, Sendable {
        public var id: String?
        public var type: FormField.Kind
        public var label: String
        public var options: [String]?
        public var required: Bool?
    }

    public var name: String
    public var linkText: String?
    public var thankYouHeader: String?
    public var thankYouText: String?
    public var chatIntroduction: String?
    public var emailIntroduction: String?
    public var fields: [Field]?
}

public enum FormRules {
    /// Where an introduction puts the link to the form.
    public static let linkVariable = "#FormLink#"
    public static let maximumFields = 100
    public static let maximumName = 200
    public static let maximumText = 20_000

    static let defaultLinkText = "Fill out the form"
    static let defaultThankYouHeader = "Thank You"
    static let defaultThankYouText = "Thank you for filling out the form. We have received your information."
    static let defaultChatIntroduction = "Please fill out this form: #FormLink#"
    static let defaultEmailIntroduction = "<p>To help us with your request, please fill out this form: #FormLink#</p>"

    /// The form as stored: texts trimmed and defaulted, the email introduction made safe, fields numbered when they
    /// come without an id; every problem reported at once (422).
    public static func definition(from input: FormInput, id: String, version: Int) throws -> FormDefinition {
        var errors: [Problem.FieldError] = []
        func text(_ raw: String?, _ field: String, default fallback: String, limit: Int) -> String {
            let value = (raw ?? fallback).trimmingCharacters(in: .whitespacesAndNewlines)
            if value.isEmpty { errors.append(.init(field: field, message: "is empty")) }
            if value.count > limit { errors.append(.init(field: field, message: "at most \(limit) characters")) }
            return value
        }
        let name = text(input.name, "name", default: "", limit: maximumName)
        let linkText = text(input.linkText, "linkText", default: defaultLinkText, limit: maximumName)
        let header = text(input.thankYouHeader, "thankYouHeader", default: defaultThankYouHeader, limit: maximumName)
        let thanks = text(input.thankYouText, "thankYouText", default: defaultThankYouText, limit: maximumText)
        let chat = text(input.chatIntroduction, "chatIntroduction", default: defaultChatIntroduction, limit: maximumText)
        let rawEmail = text(input.emailIntroduction, "emailIntroduction", default: defaultEmailIntroduction, limit: maximumText)
        let email = SafeHTML.sanitize(rawEmail, media: MediaPolicy(frameHosts: [])).trimmingCharacters(in: .whitespacesAndNewlines)
        for (field, value) in [("chatIntroduction", chat), ("emailIntroduction", email)] where !value.contains(linkVariable) {
            errors.append(.init(field: field, message: "must contain \(linkVariable)"))
        }
        let fields = checkedFields(input.fields ?? [], errors: &errors)
        guard errors.isEmpty else { throw Problem.unprocessable("The form is not valid.", errors: errors) }
        return FormDefinition(
            id: id, name: name, linkText: linkText, thankYouHeader: header, thankYouText: thanks, chatIntroduction: chat,
            emailIntroduction: email, fields: fields, version: version)
    }

    private static func checkedFields(_ inputs: [FormInput.Field], errors: inout [Problem.FieldError]) -> [FormField] {
        if inputs.count > maximumFields { errors.append(.init(field: "fields", message: "at most \(maximumFields)")) }
        var seen: Set<String> = []
        return inputs.enumerated().map { index, input in
            let path = "fields[\(index)]"
            let id = (input.id ?? "").trimmingCharacters(in: .whitespaces)
            let fieldID = id.isEmpty ? "field\(index + 1)" : id
            if !seen.insert(fieldID).inserted { errors.append(.init(field: "\(path).id", message: "is used by another field")) }
            if fieldID.count > 64 { errors.append(.init(field: "\(path).id", message: "at most 64 characters")) }
            let label = input.label.trimmingCharacters(in: .whitespacesAndNewlines)
            if label.isEmpty { errors.append(.init(field: "\(path).label", message: "is empty")) }
            if label.count > maximumText { errors.append(.init(field: "\(path).label", message: "at most \(maximumText) characters")) }
            let options = (input.options ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            if input.type.hasOptions {
                if options.isEmpty || options.contains(where: \.isEmpty) {
                    errors.append(.init(field: "\(path).options", message: "a selection needs its choices, none empty"))
                }
                if Set(options).count != options.count { errors.append(.init(field: "\(path).options", message: "has a choice twice")) }
            } else if !options.isEmpty {
                errors.append(.init(field: "\(path).options", message: "only selections have choices"))
            }
            let required = input.required ?? false
            if required, !input.type.answered { errors.append(.init(field: "\(path).required", message: "a \(input.type.rawValue) is not filled in")) }
            return FormField(id: fieldID, type: input.type, label: label, options: input.type.hasOptions ? options : [], required: required)
        }
    }

    /// The agent's reply body with each `#FormLink#` turned into the link to the sent form (422 when the agent took
    /// the variable out: the customer would get no way to the form).
    public static func withLink(_ body: (html: String, text: String), linkText: String, url: String) throws -> (html: String, text: String) {
        guard body.html.contains(linkVariable) || body.text.contains(linkVariable) else {
            throw Problem.unprocessable(
                "The reply sends a form but has no \(linkVariable).", errors: [.init(field: "body", message: "must contain \(linkVariable)")])
        }
        let anchor = #"<a href="\#(SafeHTML.escape(url))">\#(SafeHTML.escape(linkText))</a>"#
        return (body.html.replacingOccurrences(of: linkVariable, with: anchor),
                body.text.replacingOccurrences(of: linkVariable, with: "\(linkText) (\(url))"))
    }
}

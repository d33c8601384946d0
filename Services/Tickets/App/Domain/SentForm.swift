import Foundation
import ServiceKit

/// A form sent on a ticket: a copy of the form as it was sent (editing or deleting the form later changes no copy
/// already sent) and, once the customer filled it out, their answers. It is filled out once.
public struct SentForm: Codable, Sendable, Equatable {
    public var id: String
    public var ticketID: String
    public var formID: String
    /// The reply that carried the link.
    public var messageID: String
    public var sentBy: String
    public var sentAt: Date
    public var form: FormDefinition
    public var answers: [String: FormAnswer]?
    public var completedAt: Date?

    /// What `ticket.form_sent` says of it.
    var eventDetails: [String: String] {
        ["sentFormID": id, "formID": formID, "formName": form.name, "messageID": messageID]
    }
}

/// A customer's answer: text (responses, a single selection, an email address, a link), the choices of a multiple
/// selection, or yes/no (a Yes / No or a checkbox).
public enum FormAnswer: Codable, Sendable, Equatable {
    case text(String)
    case choices([String])
    case flag(Bool)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .flag(flag)
        } else if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .choices(try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .choices(let choices): try container.encode(choices)
        case .flag(let flag): try container.encode(flag)
        }
    }
}

/// What the customer's link shows: the form to fill out, or, once filled out, its thank-you page.
public struct FormPage: Codable, Sendable, Equatable {
    public var name: String
    public var fields: [FormField]
    public var completedAt: Date?
    public var thankYouHeader: String
    public var thankYouText: String
}

public enum FormAnswerRules {
    public static let maximumShortResponse = 255
    public static let maximumLongResponse = 20_000

    /// The answers as kept: each checked against its field's type, required fields answered (a required checkbox
    /// checked), unanswered optional ones left out, and no answer to anything that is not a question; every
    /// problem reported at once (422).
    public static func checked(_ answers: [String: FormAnswer], for form: FormDefinition) throws -> [String: FormAnswer] {
        var errors: [Problem.FieldError] = []
        var kept: [String: FormAnswer] = [:]
        let known = Set(form.fields.filter(\.type.answered).map(\.id))
        for id in answers.keys.sorted() where !known.contains(id) {
            errors.append(.init(field: "answers.\(id)", message: "is not a question of this form"))
        }
        for field in form.fields where field.type.answered {
            let path = "answers.\(field.id)"
            switch answer(answers[field.id], to: field) {
            case .success(let value?): kept[field.id] = value
            case .success(nil): if field.required { errors.append(.init(field: path, message: "is required")) }
            case .failure(let message): errors.append(.init(field: path, message: message.text))
            }
        }
        guard errors.isEmpty else { throw Problem.unprocessable("The form is not filled out correctly.", errors: errors) }
        return kept
    }

    struct Message: Error {
        var text: String
    }

    /// One field's answer, nil when it counts as unanswered.
    private static func answer(_ given: FormAnswer?, to field: FormField) -> Result<FormAnswer?, Message> {
        guard let given else { return .success(nil) }
        switch (field.type, given) {
        case (.yesNo, .flag):
            return .success(given)
        case (.checkbox, .flag(let checked)):
            return .success(checked ? given : nil)
        case (.multipleSelection, .choices(let choices)):
            if let unknown = choices.first(where: { !field.options.contains($0) }) { return .failure(Message(text: "\"\(unknown)\" is not a choice")) }
            if Set(choices).count != choices.count { return .failure(Message(text: "names a choice twice")) }
            return .success(choices.isEmpty ? nil : .choices(field.options.filter(choices.contains)))
        case (_, .text(let raw)):
            let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { return .success(nil) }
            return checkedText(text, for: field).map { .text($0) }
        default:
            return .failure(Message(text: "is not an answer to a \(field.type.rawValue) field"))
        }
    }

    private static func checkedText(_ text: String, for field: FormField) -> Result<String, Message> {
        switch field.type {
        case .singleSelection:
            return field.options.contains(text) ? .success(text) : .failure(Message(text: "\"\(text)\" is not a choice"))
        case .shortResponse:
            return text.count <= maximumShortResponse ? .success(text) : .failure(Message(text: "at most \(maximumShortResponse) characters"))
        case .longResponse:
            return text.count <= maximumLongResponse ? .success(text) : .failure(Message(text: "at most \(maximumLongResponse) characters"))
        case .emailAddress:
            return EmailAddress.validated(text).map { .success($0) } ?? .failure(Message(text: "is not an email address"))
        case .link:
            guard text.count <= 2_000, let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                url.host?.isEmpty == false
            else { return .failure(Message(text: "is not a web address (http or https)")) }
            return .success(text)
        default:
            return .failure(Message(text: "is not an answer to a \(field.type.rawValue) field"))
        }
    }

    /// The comment the completed form leaves on its ticket, with the date and time it was completed (ISO 8601, UTC).
    public static func completionComment(formName: String, at date: Date) -> String {
        "Form \"\(formName)\" completed on \(date.formatted(.iso8601))."
    }
}

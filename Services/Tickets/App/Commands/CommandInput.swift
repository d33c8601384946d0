import Foundation
import ServiceKit

/// A customer's message that comes as a command (an email, an offline chat message) where the HTTP API would refuse
/// it: a client of the API is told and sends it again, the sender of a command is not, so the message is kept in a form
/// a ticket holds instead. What the sender wrote stays whole beside it as the message's source (Show HTML, Raw Content).
enum CommandInput {
    static let noSubject = "(no subject)"
    static let noText = "(no text)"
    static let cutNote = "\n\n[Cut at 100,000 characters: the whole message is under Show HTML and Raw Content.]"

    /// The sender of mail that arrived, kept as loosely as ``EmailAddress/received(_:)`` allows, so that an address the
    /// API would refuse an agent does not drop the customer's message; 422 for one that names no mailbox at all.
    static func address(_ raw: String, field: String) throws -> String {
        guard let address = EmailAddress.received(raw) else {
            throw Problem.unprocessable("\(field) must be an email address.", errors: [.init(field: field, message: "is not an email address")])
        }
        return address
    }

    /// The other addresses of mail that arrived (To, Cc): each one ``EmailAddress/received(_:)`` keeps, once whatever
    /// its case, at most a recipient line's 50; an address that names no mailbox is left out rather than drop the message.
    static func copies(_ raw: [String]?) -> [String] {
        var seen: Set<String> = []
        return (raw ?? []).compactMap(EmailAddress.received).filter { seen.insert($0.lowercased()).inserted }.prefix(TicketInput.maximumRecipients).map { $0 }
    }

    /// The subject on one line, cut to the API's 250 characters; "(no subject)" when nothing is left.
    static func subject(_ raw: String) -> String {
        let line = raw.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        var kept = ""
        var scalars = 0
        for character in line {
            scalars += character.unicodeScalars.count
            guard scalars <= TicketInput.maximumSubject else { break }
            kept.append(character)
        }
        let subject = kept.trimmingCharacters(in: .whitespaces)
        return subject.isEmpty ? noSubject : subject
    }

    /// The body as the API keeps it when it fits. A longer one keeps its text alone, or failing that its text or HTML
    /// cut with a note saying so; one with nothing to show reads "(no text)".
    static func body(text: String?, html: String?) -> (html: String, text: String) {
        if let body = try? TicketInput.body(text: text, html: html) { return body }
        let room = TicketInput.maximumBody - cutNote.count
        let given = (html ?? "").count + (text ?? "").count
        if given > TicketInput.maximumBody, let text, text.nonEmptyText != nil {
            let fitted = text.count <= TicketInput.maximumBody ? text : String(text.prefix(room)) + cutNote
            if let body = try? TicketInput.body(text: fitted, html: nil) { return body }
        }
        if given > TicketInput.maximumBody, let html, html.nonEmptyText != nil,
            let body = try? TicketInput.body(text: nil, html: String(html.prefix(room)) + cutNote) {
            return body
        }
        return (try? TicketInput.body(text: noText, html: nil)) ?? (html: "", text: noText)
    }
}

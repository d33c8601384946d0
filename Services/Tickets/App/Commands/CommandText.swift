import Contracts

/// PostgreSQL's text holds no NUL character, which an email (or a client of the commands topic) may still carry. The
/// HTTP API refuses such a body; a command has nobody to answer, so its texts lose the NULs and the message is kept.
extension String {
    var withoutNUL: String { contains("\u{0}") ? replacing("\u{0}", with: "") : self }
}

extension Optional<String> {
    var withoutNUL: String? { map(\.withoutNUL) }
}

/// A command carrying a customer's message.
protocol CustomerMessageCommand {
    var subject: String { get set }
    var bodyText: String? { get set }
    var bodyHTML: String? { get set }
    var rawContent: String? { get set }
}

extension CustomerMessageCommand {
    var withoutNUL: Self {
        var command = self
        command.subject = subject.withoutNUL
        command.bodyText = bodyText.withoutNUL
        command.bodyHTML = bodyHTML.withoutNUL
        command.rawContent = rawContent.withoutNUL
        return command
    }
}

extension OpenTicketCommand: CustomerMessageCommand {}
extension AddTicketMessageCommand: CustomerMessageCommand {}

extension TicketActionsCommand {
    var withoutNUL: Self {
        var command = self
        command.replyText = replyText.withoutNUL
        command.replyHTML = replyHTML.withoutNUL
        return command
    }
}

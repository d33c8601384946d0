import Foundation
import ServiceKit

/// The Resend and Forward actions of a ticket's message: only outgoing messages are resent; a forward carries the
/// agent's note, then the original under a header naming its sender, recipients and date.
public enum MessageForwarding {
    /// Refuses to resend a customer's message (resending is for replies that did not arrive).
    public static func checkResendable(_ message: TicketMessage) throws {
        guard message.direction == .outgoing else {
            throw Problem.unprocessable(
                "Only outgoing messages are resent; forward an incoming one.", errors: [.init(field: "messageID", message: "is an incoming message")])
        }
    }

    /// The body of a forward of `original`, with the agent's (already safe) note first when there is one.
    public static func body(note: (html: String, text: String)?, original: TicketMessage) -> (html: String, text: String) {
        let date = original.createdAt.formatted(.iso8601)
        let header = [
            ("From", original.from), ("Date", date), ("To", original.to.joined(separator: ", ")), ("Cc", original.cc.joined(separator: ", ")),
        ].filter { !$0.1.isEmpty }
        let text = [
            note?.text, "---------- Forwarded message ----------\n" + header.map { "\($0.0): \($0.1)" }.joined(separator: "\n"), original.bodyText,
        ].compactMap { $0 }.joined(separator: "\n\n")
        let headerHTML = header.map { "<b>\($0.0):</b> \(SafeHTML.escape($0.1))" }.joined(separator: "<br>")
        let html = (note.map { $0.html } ?? "")
            + "<p>---------- Forwarded message ----------<br>\(headerHTML)</p><blockquote>\(original.bodyHTML)</blockquote>"
        return (html, text)
    }
}

import Foundation
import ServiceKit

/// What the console puts in a new reply's editor (Settings → Tickets: Default Reply Option, Max Messages in
/// Replies): the recipients of Reply or Reply All, and, to show beside it, the latest messages the reply will quote
/// and the signature that will end it. Both are added when the reply is sent ("previous replies are excluded" from
/// the editor): the quote is kept with the sent message as its `quotedHTML`/`quotedText`.
public struct ReplyComposition: Codable, Sendable, Equatable {
    public var mode: TicketSettings.ReplyOption
    /// The ticket's subject (changed with Change Subject, so that the ticket number stays intact).
    public var subject: String
    public var to: [String]
    public var cc: [String]
    public var bcc: [String]
    public var quoteHTML: String
    public var quoteText: String
    public var quotedMessageIDs: [String]
    /// The signature the reply will end with (added when it is sent), nil when none applies.
    public var signatureHTML: String?
    /// Send Form (`?formID=`): the form, sent with the reply as its `formID`.
    public var formID: String? = nil
    /// Addresses of the ticket's messages that a reply cannot go to (``ReplyComposer/replyable(_:customerEmail:)``), left
    /// out of `to`, `cc` and `bcc`, so that the console can say why.
    public var leftOut: [String] = []
    /// What the reply's text starts with: Send Form, the form's Email Introduction, which the agent may edit but must
    /// keep `#FormLink#` in; Quote Email, the customer's message quoted; Reply With Copy, an earlier reply's text.
    public var bodyHTML: String? = nil
}

public enum ReplyComposer {
    /// Reply goes to the sender of the latest incoming message (the customer, unless someone else wrote, say from
    /// another address); Reply All ("ALL recipients of the ticket who are listed in the To, Cc and Bcc fields"
    /// [S001:3105]) also copies the ticket's customer, everyone else on that message and on the latest reply, except
    /// the agent, and blind-copies whom the latest reply blind-copied. Once an agent changed the ticket's address (Change
    /// Email Address, `addressChangedAt`), "the new email address will be automatically included for all future
    /// replies" [S001:3027]: it is the sender until someone writes again, and stays in To beside whoever did.
    public static func recipients(
        _ mode: TicketSettings.ReplyOption, customerEmail: String, latestIncoming: TicketMessage?, latestOutgoing: TicketMessage? = nil,
        agentAddress: String, addressChangedAt: Date? = nil
    ) -> (to: [String], cc: [String], bcc: [String]) {
        // A message from before the address changed is neither answered nor copied again.
        func current(_ message: TicketMessage?) -> TicketMessage? {
            guard let message, let changed = addressChangedAt else { return message }
            return changed < message.createdAt ? message : nil
        }
        let answered = current(latestIncoming)
        let sender = answered.map(\.from).flatMap { $0.contains("@") ? $0 : nil } ?? customerEmail
        var seen = Set([sender.lowercased(), agentAddress.lowercased()])
        let to = [sender] + (addressChangedAt == nil ? [] : [customerEmail].filter { seen.insert($0.lowercased()).inserted })
        guard mode == .replyAll else { return (to, [], []) }
        let reply = current(latestOutgoing)
        let copied = [customerEmail] + (latestIncoming?.to ?? []) + (latestIncoming?.cc ?? []) + (reply?.to ?? []) + (reply?.cc ?? [])
        let others = copied.filter { seen.insert($0.lowercased()).inserted }
        let blind = (latestOutgoing?.bcc ?? []).filter { seen.insert($0.lowercased()).inserted }
        return (to, others, blind)
    }

    /// The recipients a reply can go to, and those it cannot: mail is kept from any address ``EmailAddress/received(_:)``
    /// takes, but a reply's address goes into mail headers, so it must pass ``EmailAddress/validated(_:)`` (no separator,
    /// quote or domain literal a sending system left in), as any address an agent types. With nobody left in To the reply
    /// goes to the ticket's own address, if it can; else To is empty, for the agent to fill.
    public static func replyable(
        _ recipients: (to: [String], cc: [String], bcc: [String]), customerEmail: String
    ) -> (to: [String], cc: [String], bcc: [String], leftOut: [String]) {
        var leftOut: [String] = []
        func kept(_ addresses: [String]) -> [String] {
            addresses.filter { address in
                if EmailAddress.validated(address) != nil { return true }
                if !leftOut.contains(address) { leftOut.append(address) }
                return false
            }
        }
        var to = kept(recipients.to)
        let cc = kept(recipients.cc), bcc = kept(recipients.bcc)
        if to.isEmpty, let customer = EmailAddress.validated(customerEmail) { to = [customer] }
        let answered = Set(to.map { $0.lowercased() })
        return (to, cc.filter { !answered.contains($0.lowercased()) }, bcc, leftOut)
    }

    /// Quote Email: a reply that starts with the customer's message quoted ("incoming messages only").
    public static func quoting(_ message: TicketMessage) throws -> String {
        guard message.direction == .incoming else {
            throw Problem.unprocessable(
                "Only a customer's message can be quoted.", errors: [.init(field: "quoteMessageID", message: "not an incoming message")])
        }
        return quote([message], agentsAs: "").html
    }

    /// Reply With Copy: a reply that starts with the text of an earlier one, without the signature that one ended with
    /// (`signatureHTML`, the one the new reply gets when it is sent).
    public static func copying(_ message: TicketMessage, signatureHTML: String?) throws -> String {
        guard message.direction == .outgoing else {
            throw Problem.unprocessable(
                "Only an agent's reply can be copied.", errors: [.init(field: "copyMessageID", message: "not an outgoing message")])
        }
        let ending = signatureHTML.map { "<div>" + $0 + "</div>" }
        guard let ending, message.bodyHTML.hasSuffix(ending) else { return message.bodyHTML }
        return String(message.bodyHTML.dropLast(ending.count))
    }

    /// The `messages` (newest first) quoted one inside the other as email clients do, each under "On …, … wrote:": the
    /// customer's by their address, the agents' by `agentsAs` (their department), since replies go out from the
    /// department "so that agents do not have to give their personal email addresses to customers" [S001:791].
    public static func quote(_ messages: [TicketMessage], agentsAs department: String) -> (html: String, text: String) {
        messages.reversed().reduce(into: (html: "", text: "")) { quoted, message in
            let sender = message.direction == .outgoing ? department : message.from
            let header = "On \(message.createdAt.formatted(.iso8601)), \(sender) wrote:"
            quoted.html = "<p>\(SafeHTML.escape(header))</p><blockquote>\(message.bodyHTML)\(quoted.html)</blockquote>"
            let body = message.bodyText + (quoted.text.isEmpty ? "" : "\n\n" + quoted.text)
            quoted.text = header + "\n" + body.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }.joined(separator: "\n")
        }
    }
}

/// A detail of the ticket an agent changes from the Actions menu (Change Subject, Change Email Address): the new
/// value is used by lists, searches and every later reply.
public enum TicketDetail: Sendable, Equatable {
    case subject(String)
    case email(String)

    /// The path under `/api/v1/tickets/{id}/` (also the body's field) and the ticket permission of each detail.
    public static let routes: [(path: String, permission: String)] = [("subject", "Change Subject"), ("email", "Change Email Address")]

    /// Applies the change, answering the event it makes, or nil when the ticket already has the value (an address
    /// differing only in case is the same address).
    public func apply(to ticket: inout Ticket) -> (type: String, details: [String: String])? {
        switch self {
        case .subject(let subject):
            guard ticket.subject != subject else { return nil }
            let previous = ticket.subject
            ticket.subject = subject
            return ("ticket.subject_changed", ["from": previous, "to": subject])
        case .email(let email):
            guard ticket.customerEmail.lowercased() != email.lowercased() else { return nil }
            let previous = ticket.customerEmail
            ticket.customerEmail = email
            return ("ticket.email_changed", ["from": previous, "to": email])
        }
    }
}

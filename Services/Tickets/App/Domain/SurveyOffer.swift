/// When a department's "Survey to Offer When Closed" is offered: as the ticket first closes (Closed, or Closed and
/// Locked straight away, not when a closed ticket locks), and only if the customer wrote at least once.
public enum SurveyOffer {
    public static func offered(from: TicketStatus?, to: TicketStatus?, messagesIn: Int) -> Bool {
        guard let to, to.isClosed, messagesIn > 0 else { return false }
        return !(from?.isClosed ?? false)
    }
}

import HTTPTypes

extension HTTPField.Name {
    /// The client's key that makes a request safe to send again: the tickets service writes a keyed new ticket,
    /// customer's message or reply once however often it comes, and the gateway resends a keyed request whose kept
    /// upstream connection closed before any answer.
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}

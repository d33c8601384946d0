/// A department's portal submission settings (its Tickets tab): whether only users with a verified email address
/// may start tickets, whether the portal searches the knowledge base before a ticket is sent, and the custom
/// messages shown at the top of the form and after a ticket was submitted.
public struct PortalSubmission: Codable, Sendable, Equatable {
    public var requireVerifiedEmail = false
    public var searchKnowledgeBase = true
    public var messageBefore = ""
    public var messageAfter = ""
    /// The brand's Ticket and Chat Privacy Policy, which the visitor must consent to before submitting (nil: none
    /// asked); filled by the form route from ``BrandPortalSettings``.
    public var privacyPolicyURL: String?

    public init(requireVerifiedEmail: Bool = false, searchKnowledgeBase: Bool = true, messageBefore: String = "", messageAfter: String = "") {
        self.requireVerifiedEmail = requireVerifiedEmail
        self.searchKnowledgeBase = searchKnowledgeBase
        self.messageBefore = messageBefore
        self.messageAfter = messageAfter
    }
}

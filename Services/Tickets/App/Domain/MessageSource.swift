/// What a message was before it was made safe: the HTML its sender wrote, when making it safe changed it (Show
/// HTML), and the whole email with its headers, when it came by email (Raw Content).
public struct MessageSource: Sendable, Equatable {
    public var originalHTML: String?
    public var rawContent: String?

    /// The longest raw email kept; a longer one keeps its message and its HTML, not its raw form.
    public static let maximumRawContent = 1_000_000

    public init(originalHTML: String? = nil, rawContent: String? = nil) {
        self.originalHTML = originalHTML
        self.rawContent = rawContent
    }

    /// What to keep of an incoming message: nil when the safe HTML is all there was (the usual portal message).
    public static func kept(givenHTML: String?, safeHTML: String, rawContent: String? = nil) -> MessageSource? {
        var source = MessageSource()
        if let givenHTML, !givenHTML.isEmpty, givenHTML != safeHTML { source.originalHTML = givenHTML }
        if let rawContent, !rawContent.isEmpty, rawContent.utf8.count <= maximumRawContent { source.rawContent = rawContent }
        return source.originalHTML == nil && source.rawContent == nil ? nil : source
    }
}

import Foundation

/// `LIKE` patterns that match what a user typed literally: `\`, `%` and `_` are escaped (PostgreSQL's default
/// escape character is `\`).
public enum LikePattern {
    public static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    /// Values starting with `text`.
    public static func prefix(_ text: String) -> String { escaped(text) + "%" }

    /// Values containing `text`.
    public static func containing(_ text: String) -> String { "%" + escaped(text) + "%" }
}

import Foundation

/// The inline CSS ``SafeHTML`` keeps: what an HTML editor writes to format text (colours, fonts, sizes, alignment),
/// declaration by declaration, each of a listed property with a value of words, numbers, lengths, hex colours or
/// `rgb()`/`rgba()` of numbers. Anything that could load or run something (`url()`, `expression()`, escapes,
/// comments, `@import`) has characters no value may hold, so its declaration is dropped.
enum SafeStyle {
    static let properties: Set<String> = [
        "color", "background-color", "font-family", "font-size", "font-weight", "font-style", "text-decoration", "text-align",
        "vertical-align", "line-height", "width", "height",
    ]

    /// The declarations of `style` that are kept, as `property: value` joined by `; `; nil when none is.
    static func clean(_ style: String) -> String? {
        let kept = style.split(separator: ";").compactMap { declaration -> String? in
            guard let colon = declaration.firstIndex(of: ":") else { return nil }
            let property = declaration[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = declaration[declaration.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard properties.contains(property), isSafe(value) else { return nil }
            return "\(property): \(value)"
        }
        return kept.isEmpty ? nil : kept.joined(separator: "; ")
    }

    /// Words, numbers, lengths, percentages, hex colours, quoted font names and lists of them; or one colour function
    /// of numbers.
    /// Read scalar by scalar, and only ASCII: no combining mark or lookalike digit rides along (see ``SafeHTML``).
    static func isSafe(_ value: String) -> Bool {
        let scalars = value.unicodeScalars
        guard !scalars.isEmpty, scalars.count <= 200 else { return false }
        let lower = value.lowercased()
        for function in ["rgb(", "rgba("] where lower.hasPrefix(function) && lower.hasSuffix(")") {
            return lower.unicodeScalars.dropFirst(function.count).dropLast().allSatisfy { SafeHTML.isASCIIDigit($0) || ", .%".unicodeScalars.contains($0) }
        }
        return scalars.allSatisfy { SafeHTML.isASCIIAlphanumeric($0) || " #,.%-'\"".unicodeScalars.contains($0) }
    }
}

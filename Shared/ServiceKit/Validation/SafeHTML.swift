import Foundation

/// User HTML (ticket messages, articles, feedback, signatures) reduced to a safe subset: formatting, lists, quotes,
/// code, tables and links to http(s)/mailto, with every attribute but a link's `href` and the formatting of a `style`
/// (``SafeStyle``) dropped and script/style content removed; embedded media only as a ``MediaPolicy`` allows. The
/// plain-text alternative is kept beside it.
public enum SafeHTML {
    static let allowed: Set<String> = [
        "p", "br", "b", "strong", "i", "em", "u", "s", "ul", "ol", "li", "blockquote", "pre", "code", "a", "h1", "h2", "h3", "h4",
        "table", "thead", "tbody", "tr", "td", "th", "hr", "span", "div",
    ]
    static let dropContent: Set<String> = ["script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"]
    static let void: Set<String> = ["br", "hr"]

    /// The safe HTML and the text alternative of a body given as HTML, as text, or both.
    public static func body(html: String?, text: String?) -> (html: String, text: String) {
        if let html, !html.isEmpty {
            let clean = sanitize(html)
            return (clean, text?.nonEmptyText ?? plainText(clean))
        }
        let plain = text ?? ""
        let paragraphs = plain.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
        let rendered = paragraphs.map { "<p>" + escape($0).replacingOccurrences(of: "\n", with: "<br>") + "</p>" }.joined()
        return (rendered, plain)
    }

    public static func sanitize(_ input: String, media: MediaPolicy? = nil) -> String {
        var output = ""
        var index = input.startIndex
        var skipping: String?
        while index < input.endIndex {
            let character = input[index]
            guard character == "<", let close = input[index...].firstIndex(of: ">") else {
                if skipping == nil { output += escape(String(character)) }
                index = input.index(after: index)
                continue
            }
            let inside = input[input.index(after: index)..<close]
            index = input.index(after: close)
            if inside.hasPrefix("!") || inside.hasPrefix("?") { continue }
            let closing = inside.hasPrefix("/")
            let name = inside.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            if let skipped = skipping {
                if closing && name == skipped { skipping = nil }
                continue
            }
            if let media, !closing, let embedded = media.element(name, tag: String(inside)) {
                output += embedded
                if name == "iframe" && !inside.hasSuffix("/") { skipping = name }
                continue
            }
            if dropContent.contains(name) {
                if !closing && !inside.hasSuffix("/") { skipping = name }
                continue
            }
            guard allowed.contains(name) else { continue }
            if closing {
                if !void.contains(name) { output += "</\(name)>" }
            } else if name == "a", let href = attribute("href", in: String(inside)), isSafeLink(href) {
                output += "<a href=\"\(escape(href))\" rel=\"noopener noreferrer nofollow\"\(styleAttribute(of: inside))>"
            } else {
                output += "<\(name)\(styleAttribute(of: inside))>"
            }
        }
        return output
    }

    /// The text of safe HTML: tags removed, line breaks for block ends, the five entities decoded.
    public static func plainText(_ html: String) -> String {
        var text = ""
        var inTag = false
        var tag = ""
        for character in html {
            if character == "<" { inTag = true; tag = ""; continue }
            if character == ">" {
                inTag = false
                let name = tag.lowercased().trimmingCharacters(in: ["/"])
                if ["br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "pre"].contains(where: { name.hasPrefix($0) }) && tag.hasPrefix("/") || name == "br" {
                    text += "\n"
                }
                continue
            }
            if inTag { tag.append(character) } else { text.append(character) }
        }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        guard let range = tag.range(of: name + "=", options: .caseInsensitive) else { return nil }
        var rest = tag[range.upperBound...]
        guard let quote = rest.first else { return nil }
        if quote == "\"" || quote == "'" {
            rest = rest.dropFirst()
            return String(rest.prefix { $0 != quote })
        }
        return String(rest.prefix { !$0.isWhitespace && $0 != "/" })
    }

    /// ` style="…"` with the tag's formatting that ``SafeStyle`` keeps, or nothing.
    static func styleAttribute(of tag: Substring) -> String {
        guard let style = attribute("style", in: String(tag)).flatMap(SafeStyle.clean) else { return "" }
        return " style=\"\(escape(style))\""
    }

    static func isSafeLink(_ href: String) -> Bool {
        let lower = href.trimmingCharacters(in: .whitespaces).lowercased()
        return lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:")
    }
}

/// Which embedded media survive sanitizing: images over http(s) or from the site itself, and frames (videos) only
/// from the hosts listed; each rebuilt with nothing but its `src` (an image also keeps its size in pixels, its
/// `alt` text and its ``SafeStyle`` formatting).
public struct MediaPolicy: Sendable {
    public var frameHosts: Set<String>

    public static let standard = MediaPolicy(frameHosts: ["www.youtube.com", "www.youtube-nocookie.com", "player.vimeo.com"])

    public init(frameHosts: Set<String>) {
        self.frameHosts = frameHosts
    }

    /// The element to emit for the tag named `name` (`tag` all that is inside its brackets), or nil when it is not
    /// allowed media.
    func element(_ name: String, tag: String) -> String? {
        guard let source = SafeHTML.attribute("src", in: tag)?.trimmingCharacters(in: .whitespaces), !source.isEmpty else { return nil }
        switch name {
        case "img":
            guard source.hasPrefix("/") && !source.hasPrefix("//") || SafeHTML.isSafeLink(source) && !source.lowercased().hasPrefix("mailto:") else { return nil }
            let size = ["width", "height"].compactMap { dimension in
                SafeHTML.attribute(dimension, in: tag).flatMap { $0.count <= 4 && $0.allSatisfy(\.isNumber) ? " \(dimension)=\"\($0)\"" : nil }
            }.joined()
            let alt = SafeHTML.escape(String((SafeHTML.attribute("alt", in: tag) ?? "").prefix(200)))
            return "<img src=\"\(SafeHTML.escape(source))\" alt=\"\(alt)\"\(size)\(SafeHTML.styleAttribute(of: Substring(tag)))>"
        case "iframe":
            guard let url = URL(string: source), url.scheme?.lowercased() == "https", let host = url.host?.lowercased(), frameHosts.contains(host) else { return nil }
            return "<iframe src=\"\(SafeHTML.escape(source))\" sandbox=\"allow-scripts allow-same-origin\" allowfullscreen></iframe>"
        default:
            return nil
        }
    }
}

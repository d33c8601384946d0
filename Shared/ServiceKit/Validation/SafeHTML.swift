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

    /// Walks the input by Unicode scalars, not Characters: a Character may join `<` or a quote with the code points
    /// around it (U+0600 before `<`, a combining mark after `"`), which a browser reads as separate code points.
    public static func sanitize(_ input: String, media: MediaPolicy? = nil) -> String {
        let scalars = input.unicodeScalars
        var output = ""
        var index = scalars.startIndex
        var skipping: String?
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "&", skipping == nil, let entity = entity(in: scalars, at: index) {
                // A character reference is text already (an editor writes &amp; and &nbsp;): kept as it is, not escaped twice.
                output.unicodeScalars.append(contentsOf: scalars[index..<entity])
                index = entity
                continue
            }
            guard scalar == "<", opensMarkup(scalars, at: index), let close = scalars[index...].firstIndex(of: ">") else {
                if skipping == nil { appendEscaped(scalar, to: &output) }
                index = scalars.index(after: index)
                continue
            }
            let inside = String(String.UnicodeScalarView(scalars[scalars.index(after: index)..<close]))
            index = scalars.index(after: close)
            let first = inside.unicodeScalars.first
            if first == "!" || first == "?" { continue }
            let closing = first == "/"
            let selfClosing = inside.unicodeScalars.last == "/"
            // The whole name, as a browser reads it up to a space or a slash: `<a@b.com>` is an element "a@b.com", not a link.
            let name = String(String.UnicodeScalarView(
                inside.unicodeScalars.drop { $0 == "/" }.prefix { !$0.properties.isWhitespace && $0 != "/" })).lowercased()
            if let skipped = skipping {
                if closing && name == skipped { skipping = nil }
                continue
            }
            if let media, !closing, let embedded = media.element(name, tag: inside) {
                output += embedded
                if name == "iframe" && !selfClosing { skipping = name }
                continue
            }
            if dropContent.contains(name) {
                if !closing && !selfClosing { skipping = name }
                continue
            }
            guard allowed.contains(name) else { continue }
            if closing {
                if !void.contains(name) { output += "</\(name)>" }
            } else if name == "a", let href = attribute("href", in: inside), isSafeLink(href) {
                output += "<a href=\"\(escape(href))\" rel=\"noopener noreferrer nofollow\"\(styleAttribute(of: inside))>"
            } else {
                output += "<\(name)\(styleAttribute(of: inside))>"
            }
        }
        return output
    }

    /// Whether the `<` at `index` opens markup as a browser reads it: a tag (`<p`, `</p`), a comment or a declaration
    /// (`<!`, `<?`). Any other `<` is text, as in "x < 5 and y > 3", and is kept (escaped), not read up to the next `>`.
    static func opensMarkup(_ scalars: String.UnicodeScalarView, at index: String.UnicodeScalarView.Index) -> Bool {
        let isLetter = { (scalar: Unicode.Scalar) in isASCIIAlphanumeric(scalar) && !isASCIIDigit(scalar) }
        let next = scalars.index(after: index)
        guard next < scalars.endIndex else { return false }
        let first = scalars[next]
        if isLetter(first) || first == "!" || first == "?" { return true }
        let second = scalars.index(after: next)
        return first == "/" && second < scalars.endIndex && isLetter(scalars[second])
    }

    /// Where the well-formed character reference starting at `start` (an `&`) ends: `&name;`, `&#digits;` or
    /// `&#xhex;`; nil when none starts there.
    static func entity(in scalars: String.UnicodeScalarView, at start: String.UnicodeScalarView.Index) -> String.UnicodeScalarView.Index? {
        var index = scalars.index(after: start)
        var body = String.UnicodeScalarView()
        var length = 0
        while index < scalars.endIndex, length <= 32, scalars[index] != ";" {
            body.append(scalars[index])
            length += 1
            index = scalars.index(after: index)
        }
        guard index < scalars.endIndex, scalars[index] == ";", let first = body.first else { return nil }
        let rest = body.dropFirst()
        let wellFormed: Bool
        if first == "#" {
            if let x = rest.first, x == "x" || x == "X" {
                let hex = rest.dropFirst()
                wellFormed = (1...6).contains(hex.count) && hex.allSatisfy { isASCIIDigit($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0) }
            } else {
                wellFormed = (1...7).contains(rest.count) && rest.allSatisfy(isASCIIDigit)
            }
        } else {
            wellFormed = isASCIIAlphanumeric(first) && !isASCIIDigit(first) && rest.allSatisfy(isASCIIAlphanumeric)
        }
        return wellFormed ? scalars.index(after: index) : nil
    }

    /// The text of safe HTML: tags removed, line breaks for block ends, the five entities (and `&nbsp;`) decoded.
    public static func plainText(_ html: String) -> String {
        var text = ""
        var inTag = false
        var tag = ""
        for character in html {
            if character == "<" { inTag = true; tag = ""; continue }
            if character == ">" {
                inTag = false
                let name = String(tag.lowercased().trimmingCharacters(in: ["/"]).prefix { !$0.isWhitespace })
                if ["br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "pre"].contains(where: { name.hasPrefix($0) }) && tag.hasPrefix("/") || name == "br" {
                    text += "\n"
                }
                continue
            }
            if inTag { tag.append(character) } else { text.append(character) }
        }
        return unescape(text).trimmingCharacters(in: .whitespacesAndNewlines)
    }


    /// Text with the five characters HTML gives meaning to written as entities, scalar by scalar (see ``sanitize(_:media:)``).
    public static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars { appendEscaped(scalar, to: &escaped) }
        return escaped
    }

    static func appendEscaped(_ scalar: Unicode.Scalar, to output: inout String) {
        switch scalar {
        case "&": output += "&amp;"
        case "<": output += "&lt;"
        case ">": output += "&gt;"
        case "\"": output += "&quot;"
        case "'": output += "&#39;"
        default: output.unicodeScalars.append(scalar)
        }
    }

    /// The character references a browser would read in `text`, read in one pass: numeric ones and the named ones
    /// ``escape(_:)`` writes (with `&apos;` and `&nbsp;`); other named references stay as they are.
    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let scalars = text.unicodeScalars
        var output = String.UnicodeScalarView()
        var index = scalars.startIndex
        while index < scalars.endIndex {
            if scalars[index] == "&", let end = entity(in: scalars, at: index),
                let read = character(of: String(String.UnicodeScalarView(scalars[scalars.index(after: index)..<scalars.index(before: end)])))
            {
                output.append(read)
                index = end
                continue
            }
            output.append(scalars[index])
            index = scalars.index(after: index)
        }
        return String(output)
    }

    /// The character the reference `&body;` stands for, when it is numeric or one of the few names read.
    private static func character(of body: String) -> Unicode.Scalar? {
        let named: [String: Unicode.Scalar] = ["lt": "<", "gt": ">", "quot": "\"", "amp": "&", "apos": "'", "nbsp": "\u{A0}"]
        if let scalar = named[body] { return scalar }
        guard body.hasPrefix("#") else { return nil }
        let hex = body.hasPrefix("#x") || body.hasPrefix("#X")
        // A reference to NUL reads as U+FFFD, as in a browser: a NUL could not be stored in the text alternative.
        return UInt32(body.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10).flatMap { $0 == 0 ? "\u{FFFD}" : Unicode.Scalar($0) }
    }

    /// The value of attribute `name` in `tag` (what is inside a tag's brackets), its entities read, found and read
    /// scalar by scalar; nil when the tag has none.
    static func attribute(_ name: String, in tag: String) -> String? {
        let scalars = Array(tag.unicodeScalars)
        let needle = Array((name.lowercased() + "=").unicodeScalars)
        guard scalars.count > needle.count else { return nil }
        guard let found = (0...(scalars.count - needle.count)).first(where: { start in
            needle.indices.allSatisfy { lowercasedASCII(scalars[start + $0]) == needle[$0] }
        }) else { return nil }
        var position = found + needle.count
        guard position < scalars.count else { return nil }
        var value = String.UnicodeScalarView()
        let quote = scalars[position]
        if quote == "\"" || quote == "'" {
            position += 1
            while position < scalars.count, scalars[position] != quote { value.append(scalars[position]); position += 1 }
        } else {
            while position < scalars.count, !scalars[position].properties.isWhitespace, scalars[position] != "/" {
                value.append(scalars[position])
                position += 1
            }
        }
        return unescape(String(value))
    }

    static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    static func isASCIIDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func lowercasedASCII(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32) ?? scalar : scalar
    }

    /// ` style="…"` with the tag's formatting that ``SafeStyle`` keeps, or nothing.
    static func styleAttribute(of tag: String) -> String {
        guard let style = attribute("style", in: tag).flatMap(SafeStyle.clean) else { return "" }
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
                SafeHTML.attribute(dimension, in: tag).flatMap { value in
                    (1...4).contains(value.unicodeScalars.count) && value.unicodeScalars.allSatisfy(SafeHTML.isASCIIDigit) ? " \(dimension)=\"\(value)\"" : nil
                }
            }.joined()
            let alt = SafeHTML.escape(String(String.UnicodeScalarView((SafeHTML.attribute("alt", in: tag) ?? "").unicodeScalars.prefix(200))))
            return "<img src=\"\(SafeHTML.escape(source))\" alt=\"\(alt)\"\(size)\(SafeHTML.styleAttribute(of: tag))>"
        case "iframe":
            // Nothing a browser reads differently from Foundation: `\` (a browser's `/`), credentials, spaces, controls.
            guard source.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0 != "\\" && $0 != "@" && $0.value != 0x7F }),
                let url = URL(string: source), url.scheme?.lowercased() == "https", url.user == nil, let host = url.host?.lowercased(),
                frameHosts.contains(host)
            else { return nil }
            return "<iframe src=\"\(SafeHTML.escape(source))\" sandbox=\"allow-scripts allow-same-origin\" allowfullscreen></iframe>"
        default:
            return nil
        }
    }
}

import Foundation

/// How an attachment's type and name travel in HTTP: the type an uploader sent, kept only when it is a media type
/// (`type/subtype`, RFC 9110's tokens, with a `charset`), else `application/octet-stream`; and a download's
/// `Content-Disposition` with an ASCII `filename` and the exact name as RFC 8187's `filename*`.
public enum AttachmentHeaders {
    static let octetStream = "application/octet-stream"

    /// The media type to keep for an upload sent with `raw` as its Content-Type.
    public static func contentType(_ raw: String?) -> String {
        guard let raw, raw.utf8.count <= 255 else { return octetStream }
        let parts = raw.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let names = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard names.count == 2, names.allSatisfy(isToken) else { return octetStream }
        var type = parts[0].lowercased()
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if pair.count == 2, pair[0].lowercased() == "charset", isToken(pair[1]) { type += "; charset=" + pair[1].lowercased() }
        }
        return type
    }

    /// `attachment; filename="…"; filename*=UTF-8''…` for a stored name (which holds no quote, backslash or control
    /// character).
    public static func disposition(filename: String) -> String {
        let ascii = String(String.UnicodeScalarView(filename.unicodeScalars.map { $0.isASCII ? $0 : "_" }))
        guard ascii != filename else { return "attachment; filename=\"\(filename)\"" }
        let encoded = filename.utf8.map { byte in
            isAttributeChar(byte) ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    /// RFC 9110 `token`: at least one of the visible ASCII characters other than delimiters.
    static func isToken(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            (0x21...0x7E).contains(byte) && !"\"(),/:;<=>?@[\\]{}".utf8.contains(byte)
        }
    }

    /// RFC 8187 `attr-char`: written as itself in an extended value.
    private static func isAttributeChar(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || "!#$&+-.^_`|~".utf8.contains(byte)
    }
}

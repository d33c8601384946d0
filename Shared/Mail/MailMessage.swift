import Foundation

/// A plain-text email to one recipient.
public struct MailMessage: Sendable, Codable, Equatable {
    public var to: String
    public var subject: String
    public var text: String

    public init(to: String, subject: String, text: String) {
        self.to = to
        self.subject = subject
        self.text = text
    }

    /// The address inside "Name <address>", or the whole string.
    public static func address(_ mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close else {
            return mailbox.trimmingCharacters(in: .whitespaces)
        }
        return String(mailbox[mailbox.index(after: open)..<close])
    }

    /// RFC 5322 text with CRLF line ends and dot-stuffing for the DATA command. Header values lose any CR or LF,
    /// so a subject cannot inject headers.
    public func rendered(from: String, messageID: String, date: Date = Date()) -> String {
        func clean(_ value: String) -> String { value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") }
        let encodedSubject = "=?UTF-8?B?" + Data(clean(subject).utf8).base64EncodedString() + "?="
        let headers = [
            "From: \(clean(from))", "To: \(clean(to))", "Subject: \(encodedSubject)",
            "Date: \(date.formatted(.dateTime.weekday(.abbreviated).day().month(.abbreviated).year().hour(.twoDigits(amPM: .omitted)).minute().second().timeZone(.iso8601(.short))))",
            "Message-ID: <\(messageID)>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
        ]
        let body = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        return (headers + [""] + body).joined(separator: "\r\n")
    }
}

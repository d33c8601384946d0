import Contracts
import Foundation
import ServiceKit

/// The files a customer's email carried, sorted as the end users' upload rules (Settings, Uploads) sort a portal
/// upload: those the ticket keeps, and those it refuses, each with why. Mail cannot be sent again like a refused
/// upload, so a refused file is named in a comment instead, "so that the agent knows something is missing"
/// [S001:7578].
public enum MailAttachmentSorting {
    public struct Kept: Sendable, Equatable {
        public var filename: String
        public var contentType: String
        public var bytes: Data
    }

    public static func sort(_ files: [MailAttachment], policy: AttachmentPolicy) -> (kept: [Kept], refused: [(filename: String, reason: String)]) {
        var kept: [Kept] = []
        var refused: [(filename: String, reason: String)] = []
        for file in files {
            guard let bytes = Data(base64Encoded: file.data, options: .ignoreUnknownCharacters) else {
                refused.append((file.filename, "its contents could not be read"))
                continue
            }
            do {
                let name = try policy.check(filename: file.filename, size: bytes.count, byAgent: false)
                kept.append(Kept(filename: name, contentType: AttachmentHeaders.contentType(file.contentType), bytes: bytes))
            } catch let problem as Problem {
                refused.append((file.filename, problem.detail ?? problem.title))
            } catch {
                refused.append((file.filename, "it could not be kept"))
            }
        }
        return (kept, refused)
    }

    /// The comment naming the files left out, one a line.
    public static func comment(_ refused: [(filename: String, reason: String)]) -> String {
        "Files the customer's email carried were not attached:\n" + refused.map { "- \(shown($0.filename)): \($0.reason)" }.joined(separator: "\n")
    }

    /// A file name as a comment line can show it: what cannot be shown on one line as "?", at most 255 characters.
    static func shown(_ name: String) -> String {
        let scalars = name.unicodeScalars.map { OneLineText.isUnshowable($0) || $0.properties.isWhitespace && $0 != " " ? "?" : Character($0) }
        let line = String(scalars.prefix(255))
        return line.isEmpty ? "(no name)" : line
    }
}

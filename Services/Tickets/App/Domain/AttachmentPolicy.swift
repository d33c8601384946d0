import Contracts
import Foundation
import HTTPTypes
import ServiceKit

/// Which files may be attached to tickets: at most `maximumBytes` (2 MB by default), with an extension from the
/// agents' list (document uploads) or the end users' list (portal and email uploads). `*.*` allows any.
public struct AttachmentPolicy: Sendable, Equatable {
    public var maximumBytes: Int
    public var agentExtensions: Set<String>
    public var userExtensions: Set<String>

    public static let standard = AttachmentPolicy(
        maximumBytes: 2 * 1_048_576, agentExtensions: Set(ManagementSettings.defaultAgentUploadExtensions),
        userExtensions: Set(ManagementSettings.defaultUserUploadExtensions))

    /// This policy with the upload lists and the size limit an administrator set (Settings, Uploads), where set.
    public func with(agentExtensions agents: [String]?, userExtensions users: [String]?, maximumMB: Int? = nil) -> AttachmentPolicy {
        AttachmentPolicy(
            maximumBytes: maximumMB.map { $0 * 1_048_576 } ?? maximumBytes, agentExtensions: agents.map(Set.init) ?? agentExtensions,
            userExtensions: users.map(Set.init) ?? userExtensions)
    }

    public init(maximumBytes: Int, agentExtensions: Set<String>, userExtensions: Set<String>) {
        self.maximumBytes = maximumBytes
        self.agentExtensions = Set(agentExtensions.map { $0.lowercased() })
        self.userExtensions = Set(userExtensions.map { $0.lowercased() })
    }

    /// The checked file name; 413 when too large, 415 for an extension not on the uploader's list, 422 for a bad name.
    public func check(filename raw: String, size: Int, byAgent: Bool) throws -> String {
        let name = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        // Line breaks, control characters (NUL, which no text column keeps, among them), invisible formatting ones and
        // quotes make no file name.
        let unfit = name.contains(where: \.isNewline) || name.unicodeScalars.contains { OneLineText.isUnshowable($0) || $0 == "\"" }
        // 255 bytes as well: a file system keeps no longer name, and combining marks make long names of few characters.
        guard (1...255).contains(name.count), name.utf8.count <= 255, !unfit, name != "." && name != ".." else {
            throw Problem.unprocessable("A file needs a name of 1 to 255 characters (and bytes).", errors: [.init(field: "filename", message: "invalid file name")])
        }
        guard size > 0 else { throw Problem.unprocessable("The file is empty.", errors: [.init(field: "body", message: "empty")]) }
        guard size <= maximumBytes else { throw Self.tooLarge(maximumBytes) }
        let allowed = byAgent ? agentExtensions : userExtensions
        let ext = name.lastIndex(of: ".").map { String(name[$0...]).lowercased() } ?? ""
        guard allowed.contains("*.*") || (!ext.isEmpty && allowed.contains(ext)) else {
            throw Problem(
                status: .unsupportedMediaType, type: Problem.typeBase + "attachment-type", title: "File type not allowed",
                detail: "Files of type \(ext.isEmpty ? "(none)" : ext) may not be attached; allowed: \(allowed.sorted().joined(separator: " ")).")
        }
        return name
    }

    public static func tooLarge(_ maximumBytes: Int) -> Problem {
        Problem(
            status: .contentTooLarge, type: Problem.typeBase + "attachment-too-large", title: "Attachment too large",
            detail: "An attachment may have at most \(maximumBytes / 1024) KB.")
    }
}

/// A ticket attachment's description (its bytes are fetched separately).
public struct TicketAttachment: Codable, Sendable, Equatable {
    public var id: String
    public var ticketID: String
    public var filename: String
    public var contentType: String
    public var size: Int
    /// Internal attachments are seen by agents only.
    public var isInternal: Bool
    public var uploadedBy: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, ticketID, filename, contentType, size, uploadedBy, createdAt
        case isInternal = "internal"
    }

    /// `ticket.attachment_added`, as the ticket's change publishes it.
    var addedEvent: (type: String, details: [String: String]) {
        ("ticket.attachment_added", ["attachmentID": id, "internal": String(isInternal), "size": String(size)])
    }
}

import Contracts
import Foundation
import ServiceKit

/// The canned reply rules as plain functions: limits, the assignee, the safe body, and filling in variables.
public enum CannedReplyRules {
    public static func reply(
        from input: CannedReplyInput, id: String, existing: CannedReply?, actor: String?, now: Date,
        staleAfterDays: Int = ManagementSettings.defaultStaleAfterDays
    ) throws -> CannedReply {
        var errors: [Problem.FieldError] = []
        let title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty || title.count > ArticleRules.maximumTitle { errors.append(.init(field: "title", message: "1 to 255 characters")) }
        if input.bodyHTML.count > ArticleRules.maximumBody { errors.append(.init(field: "bodyHTML", message: "at most 1000000 characters")) }
        let language = (input.language ?? existing?.language ?? "en").lowercased()
        if !ArticleRules.isLanguageCode(language) { errors.append(.init(field: "language", message: "a language code such as en or pt-br")) }
        let assignee = input.assignedTo ?? existing?.assignedTo ?? .everyone
        switch assignee.type {
        case .everyone:
            if assignee.id != nil { errors.append(.init(field: "assignedTo.id", message: "everyone takes no id")) }
        case .agent, .department:
            if assignee.id.flatMap(UUID.init(parsing:)) == nil { errors.append(.init(field: "assignedTo.id", message: "an agent's or department's id")) }
        }
        if let folder = input.folderID, UUID(parsing: folder) == nil { errors.append(.init(field: "folderID", message: "must be an id")) }
        try Problem.throwIfInvalid(errors)
        let body = SafeHTML.sanitize(input.bodyHTML, media: .standard)
        return CannedReply(
            id: id, folderID: input.folderID?.lowercased(), title: title, bodyHTML: body, bodyText: SafeHTML.plainText(body),
            assignedTo: CannedAssignee(type: assignee.type, id: assignee.id?.lowercased()), isDraft: input.isDraft ?? false,
            replyType: input.replyType ?? existing?.replyType ?? .ticketsAndChats, language: language, createdBy: existing?.createdBy ?? actor,
            createdAt: existing?.createdAt ?? now, updatedAt: now, deletedAt: existing?.deletedAt,
            staleAt: staleDate(stale: input.stale, existing: existing?.staleAt, now: now, staleAfterDays: staleAfterDays),
            version: (existing?.version ?? 0) + 1)
    }

    /// The Stale box: checking it makes the reply stale now (an already stale one keeps its date); unchecking a
    /// stale reply restarts its date; otherwise the date stays, a new reply's being the setting's days from now.
    public static func staleDate(stale: Bool?, existing: Date?, now: Date, staleAfterDays: Int) -> Date {
        let fresh = now.addingTimeInterval(TimeInterval(staleAfterDays) * 86_400)
        guard let existing else { return stale == true ? now : fresh }
        switch stale {
        case true?: return min(existing, now)
        case false?: return existing <= now ? fresh : existing
        case nil: return existing
        }
    }

    public static func isStale(_ reply: CannedReply, now: Date) -> Bool {
        reply.staleAt <= now
    }

    /// The reply with `#Name#` variables filled in from `values` (HTML-escaped, and the whole sanitized again); variables
    /// without a value are left out and named in `missing`.
    public static func render(_ reply: CannedReply, values: [String: String]) -> RenderedReply {
        var missing: [String] = []
        var html = ""
        var rest = reply.bodyHTML[...]
        while let open = rest.firstIndex(of: "#") {
            html += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "#") else {
                rest = rest[open...]
                break
            }
            let name = String(rest[afterOpen..<close])
            if !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                if let value = values[name] { html += SafeHTML.escape(value) } else { missing.append(name) }
                rest = rest[rest.index(after: close)...]
            } else {
                html += "#"
                rest = rest[afterOpen...]
            }
        }
        html += rest
        // A value is escaped as HTML, not as CSS: one filled into a style (`color:#Name#`) could add declarations, so
        // the filled reply is sanitized again, as it was when saved.
        html = SafeHTML.sanitize(html, media: .standard)
        return RenderedReply(html: html, text: SafeHTML.plainText(html), missing: missing)
    }
}

/// A canned reply ready to insert: its HTML and text with the variables filled in.
public struct RenderedReply: Codable, Sendable, Equatable {
    public var html: String
    public var text: String
    /// Variables the reply uses that the request gave no value for.
    public var missing: [String]
}

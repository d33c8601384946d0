import Foundation
import Search

/// How a canned reply is written into its search index — title above body, stemmed in the reply's language — and
/// the query an agent's search makes: who may use a reply, its type, draft flag and folder are boolean terms, the
/// stale date a value, so every rule of the list filters inside the query.
public enum CannedReplySearchTerms {
    /// Bumped whenever the document shape changes: the index is then rebuilt from PostgreSQL.
    public static let schemaVersion = 1
    public static let everyone = "XAeveryone"
    public static func agent(_ id: String) -> String { "XAagent:" + id }
    public static func department(_ id: String) -> String { "XAdept:" + id }
    public static func type(_ type: CannedReplyType) -> String { "XT" + type.rawValue }
    public static func folder(_ id: String) -> String { "XF" + id }
    public static let draft = "XDRAFT"
    public static let deleted = "XDEL"
    public static let staleSlot: UInt32 = 0

    public static func document(_ reply: CannedReply) -> SearchDocument {
        var filters = [assignee(reply.assignedTo), type(reply.replyType)]
        if reply.isDraft { filters.append(draft) }
        if reply.deletedAt != nil { filters.append(deleted) }
        if let folder = reply.folderID { filters.append(Self.folder(folder)) }
        return SearchDocument(
            id: reply.id,
            fields: [SearchField(prefix: "T", text: reply.title, weight: 3), SearchField(prefix: "B", text: reply.bodyText, weight: 1)],
            filters: filters, values: [staleSlot: ArticleSearchTerms.sortable(reply.staleAt)], data: reply.title, language: reply.language)
    }

    static func assignee(_ assignee: CannedAssignee) -> String {
        switch assignee.type {
        case .everyone: everyone
        case .agent: agent(assignee.id ?? "")
        case .department: department(assignee.id ?? "")
        }
    }

    /// The ranked search of `text` among the replies `caller` may use, narrowed as `filter` says, its words stemmed
    /// as `language`'s.
    public static func query(
        _ text: String, caller: CannedCaller, _ filter: CannedReplyFilter, language: String = "en", limit: Int, now: Date = Date()
    ) -> SearchQuery {
        var filters: [[String]] = []
        if filter.mine {
            filters.append([agent(caller.userID)])
        } else if !caller.seesAll {
            filters.append([everyone, agent(caller.userID)] + caller.departmentIDs.sorted().map(department))
        }
        if let channel = filter.channel { filters.append([type(.ticketsAndChats), type(channel == .ticket ? .tickets : .chats)]) }
        if let folder = filter.folderID { filters.append([Self.folder(folder.uuidString.lowercased())]) }
        var ranges: [SearchValueRange] = []
        if filter.staleOnly { ranges.append(SearchValueRange(slot: staleSlot, upper: ArticleSearchTerms.sortable(now))) }
        return SearchQuery(
            text: text, filterGroups: filters, excluded: filter.includeDrafts ? [deleted] : [deleted, draft], valueRanges: ranges, limit: limit,
            language: language)
    }
}

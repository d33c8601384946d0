import Foundation
import Hummingbird
import ServiceKit

/// A list page is the response agents ask for most; Foundation's encoder spent more time on its 50 tickets than
/// the database did finding them, so the page writes its JSON directly, in the shape `Codable` gives it.
extension ViewPage: ResponseGenerator {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        json.response
    }

    /// The page as the API's JSON encoder would write it.
    public var json: JSONWriter {
        var json = JSONWriter(capacity: 640 * items.count + 128)
        json.beginObject()
        json.key("items")
        json.beginArray()
        for ticket in items { ticket.write(to: &json) }
        json.endArray()
        json.member("nextCursor", nextCursor)
        if let counts {
            json.key("counts")
            json.beginObject()
            json.member("active", counts.active)
            json.member("waiting", counts.waiting)
            json.member("closed", counts.closed)
            json.endObject()
        }
        json.endObject()
        return json
    }
}

extension Ticket {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.member("id", id)
        json.member("number", number)
        json.member("brandID", brandID)
        json.member("departmentID", departmentID)
        json.member("groupID", groupID)
        json.member("agentID", agentID)
        json.member("customerUserID", customerUserID)
        json.member("customerEmail", customerEmail)
        json.member("subject", subject)
        json.member("status", status.rawValue)
        json.member("priority", priority.rawValue)
        json.member("pinned", pinned)
        json.member("messagesIn", messagesIn)
        json.member("messagesOut", messagesOut)
        json.member("createdAt", createdAt)
        json.member("idleSince", idleSince)
        json.member("closedAt", closedAt)
        if let followUp {
            json.key("followUp")
            json.beginObject()
            json.member("at", followUp.at)
            json.member("note", followUp.note)
            json.member("groupID", followUp.groupID)
            json.member("agentID", followUp.agentID)
            json.member("priority", followUp.priority?.rawValue)
            json.member("pin", followUp.pin)
            json.endObject()
        }
        json.member("version", version)
        json.endObject()
    }
}

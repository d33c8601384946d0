import Foundation
import Hummingbird
import ServiceKit

/// A list page is the response agents ask for most; Foundation's encoder spent more time on its 50 tickets than
/// the database did finding them, so the page writes its JSON directly, in the shape `Codable` gives it, and so do
/// single tickets and `tickets.events`.
extension ViewPage: JSONResponse {
    public var expectedJSONSize: Int { (written?.objects.readableBytes ?? 640 * items.count) + 128 }

    /// The page as the API's JSON encoder would write it (a page of ``written`` tickets: as the database wrote them,
    /// which parses the same).
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("items")
        json.beginArray()
        if let written {
            if written.count > 0 { json.raw(written.objects) }
        } else {
            for ticket in items { ticket.write(to: &json) }
        }
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
        if let fieldValues {
            json.key("fieldValues")
            json.beginObject()
            for (ticket, values) in fieldValues.sorted(by: { $0.key < $1.key }) {
                json.key(ticket)
                json.beginObject()
                for (field, value) in values.sorted(by: { $0.key < $1.key }) { json.member(field, value) }
                json.endObject()
            }
            json.endObject()
        }
        json.endObject()
    }
}

/// A ticket answered by itself (created, read, changed) is written the same way.
extension Ticket: JSONResponse {
    /// The ticket's members in key order: the order `tickets.events` carry them in (sorted keys), which the API's
    /// answers parse the same with. Lists answer the same members from `list_json` (``TicketListJSON``): a change here
    /// needs a migration there, which `ListJSONTests` and every suite's closing check insist on.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.member("agentID", agentID)
        json.member("brandID", brandID)
        json.member("closedAt", closedAt)
        json.member("createdAt", createdAt)
        json.member("customerEmail", customerEmail)
        json.member("customerUserID", customerUserID)
        json.member("deletedAt", deletedAt)
        json.member("deletedBy", deletedBy)
        json.member("departmentID", departmentID)
        json.member("durationAlert", durationAlert.rawValue)
        if let followUp {
            json.key("followUp")
            json.beginObject()
            json.member("agentID", followUp.agentID)
            json.member("at", followUp.at)
            json.member("due", followUp.due)
            json.member("groupID", followUp.groupID)
            json.member("note", followUp.note)
            json.member("pin", followUp.pin)
            json.member("priority", followUp.priority?.rawValue)
            json.endObject()
        }
        json.member("groupID", groupID)
        json.member("id", id)
        json.member("idleAlert", idleAlert.rawValue)
        json.member("idleSince", idleSince)
        json.member("language", language)
        json.member("messagesIn", messagesIn)
        json.member("messagesOut", messagesOut)
        json.member("number", number)
        json.member("pinned", pinned)
        json.member("priority", priority.rawValue)
        json.member("status", status.rawValue)
        json.member("subject", subject)
        json.member("version", version)
        json.endObject()
    }
}

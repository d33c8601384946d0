import Hummingbird
import ServiceKit

/// Search answers are written directly too: Foundation's encoder took 9 % of the tickets process's CPU answering
/// rare-word searches at 8 clients, more than finding them.
extension TicketSearchResults: JSONResponse {
    public var expectedJSONSize: Int { 768 * items.count + 128 }

    /// The results as the API's JSON encoder would write them.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("items")
        json.beginArray()
        for hit in items {
            json.beginObject()
            json.key("ticket")
            hit.ticket.write(to: &json)
            json.member("snippet", hit.snippet)
            json.member("percent", hit.percent)
            json.endObject()
        }
        json.endArray()
        json.member("estimatedTotal", estimatedTotal)
        json.member("suggestion", suggestion)
        json.endObject()
    }
}

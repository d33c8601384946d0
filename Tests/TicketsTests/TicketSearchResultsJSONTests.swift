import Foundation
import ServiceKit
import Testing
import TicketsApp

@Suite("Search results written as JSON")
struct TicketSearchResultsJSONTests {
    @Test("Results parse to exactly what Foundation's encoder writes: snippets with markup, absent percent and suggestion")
    func sameAsCodable() throws {
        let followUp = FollowUp(at: Date(timeIntervalSince1970: 1_796_000_000), note: nil, groupID: "g", agentID: nil, priority: nil, pin: true)
        let results = TicketSearchResults(
            items: [
                TicketSearchHit(
                    ticket: ViewPageJSONTests.ticket("Printer <on> fire", agent: "a", followUp: followUp, closedAt: nil),
                    snippet: "the <b>printer</b> is \"on\" fire / smoking…", percent: 87),
                TicketSearchHit(ticket: ViewPageJSONTests.ticket("Second", agent: nil, followUp: nil, closedAt: nil), snippet: nil, percent: nil),
            ],
            estimatedTotal: 2, suggestion: "printer")
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        for value in [results, TicketSearchResults(items: [], estimatedTotal: 0, suggestion: nil)] {
            #expect(try ViewPageJSONTests.parsed(value.json.bytes) == ViewPageJSONTests.parsed(Array(try encoder.encode(value))))
        }
    }
}

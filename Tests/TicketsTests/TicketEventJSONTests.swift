import Contracts
import Foundation
import ServiceKit
import Testing
import TicketsApp

@Suite("Ticket events written as JSON")
struct TicketEventJSONTests {
    static func event(followUp: FollowUp?, brand: String?, details: [String: String]) -> CloudEvent<TicketEventData> {
        let ticket = ViewPageJSONTests.ticket(
            "Printer / scanner \\ \"broken\"\n\t ünïcødé 🖨", agent: "7f0c1e52-56a4-4c53-b7e5-03c8c2b0d1aa", followUp: followUp,
            closedAt: Date(timeIntervalSince1970: 1_709_208_000.5))
        return CloudEvent(
            source: "tickets", type: "ticket.status_changed", subject: ticket.id, time: Date(timeIntervalSince1970: 1_796_189_447.25),
            brandid: brand, data: TicketEventData(ticket: ticket, actorKind: "agent", actorID: nil, details: details))
    }

    @Test("An event is byte for byte what CloudEventCoding's encoder writes: keys sorted, times to the millisecond, slashes as they are")
    func sameBytesAsTheEncoder() throws {
        let followUp = FollowUp(
            at: Date(timeIntervalSince1970: -86_400 * 365 - 1), note: "Call back \"soon\" / later", groupID: nil, agentID: "a", priority: .low,
            pin: false)
        for event in [
            Self.event(followUp: followUp, brand: "0d3c6c44-1f2e-4e57-9a55-6b1f1d1f0b01", details: ["to": "waiting", "from": "active", "reason": ""]),
            Self.event(followUp: nil, brand: nil, details: [:]),
            Self.deleted(),
        ] {
            let written = String(decoding: event.jsonBytes, as: UTF8.self)
            let encoded = String(decoding: try CloudEventCoding.encode(event), as: UTF8.self)
            #expect(written == encoded)
        }
    }

    /// The event of a deleted ticket, which carries when and by whom.
    static func deleted() -> CloudEvent<TicketEventData> {
        var event = Self.event(followUp: nil, brand: nil, details: ["deletedBy": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"])
        event.type = "ticket.deleted"
        event.data.ticket.deletedAt = Date(timeIntervalSince1970: 1_796_189_447.25)
        event.data.ticket.deletedBy = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
        return event
    }

    @Test("Times between milliseconds are written to the nearest one and decode back within half a millisecond")
    func timesRoundTrip() throws {
        for seconds in [0.0004, 951_868_799.9996, 1_796_189_447.123_456, -1.0005] {
            var event = Self.event(followUp: nil, brand: nil, details: [:])
            event.time = Date(timeIntervalSince1970: seconds)
            event.data.ticket.createdAt = event.time
            let decoded = try CloudEventCoding.decode(TicketEventData.self, from: event.jsonBytes)
            #expect(abs(decoded.time.timeIntervalSince(event.time)) <= 0.0005, "\(seconds)")
            #expect(abs(decoded.data.ticket.createdAt.timeIntervalSince(event.time)) <= 0.0005, "\(seconds)")
        }
    }

    @Test("A ticket answered alone parses to what Foundation's encoder writes for the API")
    func ticketResponse() throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        for ticket in [Self.event(followUp: nil, brand: nil, details: [:]).data.ticket, Self.deleted().data.ticket] {
            var json = JSONWriter()
            ticket.write(to: &json)
            #expect(try ViewPageJSONTests.parsed(json.bytes) == ViewPageJSONTests.parsed(Array(try encoder.encode(ticket))))
        }
    }
}

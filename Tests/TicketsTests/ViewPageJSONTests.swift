import Foundation
import NIOCore
import ServiceKit
import Testing
import TicketsApp

@Suite("List pages written as JSON")
struct ViewPageJSONTests {
    static func ticket(_ subject: String, agent: String?, followUp: FollowUp?, closedAt: Date?) -> Ticket {
        Ticket(
            id: UUID().uuidString.lowercased(), number: "1A2-6A3B4C5D-0001", brandID: UUID().uuidString.lowercased(),
            departmentID: UUID().uuidString.lowercased(), groupID: UUID().uuidString.lowercased(), agentID: agent, customerUserID: nil,
            customerEmail: "lee@customer.example", subject: subject, status: closedAt == nil ? .active : .closedLocked, priority: .urgent, pinned: true,
            messagesIn: 3, messagesOut: 12, createdAt: Date(timeIntervalSince1970: 951_782_400.75), idleSince: Date(timeIntervalSince1970: 1_796_000_000.2),
            closedAt: closedAt, followUp: followUp, version: 7)
    }

    static func parsed(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    @Test("A page parses to exactly what Foundation's encoder with ISO 8601 dates writes: escapes, dates, absent optionals, follow-ups, counts")
    func sameAsCodable() throws {
        let followUp = FollowUp(at: Date(timeIntervalSince1970: -86_400 * 365 - 1), note: "Call back \"soon\"", groupID: nil, agentID: "a", priority: .low, pin: false)
        let page = ViewPage(
            items: [
                Self.ticket("Printer / scanner \\ \"broken\"\n\t\u{1}\u{7f} ünïcødé 🖨", agent: nil, followUp: nil, closedAt: nil),
                Self.ticket("Leap day", agent: "someone", followUp: followUp, closedAt: Date(timeIntervalSince1970: 1_709_208_000)),
            ],
            nextCursor: "eyJrIjpbIjEiXX0=", counts: ViewTree.Counts(["active": 4, "waiting": 2, "closed": 1, "closed_locked": 5]))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        #expect(try Self.parsed(page.json.bytes) == Self.parsed(Array(try encoder.encode(page))))
        let withoutExtras = ViewPage(items: [], nextCursor: nil)
        #expect(try Self.parsed(withoutExtras.json.bytes) == Self.parsed(Array(try encoder.encode(withoutExtras))))
    }

    @Test("A page of tickets the database wrote answers their objects as its items, with its cursor and counts")
    func writtenItems() throws {
        let objects = #"{"id":"a","subject":"x/y"},{"id":"b"}"#
        let counts = ViewTree.Counts(["active": 2])
        let page = ViewPage(written: WrittenTickets(objects: ByteBuffer(string: objects), count: 2), nextCursor: "c", counts: counts)
        #expect(String(decoding: page.json.bytes, as: UTF8.self)
            == #"{"items":[{"id":"a","subject":"x/y"},{"id":"b"}],"nextCursor":"c","counts":{"active":2,"waiting":0,"closed":0}}"#)
        let empty = ViewPage(written: WrittenTickets(objects: ByteBuffer(), count: 0), nextCursor: nil, counts: counts)
        #expect(String(decoding: empty.json.bytes, as: UTF8.self) == #"{"items":[],"counts":{"active":2,"waiting":0,"closed":0}}"#)
    }

    @Test("Dates come out in UTC to the second across eras, leap days and the turn of a year")
    func dates() throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        for seconds in [0.0, -1, 951_782_400, 951_868_799.999, 1_709_251_199, 1_798_761_599, 4_102_444_800, -2_208_988_800] {
            let date = Date(timeIntervalSince1970: seconds)
            let ticket = Self.ticket("t", agent: nil, followUp: nil, closedAt: date)
            let fast = try Self.parsed(ViewPage(items: [ticket], nextCursor: nil).json.bytes)
            let slow = try Self.parsed(Array(try encoder.encode(ViewPage(items: [ticket], nextCursor: nil))))
            #expect(fast == slow, "\(date)")
        }
    }
}

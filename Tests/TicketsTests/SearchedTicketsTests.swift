import Foundation
import Testing
@testable import TicketsApp

@Suite("Tickets of search hits kept per index version")
struct SearchedTicketsTests {
    static func ticket(_ id: String) -> Ticket {
        Ticket(
            id: id, number: "N-\(id)", brandID: "b", departmentID: "d", groupID: "g", agentID: nil, customerUserID: nil,
            customerEmail: "lee@customer.example", subject: "Printer", status: .active, priority: .normal, pinned: false, messagesIn: 1,
            messagesOut: 0, createdAt: Date(), idleSince: Date(), closedAt: nil, followUp: nil, version: 1, language: "en")
    }

    @Test("A kept ticket answers only for its index version and only until it is a second old; hits of the writer are never kept")
    func keptForTheVersionAndASecond() {
        let kept = SearchedTickets(capacity: 10)
        let start = ContinuousClock.now
        kept.keep([Self.ticket("a")], version: "v1", now: start)
        #expect(kept.tickets(["a", "b"], version: "v1", now: start + .milliseconds(500)).kept.keys.sorted() == ["a"])
        #expect(kept.tickets(["a", "b"], version: "v1", now: start + .milliseconds(500)).missing == ["b"])
        #expect(kept.tickets(["a"], version: "v2", now: start).missing == ["a"], "another version of the index reads it again")
        #expect(kept.tickets(["a"], version: "v1", now: start + .seconds(1)).missing == ["a"], "a second later it is read again")
        #expect(kept.tickets(["a"], version: nil, now: start).missing == ["a"])

        kept.keep([Self.ticket("c")], version: "v2", now: start)
        #expect(kept.tickets(["a"], version: "v1", now: start).missing == ["a"], "a newer version starts afresh")
        kept.keep([Self.ticket("d")], version: nil, now: start)
        #expect(kept.tickets(["d"], version: "v2", now: start).missing == ["d"], "the writer's own hits are not kept")
    }

    @Test("Past its capacity the kept tickets are forgotten together; a capacity of 0 keeps none")
    func capacity() {
        let kept = SearchedTickets(capacity: 2)
        let now = ContinuousClock.now
        kept.keep([Self.ticket("a"), Self.ticket("b")], version: "v1", now: now)
        kept.keep([Self.ticket("c")], version: "v1", now: now)
        #expect(kept.tickets(["a", "b", "c"], version: "v1", now: now).kept.keys.sorted() == ["c"])
        let none = SearchedTickets(capacity: 0)
        none.keep([Self.ticket("a")], version: "v1", now: now)
        #expect(none.tickets(["a"], version: "v1", now: now).missing == ["a"])
    }
}

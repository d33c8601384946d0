import Foundation
import Testing

@testable import Fleet

@Suite("Taken events")
struct TakenEventsTests {
    @Test("An event taken from a commit is skipped once; beyond the capacity the oldest ids are forgotten")
    func boundedAndOnce() async {
        let taken = TakenEvents(capacity: 3)
        let ids = (0..<5).map { _ in UUID() }
        for id in ids { await taken.insert(id) }
        #expect(await taken.remove(ids[0]) == false)
        #expect(await taken.remove(ids[1]) == false)
        #expect(await taken.remove(ids[4]) == true)
        #expect(await taken.remove(ids[4]) == false, "the broker's copy comes once")
        #expect(await taken.remove(UUID()) == false)
    }
}

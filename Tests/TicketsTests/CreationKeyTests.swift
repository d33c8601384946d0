import Foundation
import ServiceKit
import Testing
import TicketsApp

@Suite("Idempotency keys of new tickets")
struct CreationKeyTests {
    static func request(_ json: String) throws -> CreateTicketRequest {
        try JSONDecoder().decode(CreateTicketRequest.self, from: Data(json.utf8))
    }

    static let plain = #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"1"}}"#

    @Test("A key is 1 to 255 visible ASCII characters; without the header there is none")
    func keyShape() throws {
        let request = try Self.request(Self.plain)
        #expect(try CreationKey.of(request, header: nil, caller: nil, brandID: nil) == nil)
        #expect(try CreationKey.of(request, header: String(repeating: "k", count: 255), caller: nil, brandID: nil) != nil)
        for bad in ["", " ", "two words", String(repeating: "k", count: 256), "clé", "tab\there"] {
            #expect(throws: Problem.self, "\(bad.debugDescription)") { try CreationKey.of(request, header: bad, caller: nil, brandID: nil) }
        }
    }

    @Test("A key belongs to its caller: a signed-in user, or anonymous submissions to one brand")
    func scopes() throws {
        let request = try Self.request(Self.plain)
        let alice = try #require(try CreationKey.of(request, header: "k-1", caller: "A1", brandID: "B1"))
        let bob = try #require(try CreationKey.of(request, header: "k-1", caller: "b2", brandID: "B1"))
        let anonymous = try #require(try CreationKey.of(request, header: "k-1", caller: nil, brandID: "B1"))
        let otherBrand = try #require(try CreationKey.of(request, header: "k-1", caller: nil, brandID: "B2"))
        #expect(Set([alice.scoped, bob.scoped, anonymous.scoped, otherBrand.scoped]).count == 4)
        #expect(alice.scoped == (try CreationKey.of(request, header: "k-1", caller: "a1", brandID: "B9"))?.scoped)
    }

    @Test("The same request has one fingerprint whatever its spacing, member order or letter case of ids; any changed field changes it")
    func fingerprints() throws {
        let first = try #require(try CreationKey.of(try Self.request(Self.plain), header: "k", caller: nil, brandID: nil))
        let respaced = try Self.request(#"{ "body": "It smokes.", "customFields": {"a": "1", "b": "2"}, "subject": "Printer on fire", "departmentID": "0a1b" }"#)
        #expect(try CreationKey.of(respaced, header: "k", caller: nil, brandID: nil) == first)
        let changed = [
            #"{"departmentID":"0A1B","subject":"Printer on fire!","body":"It smokes.","customFields":{"b":"2","a":"1"}}"#,
            #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes","customFields":{"b":"2","a":"1"}}"#,
            #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"3"}}"#,
            #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"1"},"priority":"high"}"#,
            #"{"departmentID":"0A1C","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"1"}}"#,
        ]
        for json in changed {
            #expect(try CreationKey.of(try Self.request(json), header: "k", caller: nil, brandID: nil)?.fingerprint != first.fingerprint, "\(json)")
        }
    }

    @Test("A new key creates, the same request replays its ticket, a different request is refused")
    func outcomes() throws {
        let key = try #require(try CreationKey.of(try Self.request(Self.plain), header: "k", caller: nil, brandID: nil))
        let ticket = UUID()
        #expect(key.outcome(given: nil) == .create)
        #expect(key.outcome(given: (ticket, key.fingerprint)) == .replay(ticket))
        #expect(key.outcome(given: (ticket, String(repeating: "0", count: 64))) == .refuse)
    }
}

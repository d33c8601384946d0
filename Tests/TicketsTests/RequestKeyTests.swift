import Foundation
import ServiceKit
import Testing
import TicketsApp

@Suite("Idempotency keys of new tickets and customers' messages")
struct RequestKeyTests {
    static func request(_ json: String) throws -> CreateTicketRequest {
        try JSONDecoder().decode(CreateTicketRequest.self, from: Data(json.utf8))
    }

    static let plain = #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"1"}}"#

    @Test("A key is 1 to 255 visible ASCII characters; without the header there is none")
    func keyShape() throws {
        let request = try Self.request(Self.plain)
        #expect(try RequestKey.creation(request, header: nil, caller: nil, brandID: nil) == nil)
        #expect(try RequestKey.creation(request, header: String(repeating: "k", count: 255), caller: nil, brandID: nil) != nil)
        for bad in ["", " ", "two words", String(repeating: "k", count: 256), "clé", "tab\there"] {
            #expect(throws: Problem.self, "\(bad.debugDescription)") { try RequestKey.creation(request, header: bad, caller: nil, brandID: nil) }
        }
    }

    @Test("A key belongs to its caller: a signed-in user, or anonymous submissions to one brand")
    func scopes() throws {
        let request = try Self.request(Self.plain)
        let alice = try #require(try RequestKey.creation(request, header: "k-1", caller: "A1", brandID: "B1"))
        let bob = try #require(try RequestKey.creation(request, header: "k-1", caller: "b2", brandID: "B1"))
        let anonymous = try #require(try RequestKey.creation(request, header: "k-1", caller: nil, brandID: "B1"))
        let otherBrand = try #require(try RequestKey.creation(request, header: "k-1", caller: nil, brandID: "B2"))
        #expect(Set([alice.scoped, bob.scoped, anonymous.scoped, otherBrand.scoped]).count == 4)
        #expect(alice.scoped == (try RequestKey.creation(request, header: "k-1", caller: "a1", brandID: "B9"))?.scoped)
    }

    @Test("The same request has one fingerprint whatever its spacing, member order or letter case of ids; any changed field changes it")
    func fingerprints() throws {
        let first = try #require(try RequestKey.creation(try Self.request(Self.plain), header: "k", caller: nil, brandID: nil))
        let respaced = try Self.request(#"{ "body": "It smokes.", "customFields": {"a": "1", "b": "2"}, "subject": "Printer on fire", "departmentID": "0a1b" }"#)
        #expect(try RequestKey.creation(respaced, header: "k", caller: nil, brandID: nil) == first)
        let changed = [
            #"{"departmentID":"0A1B","subject":"Printer on fire!","body":"It smokes.","customFields":{"b":"2","a":"1"}}"#,
            #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes","customFields":{"b":"2","a":"1"}}"#,
            #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"3"}}"#,
            #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"1"},"priority":"high"}"#,
            #"{"departmentID":"0A1C","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"1"}}"#,
            #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"1"},"agentID":"auto"}"#,
            #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"1"},"to":["kim@customer.example"]}"#,
            #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"1"},"cc":["kim@customer.example"]}"#,
            #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"1"},"bcc":["kim@customer.example"]}"#,
            #"{"departmentID":"0A1B","subject":"Printer on fire","body":"It smokes.","customFields":{"b":"2","a":"1"},"comment":{"body":"Called"}}"#,
        ]
        for json in changed {
            #expect(try RequestKey.creation(try Self.request(json), header: "k", caller: nil, brandID: nil)?.fingerprint != first.fingerprint, "\(json)")
        }
    }

    @Test("A new key writes, the same request replays its ticket, a different request is refused")
    func outcomes() throws {
        let key = try #require(try RequestKey.creation(try Self.request(Self.plain), header: "k", caller: nil, brandID: nil))
        let ticket = UUID()
        #expect(key.outcome(given: nil) == .write)
        #expect(key.outcome(given: (ticket, key.fingerprint)) == .replay(ticket))
        #expect(key.outcome(given: (ticket, String(repeating: "0", count: 64))) == .refuse)
    }

    @Test("A message's key covers its ticket and text, and never matches a new ticket's under the same key")
    func messages() throws {
        let message = try JSONDecoder().decode(CustomerMessageRequest.self, from: Data(#"{"body":"Still smokes."}"#.utf8))
        let first = try #require(try RequestKey.message(message, ticketID: "T-1", header: "k", caller: "u"))
        #expect(try RequestKey.message(message, ticketID: "t-1", header: "k", caller: "U") == first)
        #expect(try RequestKey.message(message, ticketID: "T-2", header: "k", caller: "u")?.fingerprint != first.fingerprint)
        let other = try JSONDecoder().decode(CustomerMessageRequest.self, from: Data(#"{"body":"Still smokes!"}"#.utf8))
        #expect(try RequestKey.message(other, ticketID: "T-1", header: "k", caller: "u")?.fingerprint != first.fingerprint)
        let creation = try #require(try RequestKey.creation(try Self.request(#"{"departmentID":"T-1","subject":"s","body":"Still smokes."}"#), header: "k", caller: "u", brandID: nil))
        #expect(creation.scoped == first.scoped)
        #expect(creation.fingerprint != first.fingerprint)
        #expect(throws: Problem.self) { try RequestKey.message(message, ticketID: "T-1", header: "", caller: "u") }
    }

    @Test("A reply's key covers its text, send variant and recipients, whatever their letter case")
    func replies() throws {
        func key(_ json: String, ticket: String = "T-1") throws -> RequestKey? {
            try RequestKey.reply(try JSONDecoder().decode(ReplyRequest.self, from: Data(json.utf8)), ticketID: ticket, header: "k", caller: "agent")
        }
        let first = try #require(try key(#"{"body":"Unplug it.","sendVariant":"waiting","to":["Lee@Customer.example"]}"#))
        #expect(try key(#"{"to":["lee@customer.example"],"sendVariant":"waiting","body":"Unplug it."}"#) == first)
        for changed in [
            #"{"body":"Unplug it.","sendVariant":"closed","to":["lee@customer.example"]}"#,
            #"{"body":"Unplug it.","sendVariant":"waiting","to":["lee@customer.example"],"cc":["boss@customer.example"]}"#,
            #"{"body":"Unplug it!","sendVariant":"waiting","to":["lee@customer.example"]}"#,
        ] {
            #expect(try key(changed)?.fingerprint != first.fingerprint, "\(changed)")
        }
        #expect(try key(#"{"body":"Unplug it.","sendVariant":"waiting","to":["lee@customer.example"]}"#, ticket: "T-2")?.fingerprint != first.fingerprint)
    }

    @Test("A reply's key covers its transfer and follow-up, whatever the order of their fields")
    func replyParts() throws {
        func key(_ json: String) throws -> RequestKey? {
            try RequestKey.reply(try JSONDecoder().decode(ReplyRequest.self, from: Data(json.utf8)), ticketID: "T-1", header: "k", caller: "agent")
        }
        let transfer = try #require(try key(#"{"body":"Over to Kim.","sendVariant":"transfer","transfer":{"groupID":"g1","pin":true}}"#))
        #expect(try key(#"{"sendVariant":"transfer","transfer":{"pin":true,"groupID":"g1"},"body":"Over to Kim."}"#) == transfer)
        #expect(try key(#"{"body":"Over to Kim.","sendVariant":"transfer","transfer":{"groupID":"g1","pin":false}}"#) != transfer)
        #expect(try key(#"{"body":"Over to Kim.","sendVariant":"transfer","transfer":{"groupID":"g2","pin":true}}"#) != transfer)
        let followUp = try key(#"{"body":"Try it.","sendVariant":"follow_up","followUp":{"at":0,"note":"Check"}}"#)
        #expect(try key(#"{"body":"Try it.","sendVariant":"follow_up","followUp":{"at":86400,"note":"Check"}}"#) != followUp)
    }
}

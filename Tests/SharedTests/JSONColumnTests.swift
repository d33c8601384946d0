import Database
import Foundation
import Testing

@Suite("Documents kept in jsonb columns")
struct JSONColumnTests {
    @Test("A flat document of strings is written as Foundation's encoder with sorted keys writes it, and reads back")
    func flatDocument() throws {
        let details = ["to": "waiting", "from": "active", "note": "line\n\"quoted\" / ünï", "": "empty key"]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(JSONColumn.encode(details) == String(decoding: try encoder.encode(details), as: UTF8.self))
        #expect(try JSONColumn.decode([String: String].self, from: JSONColumn.encode(details)) == details)
        #expect(JSONColumn.encode([:]) == "{}")
    }
}

import Contracts
import Foundation
import HTTPTypes
import ServiceKit
import Testing

@Suite("JSON merge patch over settings documents")
struct MergePatchTests {
    struct Settings: Codable, Equatable {
        var name = "default"
        var limit = 10
        var nested = Nested()
        var hours = BusinessSchedule.standard
    }

    struct Nested: Codable, Equatable {
        var flag = false
        var note: String?
    }

    @Test("A patch changes only the keys it names, at any depth; null resets an optional")
    func partialChanges() throws {
        var current = Settings()
        current.nested.note = "keep?"
        let patched = try MergePatch.apply(Data(#"{"limit":20,"nested":{"flag":true,"note":null}}"#.utf8), to: current)
        #expect(patched.name == "default")
        #expect(patched.limit == 20)
        #expect(patched.nested == Nested(flag: true, note: nil))
    }

    @Test("A wrong type is a 422 naming the key path")
    func wrongType() {
        #expect {
            _ = try MergePatch.apply(Data(#"{"nested":{"flag":"yes"}}"#.utf8), to: Settings())
        } throws: { error in
            (error as? Problem)?.status == .unprocessableContent && (error as? Problem)?.errors.first?.field == "nested.flag"
        }
    }

    @Test("A stored document lacking newer keys reads them from the defaults, and a closed day stays closed")
    func storedOverDefaults() throws {
        var settings = Settings()
        settings.hours.friday = nil
        let stored = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self).replacingOccurrences(of: #""limit":10,"#, with: "")
        let read = try MergePatch.decode(stored, over: Settings())
        #expect(read.limit == 10)
        #expect(read.hours.friday == nil)
        #expect(read.hours.monday == BusinessSchedule.standard.monday)
    }
}

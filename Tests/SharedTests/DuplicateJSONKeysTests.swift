import Foundation
import Testing

@testable import ServiceKit

@Suite("Duplicate JSON keys")
struct DuplicateJSONKeysTests {
    static func first(_ json: String) -> String? { DuplicateJSONKeys.first(in: Data(json.utf8)) }

    @Test("A key named twice in one object is found at any depth, escaped or not; the same key in different objects is not a duplicate")
    func found() {
        #expect(Self.first(#"{"subject":"A","subject":"B"}"#) == "subject")
        #expect(Self.first(#"{"a":{"x":1,"y":[{"k":1},{"k":2,"k":3}]}}"#) == "k")
        #expect(Self.first(#"{"a":1,"\u0061":2}"#) == "a")
        #expect(Self.first(#"{"a":"a","b":{"a":"a"},"c":[{"a":1},{"a":2}]}"#) == nil)
        #expect(Self.first(#"{"a":"\"a\":","b":"{\"b\":1,\"b\":2}"}"#) == nil, "keys inside string values are text")
        #expect(Self.first(#"["a","a",{"b":"b"}]"#) == nil)
    }

    @Test("A request body naming a key twice is a 400, for decoded bodies and merge patches alike")
    func refused() throws {
        struct Body: Decodable { var subject: String }
        #expect(throws: Problem.self) { try JSONBody.decode(Body.self, from: Data(#"{"subject":"A","subject":"B"}"#.utf8)) }
        #expect(try JSONBody.decode(Body.self, from: Data(#"{"subject":"A"}"#.utf8)).subject == "A")
        struct Settings: Codable { var seconds = 30 }
        #expect(throws: Problem.self) { try MergePatch.apply(Data(#"{"seconds":30,"seconds":-1}"#.utf8), to: Settings()) }
    }
}

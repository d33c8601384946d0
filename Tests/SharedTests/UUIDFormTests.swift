import Contracts
import Foundation
import Testing

@Suite("UUID forms")
struct UUIDFormTests {
    @Test("An id's lower-case form is Foundation's canonical string in lower case")
    func lowercasedIsCanonical() {
        for _ in 0..<200 {
            let id = UUID()
            #expect(id.lowercased == id.uuidString.lowercased())
        }
        let version7 = UUIDv7.generate()
        #expect(version7.lowercased == version7.uuidString.lowercased())
    }

    @Test("Version 7 ids carry their version and variant bits and differ from one another")
    func versionSeven() {
        let ids = (0..<500).map { _ in UUIDv7.generate() }
        #expect(Set(ids).count == 500)
        for id in ids {
            #expect(id.uuid.6 >> 4 == 7)
            #expect(id.uuid.8 >> 6 == 0b10)
        }
    }

    @Test("Parsing accepts exactly what Foundation's parser accepts, in either case, and gives the same id")
    func parsingMatchesFoundation() {
        for _ in 0..<200 {
            let id = UUID()
            #expect(UUID(parsing: id.uuidString) == id)
            #expect(UUID(parsing: id.lowercased) == id)
            #expect(UUID(parsing: id.lowercased[...]) == id, "a substring too")
        }
        let text = "01a23c95-2db9-7645-bf64-f1cf15c7829c"
        let refused = [
            "", "01a23c95", text + "0", String(text.dropLast()), text.replacingOccurrences(of: "-", with: ""),
            text.replacingOccurrences(of: "7645", with: "76g5"), "01a23c95-2db97-645-bf64-f1cf15c7829c",
            "{01a23c95-2db9-7645-bf64-f1cf15c7829}", "01a23c95-2db9-7645-bf64-f1cf15c7829\u{e9}",
        ]
        for candidate in refused {
            #expect(UUID(parsing: candidate) == nil, "\(candidate)")
            #expect(UUID(uuidString: candidate) == nil, "Foundation refuses \(candidate) too")
        }
        #expect(UUID(parsing: " " + text.dropLast()) == nil, "no space, however sscanf would read it")
    }
}

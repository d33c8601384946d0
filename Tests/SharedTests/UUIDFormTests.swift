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
}

import Contracts
import Foundation
import Testing

@Suite("CloudEvents envelope")
struct CloudEventTests {
    @Test("An event encodes every CloudEvents 1.0 attribute and decodes back")
    func envelope() throws {
        let snapshot = BrandSnapshot(id: "b1", name: "Demo", hostnames: ["demo.localhost"], version: 1)
        let event = CloudEvent(source: "identity", type: "brand.created", subject: "b1", brandid: "b1", data: snapshot)
        let bytes = try CloudEventCoding.encode(event)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        for key in ["specversion", "id", "source", "type", "subject", "time", "brandid", "datacontenttype", "data"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["specversion"] as? String == "1.0")
        let header = try CloudEventCoding.decodeHeader(bytes)
        #expect(header.type == "brand.created")
        #expect(try CloudEventCoding.decode(BrandSnapshot.self, from: bytes).data == snapshot)
    }

    @Test("UUIDv7 ids carry version 7 and sort by creation time")
    func uuidV7() {
        let early = UUIDv7.generate(at: Date(timeIntervalSince1970: 1_800_000_000))
        let late = UUIDv7.generate(at: Date(timeIntervalSince1970: 1_800_000_001))
        #expect(early.uuidString.lowercased().dropFirst(14).first == "7")
        #expect(early.uuidString.lowercased() < late.uuidString.lowercased())
    }
}

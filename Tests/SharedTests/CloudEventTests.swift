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

    @Test("Times are written in UTC with their zone and milliseconds; events written before without the zone still decode")
    func times() throws {
        let event = CloudEvent(
            source: "identity", type: "brand.created", subject: "b1", time: Date(timeIntervalSince1970: 1_796_189_447.25), brandid: nil,
            data: BrandSnapshot(id: "b1", name: "Demo", hostnames: [], version: 1))
        let text = String(decoding: try CloudEventCoding.encode(event), as: UTF8.self)
        #expect(text.contains(#""time":"2026-12-02T05:30:47.250Z""#))
        let older = text.replacingOccurrences(of: "47.250Z", with: "47.250")
        #expect(try CloudEventCoding.decode(BrandSnapshot.self, from: Array(older.utf8)).time == event.time)
        let plain = text.replacingOccurrences(of: "47.250Z", with: "47Z")
        #expect(try CloudEventCoding.decode(BrandSnapshot.self, from: Array(plain.utf8)).time == Date(timeIntervalSince1970: 1_796_189_447))
    }

    @Test("UUIDv7 ids carry version 7 and sort by creation time")
    func uuidV7() {
        let early = UUIDv7.generate(at: Date(timeIntervalSince1970: 1_800_000_000))
        let late = UUIDv7.generate(at: Date(timeIntervalSince1970: 1_800_000_001))
        #expect(early.uuidString.lowercased().dropFirst(14).first == "7")
        #expect(early.uuidString.lowercased() < late.uuidString.lowercased())
    }

    @Test("UUIDv7 ids made one after another by a process sort in that order, even within one millisecond")
    func uuidV7Monotonic() {
        let ids = (0..<10_000).map { _ in UUIDv7.generate().uuidString.lowercased() }
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
        #expect(ids.allSatisfy { $0.dropFirst(14).first == "7" && "89ab".contains($0.dropFirst(19).first ?? "x") })
    }
}

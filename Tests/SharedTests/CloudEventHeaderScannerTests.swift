@testable import Contracts
import Foundation
import Testing

@Suite("Reading an event's envelope without its data")
struct CloudEventHeaderScannerTests {
    struct Payload: Codable, Sendable, Equatable {
        var text: String
        var numbers: [Double]
        var nested: [String: [String: Bool?]]
    }

    static let payload = Payload(
        text: "Quote \" backslash \\ slash / tab \t line\nend, \u{1F600} and \u{0007}",
        numbers: [0, -1.5, 2.5e-8, 1e21, 42], nested: ["a": ["yes": true, "no": false, "none": nil], "b": [:]])

    static func headerMembers(_ header: CloudEventHeader) -> [String?] {
        [header.specversion, header.id, header.source, header.type, header.subject, header.brandid]
    }

    static func foundationHeader(_ bytes: [UInt8]) throws -> CloudEventHeader {
        try CloudEventCoding.decoder().decode(CloudEventHeader.self, from: Data(bytes))
    }

    @Test("An event as the services write it is read by the scanner, with the members Foundation's decoder reads")
    func plainEvents() throws {
        for brand in ["2f1c9d1e-4b8a-4c47-9f0e-6f3a2b1c0d9e", nil] {
            let event = CloudEvent(source: "tickets", type: "ticket.created", subject: "0190b1c2-0000-7000-8000-000000000001", brandid: brand, data: Self.payload)
            let bytes = try CloudEventCoding.encode(event)
            let scanned = try #require(CloudEventHeaderScanner.header(in: bytes))
            #expect(Self.headerMembers(scanned) == Self.headerMembers(try Self.foundationHeader(bytes)))
            #expect(scanned.brandid == brand)
        }
    }

    @Test("Spaces, an explicit null brand, unknown members and a payload of any JSON kind are stepped over")
    func spacedEvents() throws {
        let text = """
             { "data" : [ { "x" : [ 1 , -0.5E+3 , true , false , null , "\\u00e9\\"" ] } , { } , [ ] ] ,
              "specversion":"1.0","id":"e1","source":"s","type":"t","subject":"x","brandid" : null, "extra": 7 }\t
            """
        let scanned = try #require(CloudEventHeaderScanner.header(in: Array(text.utf8)))
        #expect(Self.headerMembers(scanned) == ["1.0", "e1", "s", "t", "x", nil])
        #expect(Self.headerMembers(scanned) == Self.headerMembers(try Self.foundationHeader(Array(text.utf8))))
    }

    @Test("Escapes in the envelope, repeated members and missing or mistyped ones are left to Foundation's decoder")
    func unusualEnvelopes() throws {
        let base = #""specversion":"1.0","id":"e1","source":"s","type":"t","subject":"x""#
        let escaped = "{\(base.replacingOccurrences(of: #""subject":"x""#, with: #""subject":"a\/b""#))}"
        #expect(CloudEventHeaderScanner.header(in: Array(escaped.utf8)) == nil)
        #expect(try CloudEventCoding.decodeHeader(Array(escaped.utf8)).subject == "a/b")
        for unusual in ["{\(base),\"id\":\"e2\"}", "{\(base.replacingOccurrences(of: #","subject":"x""#, with: ""))}", "{\(base),\"brandid\":5}"] {
            #expect(CloudEventHeaderScanner.header(in: Array(unusual.utf8)) == nil, "\(unusual)")
        }
        #expect(throws: DecodingError.self) {
            try CloudEventCoding.decodeHeader(Array("{\(base.replacingOccurrences(of: #","subject":"x""#, with: ""))}".utf8))
        }
    }

    @Test("Bytes that are not one JSON object are not read by the scanner, and those that are no object at all by neither reader")
    func malformed() {
        let base = #""specversion":"1.0","id":"e1","source":"s","type":"t","subject":"x""#
        let broken = ["", "[]", "{\(base)", "{\(base)} {}", "{\(base),\"data\":tru}", "{\(base),\"data\":{\"a\" 1}}", "{\(base),\"data\":\"open}"]
        for text in broken {
            #expect(CloudEventHeaderScanner.header(in: Array(text.utf8)) == nil, "\(text)")
            #expect(throws: (any Error).self, "\(text)") { try CloudEventCoding.decodeHeader(Array(text.utf8)) }
        }
        // Foundation's decoder never looks inside values it does not decode; the scanner checks them all and so leaves
        // these to it.
        let badValues = ["[1,]", "01.", "\"\\q\"", "\"\\u12g4\"", "-", "1e"]
        for value in badValues {
            #expect(CloudEventHeaderScanner.header(in: Array("{\(base),\"data\":\(value)}".utf8)) == nil, "\(value)")
        }
    }

    @Test("Members beyond ASCII and invalid UTF-8 are left to Foundation's decoder, which reads the one and refuses the other")
    func beyondASCII() throws {
        let text = #"{"specversion":"1.0","id":"e1","source":"s","type":"t","subject":"Zürich"}"#
        #expect(CloudEventHeaderScanner.header(in: Array(text.utf8)) == nil)
        #expect(try CloudEventCoding.decodeHeader(Array(text.utf8)).subject == "Zürich")
        var invalid = Array(#"{"specversion":"1.0","id":"e1","source":"s","type":"t","subject":"x"#.utf8)
        invalid += [0xFF, UInt8(ascii: "\""), UInt8(ascii: "}")]
        #expect(CloudEventHeaderScanner.header(in: invalid) == nil)
        #expect(throws: (any Error).self) { try CloudEventCoding.decodeHeader(invalid) }
    }

    @Test("Data nested as deep as Foundation reads is stepped over; one level deeper is left to Foundation, which refuses it")
    func nesting() throws {
        func event(dataDepth: Int) -> [UInt8] {
            let data = String(repeating: "[", count: dataDepth) + String(repeating: "]", count: dataDepth)
            return Array(#"{"specversion":"1.0","id":"e1","source":"s","type":"t","subject":"x","data":\#(data)}"#.utf8)
        }
        #expect(CloudEventHeaderScanner.header(in: event(dataDepth: 511)) != nil)
        #expect(try CloudEventCoding.decodeHeader(event(dataDepth: 511)).id == "e1")
        #expect(CloudEventHeaderScanner.header(in: event(dataDepth: 512)) == nil)
        #expect(throws: (any Error).self) { try CloudEventCoding.decodeHeader(event(dataDepth: 512)) }
    }
}

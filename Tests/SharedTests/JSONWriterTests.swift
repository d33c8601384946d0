import Foundation
import ServiceKit
import Testing

@Suite("JSON written straight into bytes")
struct JSONWriterTests {
    /// Strings with a character that must be escaped at every position of the first three eight-byte words, and
    /// plain ones of every length around them, with multi-byte characters among them.
    static let strings: [String] = {
        var strings = (0...24).map { String(repeating: "a", count: $0) } + ["ünïcødé 🖨 plain text past eight bytes", "/", "\u{7F}~"]
        for special in ["\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{8}", "\u{C}", "\r"] {
            for position in 0..<24 {
                strings.append(String(repeating: "x", count: position) + special + String(repeating: "é", count: 24 - position))
            }
        }
        return strings
    }()

    @Test("Every string parses back to itself, with no raw control character and slashes escaped only in the API's style")
    func escapes() throws {
        for (style, slash) in [(JSONWriter.Style.api, "\\/"), (.event, "/")] {
            var json = JSONWriter(style: style)
            json.beginArray()
            for string in Self.strings { json.string(string) }
            json.endArray()
            #expect(try JSONDecoder().decode([String].self, from: Data(json.bytes)) == Self.strings)
            #expect(!json.bytes.contains { $0 < 0x20 })
            for string in ["/", "x/y"] {
                var one = JSONWriter(style: style)
                one.string(string)
                #expect(String(decoding: one.bytes, as: UTF8.self) == "\"" + string.replacingOccurrences(of: "/", with: slash) + "\"")
            }
        }
    }

    @Test("Any time is written without trapping: years before 1 with a minus sign, past 9999 with every digit")
    func timesOutsideFourDigitYears() {
        func written(_ seconds: TimeInterval) -> String {
            var json = JSONWriter()
            json.date(Date(timeIntervalSince1970: seconds))
            return String(decoding: json.bytes, as: UTF8.self)
        }
        #expect(written(0) == #""1970-01-01T00:00:00Z""#)
        #expect(written(-62_167_219_200) == #""0000-01-01T00:00:00Z""#)
        #expect(written(-62_198_755_200) == #""-0001-01-01T00:00:00Z""#)
        #expect(written(253_402_300_800) == #""10000-01-01T00:00:00Z""#)
    }

    @Test("A string is written as Foundation's encoder writes it for the API")
    func sameAsFoundation() throws {
        for string in Self.strings where !string.unicodeScalars.contains(where: { $0.value < 0x20 && !"\n\t\r".unicodeScalars.contains($0) }) {
            var json = JSONWriter()
            json.string(string)
            #expect(json.bytes == Array(try JSONEncoder().encode(string)), "\(string.debugDescription)")
        }
    }
}

import Foundation
import ServiceKit
import Testing

@Suite("Trimming whitespace without Foundation")
struct TrimmedTextTests {
    static let whitespace: [Character] = [
        " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{2007}", "\u{200A}", "\u{2028}",
        "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}", "\r\n",
    ]

    @Test("Trimming removes exactly what Foundation's whitespacesAndNewlines trim removes, every White_Space character included")
    func sameAsFoundation() {
        var samples = ["", "Printer on fire", "  Printer on fire  ", "e\u{301} ", " \u{301}", "🖨 🔥", "\u{200B}zero width\u{200B}", "a\u{FEFF}"]
        for space in Self.whitespace {
            samples += ["\(space)", "\(space)x\(space)", "x\(space)y", "\(space)\(space)ünï\(space)"]
        }
        for sample in samples {
            #expect(sample.trimmedText == sample.trimmingCharacters(in: .whitespacesAndNewlines), "\(Array(sample.unicodeScalars))")
            #expect((sample.nonEmptyText == nil) == sample.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        }
    }

    @Test("A string with nothing to trim comes back as it is; a blank one is not text")
    func untouchedAndBlank() {
        #expect("Printer on fire".trimmedText == "Printer on fire")
        #expect(" \t\n\u{3000}".nonEmptyText == nil)
        #expect(" x ".nonEmptyText == " x ")
    }
}

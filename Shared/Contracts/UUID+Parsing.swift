import Foundation

extension UUID {
    /// The id `text` spells in the canonical form (8-4-4-4-12 hex digits, either case), nil for anything else: what
    /// `UUID(uuidString:)` accepts, read directly from the bytes. Foundation's parser calls `sscanf`, which was 2 % of
    /// the tickets process answering searches (every hit's id is parsed).
    public init?(parsing text: String) {
        var text = text
        guard let id = text.withUTF8(Self.parse) else { return nil }
        self.init(uuid: id)
    }

    public init?(parsing text: Substring) {
        var text = text
        guard let id = text.withUTF8(Self.parse) else { return nil }
        self.init(uuid: id)
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        guard text.count == 36 else { return nil }
        var id: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &id) { bytes in
            var position = 0
            for index in 0..<16 {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard text[position] == UInt8(ascii: "-") else { return false }
                    position += 1
                }
                guard let high = hexValue(text[position]), let low = hexValue(text[position + 1]) else { return false }
                bytes[index] = high << 4 | low
                position += 2
            }
            return true
        }
        return parsed ? id : nil
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

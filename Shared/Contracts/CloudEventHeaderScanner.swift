/// Reads an event's envelope members straight from its JSON bytes, stepping over `data` without building it.
///
/// Every consumer reads the header of every event it is handed (to dispatch on `type`, to record `id` once), and
/// Foundation's decoder parsed the whole event to do so: for a `ticket.created`, with the ticket and its first
/// message, that was 3 % of the tickets process while tickets were being created. The scanner answers nil, so that
/// the caller asks Foundation's decoder instead, whenever the bytes are anything but the plain shape events are
/// written in: an escape or a byte beyond ASCII inside a header member or key, a member given twice, a required member missing or not a string,
/// or a syntax error anywhere in the object.
enum CloudEventHeaderScanner {
    static func header(in bytes: [UInt8]) -> CloudEventHeader? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = Cursor(bytes: buffer)
            return scanner.header()
        }
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func header() -> CloudEventHeader? {
            var members: [HeaderMember: String?] = [:]
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return nil }
            skipSpace()
            if !take(UInt8(ascii: "}")) {
                repeat {
                    skipSpace()
                    guard let key = plainString() else { return nil }
                    skipSpace()
                    guard take(UInt8(ascii: ":")) else { return nil }
                    skipSpace()
                    if let member = HeaderMember(rawValue: key) {
                        guard members[member] == nil else { return nil }
                        if takeLiteral("null") {
                            members[member] = .some(nil)
                        } else {
                            guard let value = plainString() else { return nil }
                            members[member] = value
                        }
                    } else {
                        guard skipValue(depth: 1) else { return nil }
                    }
                    skipSpace()
                } while take(UInt8(ascii: ","))
                guard take(UInt8(ascii: "}")) else { return nil }
            }
            skipSpace()
            guard position == bytes.count else { return nil }
            func required(_ member: HeaderMember) -> String? { members[member] ?? nil }
            guard let specversion = required(.specversion), let id = required(.id), let source = required(.source),
                let type = required(.type), let subject = required(.subject)
            else { return nil }
            return CloudEventHeader(
                specversion: specversion, id: id, source: source, type: type, subject: subject, brandid: members[.brandid] ?? nil)
        }

        /// A string of ASCII without escapes (nil for one with any escape or other byte, or for no string here): the
        /// members events carry are ids, names and types, and anything else, invalid UTF-8 included, is Foundation's to
        /// judge.
        private mutating func plainString() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                    position += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
                position += 1
            }
            return nil
        }

        /// Steps over one value of any kind, checking its syntax; false where it is not JSON, or nested deeper than
        /// Foundation's 512 levels (the envelope is level 1).
        private mutating func skipValue(depth: Int) -> Bool {
            guard depth < 512, position < bytes.count else { return false }
            switch bytes[position] {
            case UInt8(ascii: "\""): return skipString()
            case UInt8(ascii: "{"): return skipContainer(close: UInt8(ascii: "}"), keyed: true, depth: depth)
            case UInt8(ascii: "["): return skipContainer(close: UInt8(ascii: "]"), keyed: false, depth: depth)
            case UInt8(ascii: "t"): return takeLiteral("true")
            case UInt8(ascii: "f"): return takeLiteral("false")
            case UInt8(ascii: "n"): return takeLiteral("null")
            default: return skipNumber()
            }
        }

        private mutating func skipContainer(close: UInt8, keyed: Bool, depth: Int) -> Bool {
            position += 1
            skipSpace()
            if take(close) { return true }
            repeat {
                skipSpace()
                if keyed {
                    guard skipString() else { return false }
                    skipSpace()
                    guard take(UInt8(ascii: ":")) else { return false }
                    skipSpace()
                }
                guard skipValue(depth: depth + 1) else { return false }
                skipSpace()
            } while take(UInt8(ascii: ","))
            return take(close)
        }

        private mutating func skipString() -> Bool {
            guard take(UInt8(ascii: "\"")) else { return false }
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""): return true
                case UInt8(ascii: "\\"):
                    guard position < bytes.count else { return false }
                    let escaped = bytes[position]
                    position += 1
                    if escaped == UInt8(ascii: "u") {
                        guard position + 4 <= bytes.count, bytes[position..<position + 4].allSatisfy(\.isHexDigit) else { return false }
                        position += 4
                    } else if !Self.isSimpleEscape(escaped) {
                        return false
                    }
                case 0..<0x20: return false
                default: continue
                }
            }
            return false
        }

        /// `-? int frac? exp?` as JSON writes numbers.
        private mutating func skipNumber() -> Bool {
            _ = take(UInt8(ascii: "-"))
            guard digits() > 0 else { return false }
            if take(UInt8(ascii: ".")), digits() == 0 { return false }
            if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
                if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
                guard digits() > 0 else { return false }
            }
            return true
        }

        private mutating func digits() -> Int {
            let start = position
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") { position += 1 }
            return position - start
        }

        private mutating func takeLiteral(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard position + count <= bytes.count else { return false }
            let matches = literal.withUTF8Buffer { expected in
                (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
            }
            if matches { position += count }
            return matches
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        private mutating func skipSpace() {
            while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
        }

        private static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }

        private static func isSimpleEscape(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                UInt8(ascii: "r"), UInt8(ascii: "t"):
                true
            default: false
            }
        }
    }

    private enum HeaderMember: String {
        case specversion, id, source, type, subject, brandid
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}

/// Xapian refuses a term longer than 245 bytes, and with it the whole document. A boolean term built from what
/// someone wrote (a custom field's value, an email address) can be longer: such a term is cut at a character
/// boundary and ends with a hash of the whole term, so it stays exact, and the document and the query that filters by
/// it write the same term.
enum BooleanTerm {
    static let maximumBytes = 245

    static func bounded(_ term: String) -> String {
        let bytes = term.utf8
        guard bytes.count > maximumBytes else { return term }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let suffix = "#" + String(hash, radix: 16)
        var kept = ""
        var used = 0
        for character in term {
            let size = String(character).utf8.count
            guard used + size + suffix.utf8.count <= maximumBytes else { break }
            kept.append(character)
            used += size
        }
        return kept + suffix
    }
}

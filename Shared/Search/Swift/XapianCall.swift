import CXapian

/// Runs a shim function that reports failure as -1 plus a malloc'd message, and throws it.
func xapianCall(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32) throws(SearchError) {
    var message: UnsafeMutablePointer<CChar>?
    let status = body(&message)
    defer { cx_string_free(message) }
    guard status == 0 else {
        throw .xapian(message.map { String(cString: $0) } ?? "unknown error")
    }
}

/// A Swift string from a pointer + byte length handed out by the shim (invalid UTF-8 repaired).
func stringFromBytes(_ pointer: UnsafePointer<CChar>?, count: Int) -> String {
    guard let pointer, count > 0 else { return "" }
    let bytes = UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self)
    return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
}

/// Calls `body` with the UTF-8 bytes of `string` as a C pointer + length.
func withBytes<R>(_ string: String, _ body: (UnsafePointer<CChar>?, Int) throws -> R) rethrows -> R {
    var string = string
    return try string.withUTF8 { buffer in
        try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress, $0.count) }
    }
}

/// Calls `body` with a C string, or NULL for nil.
func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) throws -> R) rethrows -> R {
    guard let string else { return try body(nil) }
    return try string.withCString { try body($0) }
}

/// C copies of strings for one call into the shim, freed with the arena.
final class CStringArena {
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private var arrays: [UnsafeMutablePointer<UnsafePointer<CChar>?>] = []

    /// A C copy of `string`, or NULL for nil.
    func string(_ string: String?) -> UnsafePointer<CChar>? {
        guard let string else { return nil }
        let utf8 = string.utf8CString
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        utf8.withUnsafeBufferPointer { copy.initialize(from: $0.baseAddress!, count: $0.count) }
        strings.append(copy)
        return UnsafePointer(copy)
    }

    /// A C array of C copies of `strings`.
    func array(_ strings: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(1, strings.count))
        for (index, element) in strings.enumerated() { (array + index).initialize(to: string(element)) }
        arrays.append(array)
        return UnsafePointer(array)
    }

    deinit {
        strings.forEach { $0.deallocate() }
        arrays.forEach { $0.deallocate() }
    }
}

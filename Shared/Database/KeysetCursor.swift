import Contracts
import Foundation
import PostgresNIO
import ServiceKit

/// A list's keyset cursor read back into query binds: typed nil binds on the first page, the typed keys after.
///
/// A cursor that does not have the list's shape (another list's, or one written before a key's format changed) is
/// a 400, so a client never silently gets the first page again or an empty one.
public enum KeysetCursor {
    /// The lower bound of a walk by id from a nullable uuid bind (`placeholder`, nil for the start), for
    /// `id > uuidAfter("$1")`: the index scan starts at the bound. Written as `$1 IS NULL OR id > $1`, the generic
    /// plan every query gets (``DatabaseURL``) could not bound the scan, and each batch of an index rebuild walked
    /// from the first row again. Nil stands for the nil UUID, which no row has as its id.
    public static func uuidAfter(_ placeholder: String) -> String {
        "coalesce(\(placeholder)::uuid, '00000000-0000-0000-0000-000000000000'::uuid)"
    }

    /// How one key of a list's sort was written into its cursor.
    public enum Key: Sendable {
        case integer
        /// ``KeysetTimestamp/cursorKey``.
        case timestamp
        case uuid
        case bool
        /// Free text, such as a lower-cased name.
        case text
    }

    /// Appends one bind per key of `shape`.
    public static func append(_ cursor: Cursor?, as shape: [Key], to binds: inout PostgresBindings) throws {
        guard let keys = cursor?.keys else {
            for key in shape {
                switch key {
                case .integer: binds.append(Int?.none)
                case .timestamp: binds.append(KeysetTimestamp?.none)
                case .uuid: binds.append(UUID?.none)
                case .bool: binds.append(Bool?.none)
                case .text: binds.append(String?.none)
                }
            }
            return
        }
        guard keys.count == shape.count else { throw invalid }
        for (key, text) in zip(shape, keys) {
            switch key {
            case .integer:
                // The sorted columns are `integer`: a wider value (a forged cursor) would fail their cast.
                guard let value = Int32(text) else { throw invalid }
                binds.append(Int(value))
            case .timestamp:
                guard let value = KeysetTimestamp(cursorKey: text) else { throw invalid }
                binds.append(value)
            case .uuid:
                guard let value = UUID(parsing: text) else { throw invalid }
                binds.append(value)
            case .bool:
                guard let value = Bool(text) else { throw invalid }
                binds.append(value)
            case .text:
                binds.append(text)
            }
        }
    }

    static var invalid: Problem {
        Problem.badRequest("The cursor is not one this list issued; start again from the first page.")
    }
}

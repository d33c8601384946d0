import PostgresNIO
import Synchronization

/// A kind of ``CompositeStatement`` that runs prepared (``CompositeStatement/run(on:logger:preparedAs:)``). A prepared
/// statement has one text for the life of the process, but a composite statement's text is built at run time, from
/// its schema and parts: the first statement run as the shape fixes it, and later ones of the same text and
/// parameter types share the prepared statement. Build them with ``CompositeStatement/keepsEmptyParts`` so that
/// their text does not depend on their rows.
public protocol PreparedCompositeShape: Sendable {
    /// The prepared statement's name on each connection.
    static var name: String { get }
    /// Where the shape's text is kept once fixed: a `static let` of the conforming type.
    static var text: PreparedCompositeText { get }
}

/// The text and parameter types of a ``PreparedCompositeShape``, fixed by its first statement.
public final class PreparedCompositeText: Sendable {
    private struct Fixed: Sendable {
        var sql: String
        var types: [PostgresDataType]
        var refused = false
    }

    /// Whether a statement runs as the shape, and whether it is the first one refused (which is worth a warning: a
    /// builder let its text depend on its rows, and the statement is planned on every run again).
    enum Admission: Equatable {
        case admitted
        case refused(first: Bool)
    }

    private let fixed = Mutex<Fixed?>(nil)

    public init() {}

    /// Whether a statement of this text and these types runs as the shape: fixes the shape on first use.
    func admits(sql: String, types: [PostgresDataType]) -> Admission {
        fixed.withLock { fixed in
            guard let known = fixed else {
                fixed = Fixed(sql: sql, types: types)
                return .admitted
            }
            if known.sql == sql && known.types == types { return .admitted }
            fixed?.refused = true
            return .refused(first: !known.refused)
        }
    }

    /// Whether any statement of another text was run as the shape.
    public var hasRefused: Bool { fixed.withLock { $0?.refused ?? false } }

    var sql: String { fixed.withLock { $0?.sql ?? "" } }
    var types: [PostgresDataType] { fixed.withLock { $0?.types ?? [] } }
}

/// What postgres-nio prepares and runs: the shape's name, text and types with one statement's parameters.
struct PreparedComposite<Shape: PreparedCompositeShape>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { Shape.name }
    static var sql: String { Shape.text.sql }
    static var bindingDataTypes: [PostgresDataType] { Shape.text.types }
    let binds: PostgresBindings

    func makeBindings() -> PostgresBindings { binds }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

import PostgresNIO
import ServiceKit

/// PostgreSQL's refusals of the data it was given, answered as the client's mistake when no validation caught them
/// first (a text too long for its index entry, a number beyond its column, a reference to a row that is gone): a 4xx
/// naming the kind of refusal, instead of a 500. The transaction is rolled back, so nothing was written. Validation
/// that names the field stays the first line; this is the net under it.
extension PSQLError: ProblemConvertible {
    public var problem: Problem? {
        switch serverInfo?[.sqlState] {
        case "22001", "22003", "54000":
            Problem.unprocessable("A value is too long or out of range to be stored.")
        case "22021", "22P05":
            Problem.badRequest("A value holds a character that cannot be stored (such as NUL).")
        case "23503":
            Problem.unprocessable("The request refers to something that does not exist.")
        case "23505":
            Problem.conflict("The request conflicts with an existing item.")
        case "23514":
            Problem.unprocessable("A value is not one this field accepts.")
        default:
            nil
        }
    }
}

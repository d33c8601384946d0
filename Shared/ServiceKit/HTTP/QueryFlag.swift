import Hummingbird

extension Request {
    /// A yes-or-no query parameter: `true` or `1`, `false` or `0` (any case), false when absent. Anything else is a 400,
    /// not a silent false: `?internal=yes` meant to keep a file from the customer must not publish it.
    public func queryFlag(_ name: String) throws -> Bool {
        guard let value = uri.queryParameters[Substring(name)] else { return false }
        switch value.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw Problem.badRequest("\(name) is true or false.")
        }
    }
}

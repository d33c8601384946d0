import Contracts
import Foundation
import Hummingbird

extension Parameters {
    /// `?name=<id>,<id>`: at most `limit` ids, nil when absent or empty. Anything that is not a list of ids, or a longer
    /// one, is a 400 naming what it should be.
    public func ids(_ name: String, limit: Int, of what: String) throws -> [UUID]? {
        guard let text = self[Substring(name)].map(String.init), !text.isEmpty else { return nil }
        let ids = text.split(separator: ",", omittingEmptySubsequences: false).map { UUID(parsing: String($0)) }
        guard ids.count <= limit, ids.allSatisfy({ $0 != nil }) else {
            throw Problem.badRequest("\(name) is a comma-separated list of at most \(limit) \(what) ids.")
        }
        return ids.compactMap { $0 }
    }
}

import Foundation
import Synchronization

/// How many times this process's writers have committed to each index directory, so that its readers know without
/// reading the directory whether there is anything new to see (``XapianReader/version(now:)``).
final class IndexCommits: Sendable {
    static let shared = IndexCommits()

    private let counts = Mutex<[String: UInt64]>([:])

    /// The key of the directory at `path`, the same however the path was written.
    static func key(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    func count(for key: String) -> UInt64 {
        counts.withLock { $0[key, default: 0] }
    }

    /// Called after every commit, close and rebuild of the directory.
    func record(_ key: String) {
        counts.withLock { $0[key, default: 0] += 1 }
    }
}

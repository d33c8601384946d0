import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A process a test starts (a service, the gateway, the broker), with its output in a log file, that the test can
/// stop, kill -9, freeze and thaw, and that is killed when the test is done with it.
public final class ManagedProcess: Sendable {
    public let name: String
    public let executable: String
    public let arguments: [String]
    public let environment: [String: String]
    public let logPath: String
    private let process = Mutex<Process?>(nil)

    public init(name: String, executable: String, arguments: [String] = [], environment: [String: String], logDirectory: String) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.logPath = logDirectory + "/\(name).log"
    }

    public func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // The marker lets scripts/test.sh find and kill anything a crashed test run left behind.
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            .merging(["CONCIERGE_TEST_FLEET": "1"]) { _, new in new }
        // A restarted process writes after its earlier output, which is what a failing test needs to see.
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process.withLock { $0 = process }
    }

    public var pid: Int32? { process.withLock { $0?.processIdentifier } }
    public var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    public func signal(_ signal: Int32) {
        if let pid { kill(pid, signal) }
    }

    /// SIGTERM and wait (graceful shutdown), then SIGKILL if it takes longer than `grace`.
    public func stop(grace: Duration = .seconds(20)) async {
        guard isRunning else { return }
        signal(SIGCONT)
        signal(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        await killHard()
    }

    public func killHard() async {
        guard isRunning else { return }
        signal(SIGKILL)
        while isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    public func restart() throws {
        try start()
    }

    public func logTail(_ lines: Int = 30) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    deinit {
        process.withLock { process in
            if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }
}

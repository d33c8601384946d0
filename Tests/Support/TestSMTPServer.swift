import Foundation

/// A real SMTP server (aiosmtpd) that stores what it receives in a Maildir the test reads.
public final class TestSMTPServer: Sendable {
    public let port: Int
    public let maildir: String
    let process: ManagedProcess

    public init() async throws {
        guard let python = TestEnvironment.smtpPython else { throw TestSetupError("CONCIERGE_TEST_SMTP_PYTHON is not set") }
        let port = FreePort.next()
        let directory = TestEnvironment.runDirectory + "/smtp-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.port = port
        self.maildir = directory + "/maildir"
        self.process = ManagedProcess(
            name: "smtpd", executable: python,
            arguments: ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", directory + "/maildir"],
            environment: [:], logDirectory: directory)
        try process.start()
        let deadline = ContinuousClock.now + .seconds(15)
        while !FreePort.isOpen(port) {
            guard ContinuousClock.now < deadline else { throw TestSetupError("SMTP server did not start:\n\(process.logTail())") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Every message received so far, as raw text.
    public func messages() -> [String] {
        let new = maildir + "/new"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: new)) ?? []
        return names.sorted().compactMap { try? String(contentsOfFile: new + "/" + $0, encoding: .utf8) }
    }

    public func stop() async {
        await process.stop(grace: .seconds(2))
    }
}

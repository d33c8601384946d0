import Foundation
import Logging
import Synchronization

/// One JSON object per line on standard error, so logs of many instances can be merged and searched by request id.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let service: String

    public init(label: String, service: String, level: Logger.Level) {
        self.label = label
        self.service = service
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let line = Self.render(
            level: event.level, message: "\(event.message)", label: label, service: service,
            metadata: metadata.merging(event.metadata ?? [:]) { _, new in new })
        StandardErrorLine.write(line)
    }

    static func render(
        level: Logger.Level, message: String, label: String, service: String, metadata: Logger.Metadata,
        time: Date = Date()
    ) -> String {
        var object: [String: Any] = [
            "time": time.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)),
            "level": level.rawValue,
            "service": service,
            "logger": label,
            "message": message,
        ]
        for (key, value) in metadata { object[key] = Self.plain(value) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
            let text = String(data: data, encoding: .utf8)
        else { return "{\"message\":\"unencodable log line\"}" }
        return text
    }

    private static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let array): array.map(plain)
        case .dictionary(let dictionary): dictionary.mapValues(plain)
        }
    }
}

/// Writes whole lines under a lock so lines of concurrent tasks never interleave.
enum StandardErrorLine {
    private static let lock = Mutex(())

    static func write(_ line: String) {
        lock.withLock { _ in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}

public enum LoggingBootstrap {
    /// Installs JSON logging once per process; later calls are ignored (LoggingSystem allows one bootstrap).
    public static func bootstrap(service: String, level: String) {
        let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
        once.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, service: service, level: parsed) }
        }
    }

    private static let once = Mutex(false)
}

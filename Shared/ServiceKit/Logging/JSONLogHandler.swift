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
        let merged = event.metadata.map { metadata.merging($0) { _, new in new } } ?? metadata
        let line = Self.render(level: event.level, message: "\(event.message)", label: label, service: service, metadata: merged)
        StandardErrorLine.write(line, now: event.level >= .warning)
    }

    private static let reserved: Set<String> = ["time", "level", "service", "logger", "message"]

    static func render(
        level: Logger.Level, message: String, label: String, service: String, metadata: Logger.Metadata,
        time: Date = Date()
    ) -> String {
        var line = "{\"time\":"
        line.reserveCapacity(256)
        JSONText.appendString(LogTimestamp.text(time), to: &line)
        line.append(",\"level\":")
        JSONText.appendString(level.rawValue, to: &line)
        line.append(",\"service\":")
        JSONText.appendString(service, to: &line)
        line.append(",\"logger\":")
        JSONText.appendString(label, to: &line)
        line.append(",\"message\":")
        JSONText.appendString(message, to: &line)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where !reserved.contains(key) {
            line.append(",")
            JSONText.appendString(key, to: &line)
            line.append(":")
            append(value, to: &line)
        }
        line.append("}")
        return line
    }

    private static func append(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let string): JSONText.appendString(string, to: &line)
        case .stringConvertible(let convertible): JSONText.appendString(convertible.description, to: &line)
        case .array(let array):
            line.append("[")
            for (index, element) in array.enumerated() {
                if index > 0 { line.append(",") }
                append(element, to: &line)
            }
            line.append("]")
        case .dictionary(let dictionary):
            line.append("{")
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { line.append(",") }
                JSONText.appendString(key, to: &line)
                line.append(":")
                if let element = dictionary[key] { append(element, to: &line) }
            }
            line.append("}")
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

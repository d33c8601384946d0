#if canImport(Glibc)
import Glibc
#endif
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
        var fields: [(String, Logger.Metadata.Value)] = [
            ("time", .string(LogTimestamp.text(time))),
            ("level", .string(level.rawValue)), ("service", .string(service)), ("logger", .string(label)),
            ("message", .string(message)),
        ]
        let reserved: Set<String> = ["time", "level", "service", "logger", "message"]
        for key in metadata.keys.sorted() where !reserved.contains(key) {
            if let value = metadata[key] { fields.append((key, value)) }
        }
        var line = "{"
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { line.append(",") }
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

/// Writes whole lines under a lock so lines of concurrent tasks never interleave.
enum StandardErrorLine {
    private static let lock = Mutex(())

    static func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(2, base + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
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

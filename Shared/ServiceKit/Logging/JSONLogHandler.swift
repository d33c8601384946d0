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
        let line = Self.line(
            level: event.level, message: event.message.description, label: label, service: service,
            metadata: Self.pairs(metadata, over: event.metadata), time: Date())
        StandardErrorLine.write(line.bytes, now: event.level >= .warning)
    }

    private static let reserved: Set<String> = ["time", "level", "service", "logger", "message"]

    /// The handler's metadata with the event's over it, in key order, without building a merged dictionary (merging and
    /// sorting were a third of an access-log line's cost in the gateway's profile).
    static func pairs(_ base: Logger.Metadata, over event: Logger.Metadata?) -> [(key: String, value: Logger.Metadata.Value)] {
        var pairs: [(key: String, value: Logger.Metadata.Value)] = []
        pairs.reserveCapacity(base.count + (event?.count ?? 0))
        if let event {
            for pair in base where event[pair.key] == nil { pairs.append(pair) }
            for pair in event { pairs.append(pair) }
        } else {
            for pair in base { pairs.append(pair) }
        }
        pairs.sort { $0.key < $1.key }
        return pairs
    }

    static func render(
        level: Logger.Level, message: String, label: String, service: String, metadata: Logger.Metadata,
        time: Date = Date()
    ) -> String {
        let line = line(level: level, message: message, label: label, service: service, metadata: pairs(metadata, over: nil), time: time)
        return String(decoding: line.bytes, as: UTF8.self)
    }

    static func render(
        level: Logger.Level, message: String, label: String, service: String,
        metadata: [(key: String, value: Logger.Metadata.Value)], time: Date, into bytes: inout [UInt8]
    ) {
        bytes.append(contentsOf: line(level: level, message: message, label: label, service: service, metadata: metadata, time: time).bytes)
    }

    /// The line as bytes, written by the ``JSONWriter`` the API and the events use (its event style leaves `/` as it is).
    private static func line(
        level: Logger.Level, message: String, label: String, service: String,
        metadata: [(key: String, value: Logger.Metadata.Value)], time: Date
    ) -> JSONWriter {
        var line = JSONWriter(capacity: 384, style: .event)
        line.beginObject()
        line.member("time", LogTimestamp.text(time))
        line.member("level", level.rawValue)
        line.member("service", service)
        line.member("logger", label)
        line.member("message", message)
        for (key, value) in metadata where !reserved.contains(key) {
            line.key(key)
            append(value, to: &line)
        }
        line.endObject()
        return line
    }

    private static func append(_ value: Logger.Metadata.Value, to line: inout JSONWriter) {
        switch value {
        case .string(let string): line.string(string)
        case .stringConvertible(let convertible): line.string(convertible.description)
        case .array(let array):
            line.beginArray()
            for element in array { append(element, to: &line) }
            line.endArray()
        case .dictionary(let dictionary):
            line.beginObject()
            for key in dictionary.keys.sorted() {
                line.key(key)
                if let element = dictionary[key] { append(element, to: &line) }
            }
            line.endObject()
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

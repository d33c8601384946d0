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
        var line: [UInt8] = []
        line.reserveCapacity(384)
        Self.render(
            level: event.level, message: event.message.description, label: label, service: service,
            metadata: Self.pairs(metadata, over: event.metadata), time: Date(), into: &line)
        StandardErrorLine.write(line, now: event.level >= .warning)
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
        var line: [UInt8] = []
        render(level: level, message: message, label: label, service: service, metadata: pairs(metadata, over: nil), time: time, into: &line)
        return String(decoding: line, as: UTF8.self)
    }

    static func render(
        level: Logger.Level, message: String, label: String, service: String,
        metadata: [(key: String, value: Logger.Metadata.Value)], time: Date, into line: inout [UInt8]
    ) {
        JSONText.appendRaw(#"{"time":""#, to: &line)
        UTCTimeText.append(time, milliseconds: true, to: &line)
        JSONText.appendRaw(#"","level":"#, to: &line)
        JSONText.appendString(level.rawValue, to: &line)
        JSONText.appendRaw(#","service":"#, to: &line)
        JSONText.appendString(service, to: &line)
        JSONText.appendRaw(#","logger":"#, to: &line)
        JSONText.appendString(label, to: &line)
        JSONText.appendRaw(#","message":"#, to: &line)
        JSONText.appendString(message, to: &line)
        for (key, value) in metadata where !reserved.contains(key) {
            line.append(UInt8(ascii: ","))
            JSONText.appendString(key, to: &line)
            line.append(UInt8(ascii: ":"))
            append(value, to: &line)
        }
        line.append(UInt8(ascii: "}"))
    }

    private static func append(_ value: Logger.Metadata.Value, to line: inout [UInt8]) {
        switch value {
        case .string(let string): JSONText.appendString(string, to: &line)
        case .stringConvertible(let convertible): JSONText.appendString(convertible.description, to: &line)
        case .array(let array):
            line.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                append(element, to: &line)
            }
            line.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            line.append(UInt8(ascii: "{"))
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &line)
                line.append(UInt8(ascii: ":"))
                if let element = dictionary[key] { append(element, to: &line) }
            }
            line.append(UInt8(ascii: "}"))
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

import Foundation

/// A CloudEvents 1.0 envelope in structured JSON mode, the only shape that crosses service boundaries on Kafka.
public struct CloudEvent<Payload: Codable & Sendable>: Codable, Sendable {
    public var specversion: String
    public var id: String
    public var source: String
    public var type: String
    public var subject: String
    public var time: Date
    public var brandid: String?
    public var datacontenttype: String
    public var data: Payload

    public init(
        id: String = UUIDv7.generate().uuidString.lowercased(),
        source: String, type: String, subject: String, time: Date = Date(), brandid: String?, data: Payload
    ) {
        self.specversion = "1.0"
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.brandid = brandid
        self.datacontenttype = "application/json"
        self.data = data
    }
}

/// The envelope without its data, for consumers that dispatch on `type` before decoding the payload.
public struct CloudEventHeader: Codable, Sendable {
    public var specversion: String
    public var id: String
    public var source: String
    public var type: String
    public var subject: String
    public var brandid: String?
}

public enum CloudEventCoding {
    /// Times are RFC 3339 in UTC to the millisecond, `2026-12-02T01:26:26.230Z`.
    static let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    /// How events written before their times carried the zone wrote them (UTC all the same).
    static let zonelessTime = Date.ISO8601FormatStyle.iso8601.year().month().day().time(includingFractionalSeconds: true)

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(time))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = try? Date(text, strategy: time) { return date }
            if let date = try? Date(text, strategy: zonelessTime) { return date }
            if let date = try? Date(text, strategy: .iso8601) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 time: \(text)"))
        }
        return decoder
    }

    public static func encode<P>(_ event: CloudEvent<P>) throws -> [UInt8] {
        Array(try encoder().encode(event))
    }

    /// The envelope of an event, read by ``CloudEventHeaderScanner`` when the bytes are in the plain shape events are
    /// written in, else (escapes, odd shapes, errors) by Foundation's decoder, whose errors are the ones thrown.
    public static func decodeHeader(_ bytes: [UInt8]) throws -> CloudEventHeader {
        if let header = CloudEventHeaderScanner.header(in: bytes) { return header }
        return try decoder().decode(CloudEventHeader.self, from: Data(bytes))
    }

    public static func decode<P>(_ type: P.Type, from bytes: [UInt8]) throws -> CloudEvent<P> {
        try decoder().decode(CloudEvent<P>.self, from: Data(bytes))
    }
}

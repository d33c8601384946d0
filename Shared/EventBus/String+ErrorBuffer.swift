extension String {
    /// The text librdkafka wrote into a fixed-size `errstr` buffer we passed in.
    init(errorBuffer: [CChar]) {
        self = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

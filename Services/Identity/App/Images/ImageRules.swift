import Foundation
import HTTPTypes
import ServiceKit

/// An uploaded picture's kind and pixel size, read from its header bytes.
public struct ImageInfo: Sendable, Equatable {
    public var contentType: String
    public var width: Int
    public var height: Int

    public init(contentType: String, width: Int, height: Int) {
        self.contentType = contentType
        self.width = width
        self.height = height
    }
}

/// Which pictures are accepted (PNG, JPEG, GIF up to a size limit) and how large they are shown: "logos larger
/// than 500x90 are resized" becomes a display size that fits the box, keeping the aspect ratio.
public enum ImageRules {
    public static let maximumBytes = 1_048_576

    public static let tooLarge = Problem(
        status: .contentTooLarge, type: Problem.typeBase + "image-too-large", title: "Image too large",
        detail: "An image may have at most \(maximumBytes / 1024) KB.")

    public static func inspect(_ bytes: [UInt8]) throws -> ImageInfo {
        guard !bytes.isEmpty else { throw Problem.unprocessable("The body holds no image.", errors: [.init(field: "body", message: "empty")]) }
        guard bytes.count <= maximumBytes else { throw tooLarge }
        if let info = png(bytes) ?? gif(bytes) ?? jpeg(bytes), info.width > 0, info.height > 0 { return info }
        throw Problem(status: .unsupportedMediaType, type: Problem.typeBase + "unsupported-image", title: "Unsupported image",
                      detail: "Upload a PNG, JPEG or GIF picture.")
    }

    /// The size to show an image at so it fits `maxWidth` × `maxHeight`; smaller images keep their size.
    public static func fit(width: Int, height: Int, maxWidth: Int, maxHeight: Int) -> (width: Int, height: Int) {
        guard width > maxWidth || height > maxHeight else { return (width, height) }
        let scale = min(Double(maxWidth) / Double(width), Double(maxHeight) / Double(height))
        return (max(1, Int((Double(width) * scale).rounded())), max(1, Int((Double(height) * scale).rounded())))
    }

    static func png(_ b: [UInt8]) -> ImageInfo? {
        guard b.count >= 24, b[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { return nil }
        return ImageInfo(contentType: "image/png", width: bigEndian(b, 16, 4), height: bigEndian(b, 20, 4))
    }

    static func gif(_ b: [UInt8]) -> ImageInfo? {
        guard b.count >= 10, b[0..<4].elementsEqual(Array("GIF8".utf8)) else { return nil }
        return ImageInfo(contentType: "image/gif", width: Int(b[6]) | Int(b[7]) << 8, height: Int(b[8]) | Int(b[9]) << 8)
    }

    /// Walks JPEG segments to the first start-of-frame marker, which holds the size.
    static func jpeg(_ b: [UInt8]) -> ImageInfo? {
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var index = 2
        while index + 9 < b.count {
            guard b[index] == 0xFF else { return nil }
            let marker = b[index + 1]
            if marker == 0xFF { index += 1; continue }
            let length = bigEndian(b, index + 2, 2)
            let isFrame = (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
            if isFrame {
                return ImageInfo(contentType: "image/jpeg", width: bigEndian(b, index + 7, 2), height: bigEndian(b, index + 5, 2))
            }
            guard length >= 2 else { return nil }
            index += 2 + length
        }
        return nil
    }

    static func bigEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> Int {
        bytes[offset..<(offset + count)].reduce(0) { $0 << 8 | Int($1) }
    }
}

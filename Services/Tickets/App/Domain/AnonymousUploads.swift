import Foundation
import HTTPTypes
import ServiceKit
#if canImport(Glibc)
import Glibc
#endif

/// Files a portal visitor who is not signed in uploads for the ticket they are about to submit. Each upload answers a
/// claim (a random secret) that the submission names beside the upload's id; the submission's CAPTCHA covers the
/// ticket, and these bounds keep what waits unclaimed, from one address and from everyone, small until it is
/// forgotten (``TicketStore/uploadLifetime``).
public struct AnonymousUploads: Sendable, Equatable {
    /// Uploads waiting for a ticket from one client address.
    public var perAddress: Int
    /// Bytes of every visitor's waiting uploads together.
    public var totalBytes: Int

    public static let standard = AnonymousUploads(perAddress: 20, totalBytes: 256 << 20)

    public init(perAddress: Int, totalBytes: Int) {
        self.perAddress = perAddress
        self.totalBytes = totalBytes
    }

    /// The address whose waiting uploads count together: an IPv4 address itself, an IPv6 one's /64 (a single client
    /// holds a whole /64, so one address each would be no bound).
    public static func bucket(_ address: String) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard address.contains(":"), inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        for index in 8..<16 { bytes[index] = 0 }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, bytes, &text, socklen_t(text.count)) != nil else { return address }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/64"
    }

    /// Whether one more upload of `size` bytes may wait beside `fromAddress` uploads of its address and `waitingBytes`
    /// of everyone's; a 429 problem when not.
    public func check(size: Int, fromAddress: Int, waitingBytes: Int) throws {
        guard fromAddress < perAddress, waitingBytes + size <= totalBytes else {
            throw Problem(
                status: .tooManyRequests, type: Problem.typeBase + "uploads-waiting", title: "Too many files waiting",
                detail: "Too many files wait for their tickets; submit the ticket with the files uploaded so far, or try again later.")
        }
    }
}

import HTTPTypes
import ServiceKit

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

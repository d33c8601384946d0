import Contracts
import Foundation
import Testing
@testable import TicketsApp

@Suite("Files that came with a customer's email")
struct MailAttachmentSortingTests {
    static func file(_ name: String, _ bytes: [UInt8], type: String? = nil) -> MailAttachment {
        MailAttachment(filename: name, contentType: type, data: Data(bytes).base64EncodedString())
    }

    @Test("Files the end users' upload rules allow are kept; a refused type, an oversize file and unreadable contents are named with why")
    func sortsAsThePortalUploadRulesDo() {
        let policy = AttachmentPolicy(maximumBytes: 8, agentExtensions: [".exe"], userExtensions: [".pdf", ".txt"])
        let (kept, refused) = MailAttachmentSorting.sort(
            [
                Self.file("invoice.pdf", Array("%PDF-1.4".utf8), type: "application/pdf"), Self.file("notes.txt", [0x41], type: "text/plain\r\nX: y"),
                Self.file("setup.exe", [0x4D, 0x5A]), Self.file("big.pdf", Array(repeating: 0x41, count: 9)),
                MailAttachment(filename: "broken.pdf", data: "not base64!"),
            ],
            policy: policy)
        #expect(kept.map(\.filename) == ["invoice.pdf", "notes.txt"])
        #expect(kept.map(\.contentType) == ["application/pdf", "application/octet-stream"], "a media type that is not one line is none")
        #expect(kept.first?.bytes == Data("%PDF-1.4".utf8))
        #expect(refused.map(\.filename) == ["setup.exe", "big.pdf", "broken.pdf"])
        #expect(refused[0].reason.contains(".exe") && refused[1].reason.contains("KB") && refused[2].reason == "its contents could not be read")
        let comment = MailAttachmentSorting.comment([("evil\nname.exe", "Files of type .exe may not be attached")])
        #expect(comment == "Files the customer's email carried were not attached:\n- evil?name.exe: Files of type .exe may not be attached")
    }
}

import Testing
import TicketsApp

@Suite("An attachment's type and name in HTTP headers")
struct AttachmentHeadersTests {
    @Test("A media type is kept lower-cased with its charset; anything else an uploader sends is application/octet-stream")
    func contentTypes() {
        #expect(AttachmentHeaders.contentType("application/PDF") == "application/pdf")
        #expect(AttachmentHeaders.contentType("text/plain; Charset=UTF-8; format=flowed") == "text/plain; charset=utf-8")
        #expect(AttachmentHeaders.contentType("image/svg+xml") == "image/svg+xml")
        for unfit in [nil, "", "garbage", "not a/media type;;", "text/", "/plain", "text/plain/x", "te\u{1}xt/plain", "text/pl\u{E9}in",
                      String(repeating: "a", count: 300) + "/b"] {
            #expect(AttachmentHeaders.contentType(unfit) == "application/octet-stream", "\(String(describing: unfit))")
        }
    }

    @Test("A download names an ASCII file plainly, and any other with an ASCII stand-in and its exact name in UTF-8")
    func dispositions() {
        #expect(AttachmentHeaders.disposition(filename: "invoice 12.pdf") == #"attachment; filename="invoice 12.pdf""#)
        #expect(AttachmentHeaders.disposition(filename: "Rechnung Mär.pdf") == #"attachment; filename="Rechnung M_r.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4r.pdf"#)
    }
}

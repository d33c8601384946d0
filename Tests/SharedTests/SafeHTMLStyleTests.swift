import Testing

@testable import ServiceKit

/// The formatting an HTML editor writes (signatures, replies, articles) survives sanitizing; nothing that loads or
/// runs anything does.
@Suite("Formatting kept in user HTML")
struct SafeHTMLStyleTests {
    @Test("Colours, fonts, sizes and alignment are kept, declaration by declaration; other properties are dropped")
    func editorFormattingIsKept() {
        let html = #"<span style="color:#c00; font-family: 'Times New Roman', serif;position:fixed;FONT-SIZE:14px">Acme</span>"#
        #expect(SafeHTML.sanitize(html) == #"<span style="color: #c00; font-family: &#39;Times New Roman&#39;, serif; font-size: 14px">Acme</span>"#)
        #expect(SafeHTML.sanitize(#"<p style="text-align:center;background-color:rgb(255, 240, 0)">Hi</p>"#)
            == #"<p style="text-align: center; background-color: rgb(255, 240, 0)">Hi</p>"#)
        #expect(SafeHTML.sanitize(#"<p style="position:absolute">Hi</p>"#) == "<p>Hi</p>", "nothing kept, no attribute")
    }

    @Test("Values that could load or run something lose their declaration")
    func activeValuesAreDropped() {
        for value in [
            "url(https://evil.example/x.png)", "expression(alert(1))", #"red\65 xpression(1)"#, "red /* */", "rgb(1,2,3) url(x)",
            "@import 'x'", "rgba(0,0,0,calc(1))",
        ] {
            let clean = SafeHTML.sanitize(#"<span style="color:\#(value)">x</span>"#)
            #expect(!clean.contains("style"), "\(value) → \(clean)")
        }
        let breakout = SafeHTML.sanitize(#"<span style="color:red;"><script>alert(1)</script>">x</span>"#)
        #expect(breakout == #"<span style="color: red">&quot;&gt;x</span>"#, "the tag ends at its first >, and what follows is text")
        #expect(SafeStyle.clean("color: red; background-color: url(x)") == "color: red")
    }

    @Test("An image keeps its size in pixels, its alt text and its formatting; anything else about it goes")
    func imagesKeepTheirSize() {
        let html = #"<img src="https://cdn.example/logo.png" width="120" height="40px" alt="Acme & Co" style="vertical-align:middle" onerror="x()">"#
        #expect(SafeHTML.sanitize(html, media: .standard)
            == #"<img src="https://cdn.example/logo.png" alt="Acme &amp; Co" width="120" style="vertical-align: middle">"#)
    }
}

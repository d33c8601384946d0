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

    @Test("A code point that joins < or a quote into one Character does not hide it: markup and attributes are read scalar by scalar")
    func joiningCodePointsDoNotHideMarkup() {
        let prepended = SafeHTML.sanitize("\u{600}<img src=x onerror=alert(1) <p>hi</p>")
        #expect(prepended.unicodeScalars.elementsEqual("\u{600}hi</p>".unicodeScalars), "the image tag is dropped: \(prepended)")
        #expect(SafeHTML.escape("\u{600}<b>") == "\u{600}&lt;b&gt;")
        #expect(SafeHTML.escape("\"\u{301} onerror=x") == "&quot;\u{301} onerror=x")
        let alt = SafeHTML.sanitize(#"<img src="https://cdn.example/a.png" alt='"\#u{301} onerror=alert(1) x'>"#, media: .standard)
        #expect(alt == "<img src=\"https://cdn.example/a.png\" alt=\"&quot;\u{301} onerror=alert(1) x\">")
        #expect(SafeHTML.sanitize(#"<img src="https://cdn.example/a.png" width="\#u{661}\#u{662}" style="color:rgb(1\#u{301},2,3)">"#, media: .standard)
            == #"<img src="https://cdn.example/a.png" alt="">"#, "only ASCII digits make a size or a colour")
        #expect(SafeHTML.sanitize(#"<a href="https://example.com/?a=1&amp;b=2">x</a>"#)
            == #"<a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer nofollow">x</a>"#, "an attribute's entities are read once, not twice")
    }

    @Test("Character references stay as they are; a lone ampersand is escaped; a styled <br> still breaks the text")
    func entitiesAndBreaks() {
        let html = "<p>A &amp; B&nbsp;&#169; &#x1F600; &copy; &bogus & &#xZZ; &lt;script&gt;</p>"
        #expect(SafeHTML.sanitize(html) == "<p>A &amp; B&nbsp;&#169; &#x1F600; &copy; &amp;bogus &amp; &amp;#xZZ; &lt;script&gt;</p>")
        #expect(SafeHTML.sanitize(SafeHTML.sanitize(html)) == SafeHTML.sanitize(html), "sanitizing twice changes nothing")
        #expect(SafeHTML.plainText(#"<p>One<br style="color: red">Two &amp; three</p>"#) == "One\nTwo & three")
        #expect(SafeHTML.plainText("<p>&#169; 2026 &#x1F600; &amp;#169;</p>") == "\u{A9} 2026 \u{1F600} &#169;", "numeric references read once")
    }

    @Test("A < that opens no tag is text, kept escaped, and a reference to NUL reads as U+FFFD in the text alternative")
    func lessThanAsText() {
        #expect(SafeHTML.sanitize("<p>fails when x < 5 and y > 3</p>") == "<p>fails when x &lt; 5 and y &gt; 3</p>")
        #expect(SafeHTML.sanitize("Mail <a@b.com> or <1> or </ 2> or <") == "Mail  or &lt;1&gt; or &lt;/ 2&gt; or &lt;", "an address in brackets is a tag to a browser too")
        #expect(SafeHTML.sanitize("<b>bold</b><!-- note --></p>") == "<b>bold</b></p>")
        #expect(SafeHTML.body(html: "<p>x < 5</p>", text: nil).text == "x < 5")
        #expect(SafeHTML.plainText("<p>a&#0;b&#x0;c</p>") == "a\u{FFFD}b\u{FFFD}c")
    }

    @Test("A frame's address is read as a browser reads it: no backslash, credentials or spaces to hide another host")
    func framesCannotHideTheirHost() {
        for source in [#"https://evil.example\@www.youtube.com/embed/x"#, "https://user@www.youtube.com/embed/x", "https://www.youtube.com /embed/x"] {
            #expect(SafeHTML.sanitize(#"<iframe src="\#(source)"></iframe>"#, media: .standard).isEmpty, "\(source)")
        }
        #expect(SafeHTML.sanitize(#"<iframe src="https://www.youtube.com/embed/x"></iframe>"#, media: .standard).hasPrefix("<iframe src="))
    }

    @Test("An image keeps its size in pixels, its alt text and its formatting; anything else about it goes")
    func imagesKeepTheirSize() {
        let html = #"<img src="https://cdn.example/logo.png" width="120" height="40px" alt="Acme & Co" style="vertical-align:middle" onerror="x()">"#
        #expect(SafeHTML.sanitize(html, media: .standard)
            == #"<img src="https://cdn.example/logo.png" alt="Acme &amp; Co" width="120" style="vertical-align: middle">"#)
    }
}

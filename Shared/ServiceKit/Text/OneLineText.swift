/// What a one-line label (a field name, a dropdown option, a file name) cannot show: line breaks and other control
/// characters, and invisible formatting ones such as a bidi override that makes `gnp.exe` read as `exe.png`; but not
/// the joiners Persian and Indic words and emoji sequences are written with.
public enum OneLineText {
    public static func isUnshowable(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar != "\u{200C}" && scalar != "\u{200D}" else { return false }
        return [.control, .format, .lineSeparator, .paragraphSeparator].contains(scalar.properties.generalCategory)
    }
}

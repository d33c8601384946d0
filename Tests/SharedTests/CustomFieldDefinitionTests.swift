import Testing

@testable import ServiceKit

@Suite("Custom field definitions")
struct CustomFieldDefinitionTests {
    static func field(_ type: CustomFieldType, name: String = "Source", options: [String] = [], defaultValue: String? = nil) -> CustomFieldDefinition {
        CustomFieldDefinition(id: "f", name: name, dataType: type, options: options, defaultValue: defaultValue)
    }

    @Test("A dropdown's options are distinct one-line values the field can hold, without spaces around them, at most 200")
    func dropdownOptionsCanBeChosen() throws {
        try CustomFieldRules.validate(Self.field(.dropdown, options: ["Magazine", "TV", "Word of mouth"]))
        let unusable: [[String]] = [
            [], ["a", "a"], ["a", " a"], ["a "], ["a\nb"], [" "], [String(repeating: "x", count: 513)], ["tv\u{202E}"],
            (0...200).map { "option \($0)" },
        ]
        for options in unusable {
            #expect(throws: Problem.self, "\(options.prefix(3))") { try CustomFieldRules.validate(Self.field(.dropdown, options: options)) }
        }
    }

    @Test("Only a dropdown has options; a name is one line; a default must be a value the field holds")
    func otherDefinitionsThatCouldNeverWork() {
        #expect(throws: Problem.self) { try CustomFieldRules.validate(Self.field(.text, options: ["a"])) }
        #expect(throws: Problem.self) { try CustomFieldRules.validate(Self.field(.text, name: "Two\nlines")) }
        #expect(throws: Problem.self) { try CustomFieldRules.validate(Self.field(.date, defaultValue: "0000-01-01")) }
        #expect(throws: Never.self) { try CustomFieldRules.validate(Self.field(.date, defaultValue: "2026-12-07")) }
        #expect(throws: Never.self, "a joiner Persian words are written with") { try CustomFieldRules.validate(Self.field(.text, name: "می\u{200C}خواهم")) }
    }
}

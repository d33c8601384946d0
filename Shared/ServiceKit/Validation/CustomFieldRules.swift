import Foundation

/// A custom field's data type.
public enum CustomFieldType: String, Codable, Sendable, CaseIterable {
    case text, multilineText, dropdown, date, checkbox, number
}

/// A custom field definition: People fields on users (identity) and Data fields on tickets, chats and call logs.
public struct CustomFieldDefinition: Codable, Sendable, Equatable {
    public typealias DataType = CustomFieldType

    public var id: String
    public var name: String
    public var dataType: CustomFieldType
    /// The choices of a dropdown.
    public var options: [String]
    /// "This field is optional, and is often left blank" [S001:6889]: a blank one is none.
    public var defaultValue: String?

    public init(id: String, name: String, dataType: CustomFieldType, options: [String], defaultValue: String?) {
        self.id = id
        self.name = name
        self.dataType = dataType
        self.options = options
        self.defaultValue = defaultValue.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
    }
}

/// How a custom field value is checked and normalized: at most 512 characters, and shaped by the data type.
public enum CustomFieldRules {
    public static let maximumLength = 512

    /// The stored form of `raw` for `field`, or a 422 naming the field.
    public static func normalize(_ raw: String, for field: CustomFieldDefinition) throws -> String {
        let value = field.dataType == .multilineText ? raw : raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let key = "customFields.\(field.id)"
        func invalid(_ message: String) -> Problem {
            Problem.unprocessable("\(field.name) \(message).", errors: [.init(field: key, message: message)])
        }
        // Counted as PostgreSQL counts a varchar's characters (code points): "\r\n" is one Swift character but two.
        guard value.unicodeScalars.count <= maximumLength else { throw invalid("holds at most \(maximumLength) characters") }
        switch field.dataType {
        case .text:
            guard !value.contains(where: \.isNewline) else { throw invalid("is a single line") }
        case .multilineText:
            break
        case .dropdown:
            guard field.options.contains(value) else { throw invalid("must be one of \(field.options.joined(separator: ", "))") }
        case .date:
            guard isCalendarDate(value) else { throw invalid("must be a date as YYYY-MM-DD") }
        case .checkbox:
            guard let flag = Bool(value.lowercased()) else { throw invalid("must be true or false") }
            return String(flag)
        case .number:
            guard let canonical = canonicalNumber(value) else { throw invalid("must be a decimal number of at most \(maximumDigits) significant digits") }
            return canonical
        }
        return value
    }

    /// Checks a definition: a name, dropdowns with distinct options, a default that is itself a valid value.
    /// The choices a dropdown may offer.
    public static let maximumOptions = 200

    /// A definition that can be used: a one-line name of 1 to 100 characters; a dropdown's options distinct, each a
    /// value the field can hold (one line, no spaces around it, which a chosen value loses, at most
    /// ``maximumLength`` characters), at most ``maximumOptions`` of them; options on no other type; a default the field
    /// can hold.
    public static func validate(_ field: CustomFieldDefinition) throws {
        guard (1...100).contains(field.name.count), !field.name.unicodeScalars.contains(where: OneLineText.isUnshowable) else {
            throw Problem.unprocessable("A field name is one line of 1 to 100 characters.", errors: [.init(field: "name", message: "1...100 characters, one line")])
        }
        if field.dataType == .dropdown {
            let usable = field.options.allSatisfy { option in
                !option.isEmpty && option == option.trimmingCharacters(in: .whitespacesAndNewlines) && option.unicodeScalars.count <= maximumLength
                    && !option.unicodeScalars.contains(where: OneLineText.isUnshowable)
            }
            guard (1...maximumOptions).contains(field.options.count), Set(field.options).count == field.options.count, usable else {
                throw Problem.unprocessable(
                    "A dropdown needs 1 to \(maximumOptions) distinct options, each one line of at most \(maximumLength) characters without spaces around it.",
                    errors: [.init(field: "options", message: "1...\(maximumOptions) distinct one-line options")])
            }
        } else if !field.options.isEmpty {
            throw Problem.unprocessable("Only a dropdown has options.", errors: [.init(field: "options", message: "only for a dropdown")])
        }
        if let defaultValue = field.defaultValue { _ = try normalize(defaultValue, for: field) }
    }


    /// The significant digits a number field keeps exactly (`Decimal`'s precision).
    static let maximumDigits = 38

    /// A decimal number in one written form, so that `5`, `5.0` and `05` are one value to a search: digits with an
    /// optional sign, point and exponent (not hexadecimal, `nan` or `inf`), nil for anything else, and for a number of
    /// more significant digits than ``maximumDigits``, which would be stored as another number.
    static func canonicalNumber(_ text: String) -> String? {
        guard !text.isEmpty, text.allSatisfy({ "0123456789+-.eE".contains($0) }), let number = Double(text), number.isFinite,
            significantDigits(text) <= maximumDigits, let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else { return nil }
        return "\(decimal)"
    }

    /// The digits of the number's mantissa between its first and last that are not zero.
    private static func significantDigits(_ text: String) -> Int {
        let digits = text.prefix { $0 != "e" && $0 != "E" }.filter(\.isNumber)
        return digits.drop { $0 == "0" }.reversed().drop { $0 == "0" }.count
    }

    /// A day as `YYYY-MM-DD` within the years input may name (1900–9999, ``DateInput/accepted``).
    static func isCalendarDate(_ text: String) -> Bool {
        text.utf8.count == 10 && DateInput.parse(text)?.wholeDay == true
    }
}

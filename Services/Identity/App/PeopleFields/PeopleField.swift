/// A custom field with Applies To = People: admin-defined, filled in by agents on users.
public struct PeopleField: Codable, Sendable, Equatable {
    public enum DataType: String, Codable, Sendable, CaseIterable {
        case text, multilineText, dropdown, date, checkbox, number
    }

    public var id: String
    public var name: String
    public var dataType: DataType
    /// The choices of a dropdown.
    public var options: [String]
    public var defaultValue: String?

    public init(id: String, name: String, dataType: DataType, options: [String], defaultValue: String?) {
        self.id = id
        self.name = name
        self.dataType = dataType
        self.options = options
        self.defaultValue = defaultValue
    }
}

/// `POST /api/v1/identity/people-fields`.
public struct NewPeopleField: Decodable, Sendable {
    public var name: String
    public var dataType: PeopleField.DataType
    public var options: [String]?
    public var defaultValue: String?
}

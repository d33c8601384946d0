import ServiceKit

/// A custom field with Applies To = People: admin-defined, filled in by agents on users.
public typealias PeopleField = CustomFieldDefinition

/// `POST /api/v1/identity/people-fields`.
public struct NewPeopleField: Decodable, Sendable {
    public var name: String
    public var dataType: CustomFieldType
    public var options: [String]?
    public var defaultValue: String?
}

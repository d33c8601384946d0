import ServiceKit

/// A custom field with Applies To = People: admin-defined, filled in by agents on users.
public typealias PeopleField = CustomFieldDefinition

import Foundation

/// What defines or edits a custom field: the body of `POST`/`PUT` of identity's people fields and tickets' Data fields.
public struct CustomFieldBody: Decodable, Sendable {
    public var name: String
    public var dataType: CustomFieldType
    public var options: [String]?
    public var defaultValue: String?
}

extension CustomFieldRules {
    /// The definition `body` describes under `id`, its name trimmed, checked (422).
    public static func definition(_ body: CustomFieldBody, id: String) throws -> CustomFieldDefinition {
        let field = CustomFieldDefinition(
            id: id, name: body.name.trimmingCharacters(in: .whitespacesAndNewlines), dataType: body.dataType, options: body.options ?? [],
            defaultValue: body.defaultValue)
        try validate(field)
        return field
    }

    /// `existing` as `body` edits it: its name, a dropdown's choices and its default value. The data type stays (a
    /// value of one type is not one of another): a body naming another is a 422.
    public static func edit(_ existing: CustomFieldDefinition, with body: CustomFieldBody) throws -> CustomFieldDefinition {
        let field = try definition(body, id: existing.id)
        guard field.dataType == existing.dataType else {
            throw Problem.unprocessable("A field's data type does not change; make a new field.", errors: [.init(field: "dataType", message: "cannot change")])
        }
        return field
    }
}

import ServiceKit

/// People custom field values as users, departments and groups keep them: by field id, each in the stored form its
/// definition gives it (``CustomFieldRules/normalize(_:for:)``).
public enum PeopleFieldValues {
    /// `current` with `changes` applied (a nil value removes the field's), and every problem with them: an unknown
    /// field, or a value its field refuses (`customFields.<id>`).
    public static func applying(
        _ changes: [String: String?], to current: [String: String], fields: [PeopleField]
    ) -> (values: [String: String], errors: [Problem.FieldError]) {
        var values = current
        var errors: [Problem.FieldError] = []
        for (id, value) in changes {
            guard let field = fields.first(where: { $0.id == id.lowercased() }) else {
                errors.append(.init(field: "customFields.\(id)", message: "no such field"))
                continue
            }
            guard let value else {
                values[field.id] = nil
                continue
            }
            do { values[field.id] = try CustomFieldRules.normalize(value, for: field) } catch let problem as Problem {
                errors += problem.errors
            } catch {
                errors.append(.init(field: "customFields.\(id)", message: "invalid"))
            }
        }
        return (values, errors)
    }

    /// The values a JSON merge patch turned `current` into, checked (422): only those it changed, so a value written
    /// before its field's choices changed stays as it was.
    public static func checked(_ next: [String: String], from current: [String: String], fields: [PeopleField]) throws -> [String: String] {
        var changes: [String: String?] = [:]
        for id in Set(next.keys).union(current.keys) where next[id] != current[id] { changes[id] = next[id] }
        let (values, errors) = applying(changes, to: current, fields: fields)
        try Problem.throwIfInvalid(errors)
        return values
    }
}

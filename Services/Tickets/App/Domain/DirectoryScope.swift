import Contracts
import Foundation
import ServiceKit

/// What the directory (identity's projection) holds about a brand, department and group named together, as a
/// signature or a rebalance rule names them: whether the brand exists, and whose the department and the group are.
public struct DirectoryScope: Sendable, Equatable {
    public var brandExists: Bool
    /// The department's brand; nil when the department is unknown.
    public var departmentBrand: String?
    /// The group's department and that department's brand; nil when the group is unknown.
    public var groupDepartment: String?
    public var groupBrand: String?

    public init(brandExists: Bool, departmentBrand: String?, groupDepartment: String?, groupBrand: String?) {
        self.brandExists = brandExists
        self.departmentBrand = departmentBrand
        self.groupDepartment = groupDepartment
        self.groupBrand = groupBrand
    }

    /// The fields naming what the directory does not hold, or a department outside the brand named, or a group outside
    /// the department (or brand) named: such a scope would never apply. Ids are lower-case; nil ones are not named.
    public func errors(brandID: String?, departmentID: String?, groupID: String?) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if brandID != nil && !brandExists { errors.append(.init(field: "brandID", message: "no such brand")) }
        if departmentID != nil {
            if departmentBrand == nil {
                errors.append(.init(field: "departmentID", message: "no such department"))
            } else if let brandID, departmentBrand != brandID {
                errors.append(.init(field: "departmentID", message: "not a department of that brand"))
            }
        }
        if groupID != nil {
            if groupDepartment == nil {
                errors.append(.init(field: "groupID", message: "no such group"))
            } else if let departmentID, groupDepartment != departmentID {
                errors.append(.init(field: "groupID", message: "not a group of that department"))
            } else if let brandID, groupBrand != brandID {
                errors.append(.init(field: "groupID", message: "not a group of that brand"))
            }
        }
        return errors
    }
}

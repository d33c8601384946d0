import ServiceKit

/// One role's setting for one feature: a standard level, or Custom with the chosen custom options.
public struct FeatureGrant: Sendable, Codable, Equatable {
    public var level: PermissionLevel
    public var customOptions: Set<String>

    public init(_ level: PermissionLevel, customOptions: Set<String> = []) {
        self.level = level
        self.customOptions = level == .custom ? customOptions : []
    }

    public static func custom(_ options: Set<String>) -> FeatureGrant { FeatureGrant(.custom, customOptions: options) }

    /// The actions this grant allows on `feature`.
    public func actions(on feature: Feature) -> Set<String> {
        let definition = FeatureCatalog.definition(feature)
        if level == .custom {
            return customOptions.reduce(into: customOptions) { $0.formUnion(definition.optionActions[$1] ?? []) }
        }
        return definition.levels[level] ?? []
    }

    /// Checks the grant against the feature's documented levels, custom options and their requirements, and the
    /// role type (user roles hold no employee-only feature); the problem names the feature and what is wrong.
    public func validate(for feature: Feature, roleType: RoleType) throws {
        let definition = FeatureCatalog.definition(feature)
        let field = "permissions.\(feature.rawValue)"
        if roleType == .user && feature.isEmployeeOnly && level != .none {
            throw Problem.unprocessable("\(feature.displayName) is for employee roles only.", errors: [.init(field: field, message: "employee roles only")])
        }
        guard definition.availableLevels.contains(level) else {
            throw Problem.unprocessable(
                "\(feature.displayName) has no \(level.rawValue) level.", errors: [.init(field: field, message: "level \(level.rawValue) not offered")])
        }
        let unknown = customOptions.subtracting(definition.customChoices)
        guard unknown.isEmpty else {
            throw Problem.unprocessable(
                "\(feature.displayName) has no custom option \(unknown.sorted().joined(separator: ", ")).",
                errors: [.init(field: field, message: "unknown custom option")])
        }
        for (option, required) in definition.requirements where customOptions.contains(option) && !customOptions.contains(required) {
            throw Problem.unprocessable(
                "\(feature.displayName): \"\(option)\" requires \"\(required)\".", errors: [.init(field: field, message: "\(option) requires \(required)")])
        }
    }
}

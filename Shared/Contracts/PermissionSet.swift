/// The actions a principal may take, per feature id: carried in the access token so any service can
/// authorize without asking identity.
public struct PermissionSet: Sendable, Codable, Equatable {
    public var actions: [String: Set<String>]

    public init(actions: [String: Set<String>] = [:]) {
        self.actions = actions
    }

    public func allows(_ feature: String, _ action: String) -> Bool {
        actions[feature]?.contains(action) ?? false
    }
}

import Contracts

/// A feature's actions in the access token, kept short: the level's code when the actions are exactly a
/// documented level, Full Control less a few actions as `{"except": […]}`, else the list.
enum PermissionClaim: Codable, Equatable {
    case level(String)
    case actions([String])
    case fullControlExcept([String])

    struct Except: Codable {
        var except: [String]
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let code = try? container.decode(String.self) {
            self = .level(code)
        } else if let except = try? container.decode(Except.self) {
            self = .fullControlExcept(except.except)
        } else {
            self = .actions(try container.decode([String].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .level(let code): try container.encode(code)
        case .actions(let actions): try container.encode(actions)
        case .fullControlExcept(let excluded): try container.encode(Except(except: excluded))
        }
    }

    static func encode(_ permissions: PermissionSet) -> [String: PermissionClaim] {
        var claims: [String: PermissionClaim] = [:]
        for (featureID, actions) in permissions.actions {
            guard let feature = Feature(rawValue: featureID) else { continue }
            let levels = FeatureCatalog.definition(feature).levels
            let full = levels[.fullControl] ?? []
            if let level = PermissionLevel.allCases.first(where: { $0 != .none && levels[$0] == actions }) {
                claims[featureID] = .level(level.rawValue)
            } else if actions.isSubset(of: full) && full.subtracting(actions).count < actions.count {
                claims[featureID] = .fullControlExcept(full.subtracting(actions).sorted())
            } else {
                claims[featureID] = .actions(actions.sorted())
            }
        }
        return claims
    }

    static func decode(_ claims: [String: PermissionClaim]) -> PermissionSet {
        var actions: [String: Set<String>] = [:]
        for (featureID, claim) in claims {
            switch claim {
            case .actions(let list): actions[featureID] = Set(list)
            case .fullControlExcept(let excluded):
                guard let feature = Feature(rawValue: featureID) else { continue }
                actions[featureID] = (FeatureCatalog.definition(feature).levels[.fullControl] ?? []).subtracting(excluded)
            case .level(let code):
                guard let feature = Feature(rawValue: featureID), let level = PermissionLevel(rawValue: code) else { continue }
                actions[featureID] = FeatureCatalog.definition(feature).levels[level] ?? []
            }
        }
        return PermissionSet(actions: actions)
    }
}

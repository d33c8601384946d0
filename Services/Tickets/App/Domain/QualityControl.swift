import Foundation
import ServiceKit

/// Tickets settings → Quality Control (seed 001, 7806-7816): a sample of an agent's replies copied to a reviewer as
/// they are sent, e.g. for trainees — one reply in every `frequency` (1: every reply) to `forwardTo`.
public struct QualityControlRule: Codable, Sendable, Equatable {
    public var agentID: String
    public var forwardTo: String
    public var frequency: Int
    /// Replies the agent sent since the rule was set, which decides the next copy.
    public var repliesCounted: Int
}

/// What an administrator sends for an agent's rule.
public struct QualityControlInput: Codable, Sendable {
    public var forwardTo: String
    public var frequency: Int?

    public init(forwardTo: String, frequency: Int? = nil) {
        self.forwardTo = forwardTo
        self.frequency = frequency
    }
}

public enum QualityControl {
    public static let frequencyRange = 1...1_000

    /// The rule the input makes for `agentID`: a valid address, a frequency of 1 to 1000 (default 1); 422 otherwise.
    public static func rule(_ input: QualityControlInput, agentID: String) throws -> QualityControlRule {
        var errors: [Problem.FieldError] = []
        let address = EmailAddress.validated(input.forwardTo)
        if address == nil { errors.append(.init(field: "forwardTo", message: "an email address")) }
        let frequency = input.frequency ?? 1
        if !frequencyRange.contains(frequency) { errors.append(.init(field: "frequency", message: "1 to \(frequencyRange.upperBound)")) }
        try Problem.throwIfInvalid(errors)
        return QualityControlRule(agentID: agentID, forwardTo: address?.lowercased() ?? "", frequency: frequency, repliesCounted: 0)
    }

    /// Whether the agent's `count`th reply since the rule was set is one to copy: every `frequency`th.
    public static func copies(count: Int, frequency: Int) -> Bool {
        frequency > 0 && count > 0 && count % frequency == 0
    }
}

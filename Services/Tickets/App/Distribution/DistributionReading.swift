import Foundation
import PostgresNIO

/// The agents of some groups as the round robin read them, with the version (`xmin`) of each row read: what
/// ``Distributor/checkUnchanged(_:to:)`` compares, so that a batch of new tickets can be distributed from a reading
/// taken without locks and written in one statement, no transaction around it.
struct DistributionReading: Sendable {
    var groupIDs: [UUID]
    /// Read with the rows locked (in the caller's transaction): nothing can change them before the statement, whose
    /// check then compares nothing. A membership inserted since would otherwise fail it, though the old path did not mind.
    var locked: Bool
    var slots: [UUID: [AgentSlot]] = [:]
    /// Each agent's row in each group (`agent_groups`), in the order read.
    private(set) var memberships: [(group: UUID, agent: UUID, version: String)] = []
    /// Each agent's overall row (`agents`), once per agent.
    private(set) var agentRows: [(agent: UUID, version: String)] = []
    private var agentsNoted: Set<UUID> = []

    init(groupIDs: [UUID], locked: Bool) {
        self.groupIDs = groupIDs
        self.locked = locked
    }

    mutating func noteVersions(group: UUID, agent: UUID, membership: String, agentRow: String?) {
        memberships.append((group, agent, membership))
        if let agentRow, agentsNoted.insert(agent).inserted { agentRows.append((agent, agentRow)) }
    }
}

/// A statement written from a ``DistributionReading`` found the agents' rows changed since, and wrote nothing: the
/// batch is written again under the agents' locks.
enum DistributionMoved {
    /// The SQLSTATE `distribution_unchanged` raises (migration 167).
    static let sqlState = "CD001"

    static func matches(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == sqlState
    }
}

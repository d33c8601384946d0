/// Active (an agent works on it), Waiting (for the customer), Closed (a customer reply reopens it) and Closed and
/// Locked (nothing the customer does reopens it).
public enum TicketStatus: String, Codable, Sendable, CaseIterable {
    case active
    case waiting
    case closed
    case closedLocked = "closed_locked"

    public var isClosed: Bool { self == .closed || self == .closedLocked }

    /// The other status a list's tab shows with this one: the Closed tab lists Closed and Closed and Locked tickets
    /// (the locked ones greyed), as its count counts them.
    public var listedWith: TicketStatus? { self == .closed ? .closedLocked : nil }

    /// The statuses this status's tab lists.
    public var listed: [TicketStatus] { [self] + (listedWith.map { [$0] } ?? []) }
}

/// Low, Normal (normal or unspecified), High, Urgent; stored as 0…3 so lists sort by it.
public enum TicketPriority: String, Codable, Sendable, CaseIterable {
    case low, normal, high, urgent

    public var rank: Int {
        switch self {
        case .low: 0
        case .normal: 1
        case .high: 2
        case .urgent: 3
        }
    }

    public init(rank: Int) {
        self = Self.allCases.first { $0.rank == rank } ?? .normal
    }
}

/// The Send button's variants: Send and Mark Active, Waiting, Closed, Closed and Locked, Send and Schedule Follow-up
/// (the reply's `followUp` is scheduled with it: the ticket waits) and Send and Transfer (the reply's `transfer` is
/// made with it).
public enum SendVariant: String, Codable, Sendable {
    case active, waiting, closed
    case closedLocked = "closed_locked"
    case followUp = "follow_up"
    case transfer

    /// The status the reply itself sets; the follow-up and the transfer set theirs.
    public var status: TicketStatus? {
        switch self {
        case .active: .active
        case .waiting: .waiting
        case .closed: .closed
        case .closedLocked: .closedLocked
        case .followUp, .transfer: nil
        }
    }
}

/// Comment types; sticky comments are listed first.
public enum CommentType: String, Codable, Sendable, CaseIterable {
    case general, resolution, transfer
    case followUp = "follow_up"
    case sticky
}

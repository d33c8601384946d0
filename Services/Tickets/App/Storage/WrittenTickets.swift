import NIOCore

/// Tickets of a list page as the database keeps their JSON (``TicketListJSON``): the objects joined by commas, as the
/// page's `items` array holds them.
public struct WrittenTickets: Sendable {
    public var objects: ByteBuffer
    public var count: Int

    public init(objects: ByteBuffer, count: Int) {
        self.objects = objects
        self.count = count
    }
}

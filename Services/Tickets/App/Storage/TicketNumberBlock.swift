import Database
import PostgresNIO

/// Values of the ticket number sequence reserved a block at a time, so that most new tickets need no round trip
/// for their number. Values are unique across instances (the sequence hands each block out once); a block that
/// an instance never uses up leaves a gap, which ticket numbers allow.
actor TicketNumberBlock {
    static let size = 256
    let database: Database
    private var reserved: [Int64] = []

    init(database: Database) {
        self.database = database
    }

    /// `count` values, reserving a new block on `connection` when the current one runs short.
    func next(_ count: Int, on connection: PostgresConnection) async throws -> [Int64] {
        if reserved.count < count {
            var binds = PostgresBindings()
            binds.append(max(count - reserved.count, Self.size))
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT nextval('\(database.schema).ticket_number_seq') FROM generate_series(1, $1)", binds: binds),
                logger: database.logger)
            for try await value in rows.decode(Int64.self) { reserved.append(value) }
        }
        let taken = Array(reserved.prefix(count))
        reserved.removeFirst(taken.count)
        return taken
    }
}

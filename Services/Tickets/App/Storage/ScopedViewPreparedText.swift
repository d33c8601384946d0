import Contracts
import PostgresNIO

extension ScopedViewStatement {
    /// The name, text and parameter types of one prepared view statement, built once for every statement at the first
    /// use: postgres-nio reads all three on each execution, and building the text each time cost the tickets process
    /// about 2 % of a view page's CPU.
    struct PreparedText: Sendable {
        let name: String
        let sql: String
        let types: [PostgresDataType]

        static func of(_ scope: Scope, listsTwo: Bool, after: Bool, writesJSON: Bool) -> PreparedText {
            all[index(scope, listsTwo: listsTwo, after: after, writesJSON: writesJSON)]
        }

        private static let all: [PreparedText] = Scope.allCases.flatMap { scope in
            [false, true].flatMap { listsTwo in
                [false, true].flatMap { after in
                    [false, true].map { writesJSON in
                        PreparedText(
                            name: "tickets_scoped_view_\(scope.rawValue)\(listsTwo ? "_two_statuses" : "")\(after ? "_after" : "")\(writesJSON ? "_json" : "")",
                            sql: ScopedViewStatement.sql(
                                schema: ServiceName.tickets.schema, scope: scope, listsTwo: listsTwo, after: after, writesJSON: writesJSON),
                            types: [scope.bindingType, .text, .int8, .timestamptz, .uuid, .int8] + (listsTwo ? [.text] : []))
                    }
                }
            }
        }

        /// The statement's place in ``all``, in the order it is built.
        static func index(_ scope: Scope, listsTwo: Bool, after: Bool, writesJSON: Bool) -> Int {
            scope.ordinal * 8 + (listsTwo ? 4 : 0) + (after ? 2 : 0) + (writesJSON ? 1 : 0)
        }
    }
}

import Contracts
import Testing

@testable import TicketsApp

@Suite("Prepared view statements")
struct ScopedViewPreparedTextTests {
    @Test("Every view statement keeps its own name, text and types, built as the statement builds them")
    func everyStatementKeepsItsOwnText() {
        var names: Set<String> = []
        for scope in ScopedViewStatement.Scope.allCases {
            for listsTwo in [false, true] {
                for after in [false, true] {
                    for writesJSON in [false, true] {
                        let text = ScopedViewStatement.PreparedText.of(scope, listsTwo: listsTwo, after: after, writesJSON: writesJSON)
                        #expect(text.sql == ScopedViewStatement.sql(
                            schema: ServiceName.tickets.schema, scope: scope, listsTwo: listsTwo, after: after, writesJSON: writesJSON))
                        let suffixes = (listsTwo ? "_two_statuses" : "") + (after ? "_after" : "") + (writesJSON ? "_json" : "")
                        #expect(text.name == "tickets_scoped_view_" + scope.rawValue + suffixes)
                        #expect(text.types.count == (listsTwo ? 7 : 6) && text.types.first == scope.bindingType)
                        names.insert(text.name)
                    }
                }
            }
        }
        #expect(names.count == ScopedViewStatement.Scope.allCases.count * 8, "no two statements share a name")
    }
}

import ServiceKit
import Testing
import TicketsApp

@Suite("Directory scopes that signatures and rebalance rules name")
struct DirectoryScopeTests {
    let brand = "b", department = "d", group = "g"

    @Test("A brand, department and group the directory holds, each inside the one before, name a scope")
    func consistentScope() {
        let scope = DirectoryScope(brandExists: true, departmentBrand: brand, groupDepartment: department, groupBrand: brand)
        #expect(scope.errors(brandID: brand, departmentID: department, groupID: group).isEmpty)
        #expect(scope.errors(brandID: nil, departmentID: nil, groupID: group).isEmpty, "a group alone")
        #expect(scope.errors(brandID: brand, departmentID: nil, groupID: group).isEmpty, "a group of the brand")
    }

    @Test("An unknown brand, department or group is refused by its field")
    func unknownParts() {
        let nothing = DirectoryScope(brandExists: false, departmentBrand: nil, groupDepartment: nil, groupBrand: nil)
        #expect(nothing.errors(brandID: brand, departmentID: department, groupID: group).map(\.field) == ["brandID", "departmentID", "groupID"])
        #expect(nothing.errors(brandID: nil, departmentID: nil, groupID: nil).isEmpty, "the global signature names nothing")
    }

    @Test("A department of another brand, or a group of another department or brand, would never apply and is refused")
    func mismatchedParts() {
        let elsewhere = DirectoryScope(brandExists: true, departmentBrand: "other", groupDepartment: "other", groupBrand: "other")
        #expect(elsewhere.errors(brandID: brand, departmentID: department, groupID: group).map(\.message) == [
            "not a department of that brand", "not a group of that department",
        ])
        #expect(elsewhere.errors(brandID: brand, departmentID: nil, groupID: group).map(\.message) == ["not a group of that brand"])
    }
}

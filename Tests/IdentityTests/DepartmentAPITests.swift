import Auth
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import IdentityApp
import ServiceKit
import Testing
import TestSupport

@Suite("Departments and groups: settings, clone, delete", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct DepartmentAPITests {
    let api = IdentityAPITests()

    @Test("Many simultaneous changes of one department all finish, each in turn: what a change reads goes through its own transaction, not the pool its waiters hold")
    func simultaneousChanges() async throws {
        try await api.withIdentity { client, database in
            let company = try await StructureAPITests.company(client, database)
            let path = "/api/v1/identity/departments/\(company.departmentA)"
            let changes = 16
            let statuses = try await withDeadline(.seconds(240)) {
                try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for index in 0..<changes {
                        group.addTask { try await IdentityAPITests.send(client, .patch, path, token: company.admin, body: #"{"name":"Sales \#(index)"}"#).0 }
                    }
                    return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                }
            }
            #expect(statuses.count == changes && statuses.allSatisfy { $0 == .ok })
            let (_, _, department) = try await IdentityAPITests.send(client, .get, path, token: company.admin, body: "")
            #expect(department["version"] as? Int == changes + 1, "every change applied, one after another")
        }
    }

    @Test("Department settings start at the documented defaults and change by merge patch, their messages as safe HTML; an unknown front-line group is 422")
    func settings() async throws {
        try await api.withIdentity { client, database in
            let company = try await StructureAPITests.company(client, database)
            let path = "/api/v1/identity/departments/\(company.departmentA)"
            let (read, headers, department) = try await IdentityAPITests.send(client, .get, path, token: company.admin, body: "")
            #expect(read == .ok)
            let tickets = try #require((department["settings"] as? [String: Any])?["tickets"] as? [String: Any])
            #expect(tickets["autoCloseAfterHours"] as? Int == 168)
            #expect(tickets["autoLockAfterHours"] as? Int == 322)
            #expect(tickets["autoDeleteAfterDays"] as? Int == 365)
            #expect(tickets["autoCloseEnabled"] as? Bool == false)
            let (changed, _, body) = try await IdentityAPITests.exchange(
                client, .patch, path, token: company.admin, headers: [.ifMatch: try #require(headers[.eTag])],
                bytes: Array(#"{"name":"Sales EMEA","settings":{"tickets":{"autoCloseEnabled":true,"autoCloseAfterHours":48,"requireResolutionToClose":true}}}"#.utf8))
            #expect(changed == .ok)
            let updated = IdentityAPITests.object(body)
            #expect(updated["name"] as? String == "Sales EMEA")
            #expect(updated["version"] as? Int == 2)
            let event = try await IdentityAPITests.lastEventData("department.updated", database)
            #expect(((event["settings"] as? [String: Any])?["tickets"] as? [String: Any])?["autoCloseAfterHours"] as? Int == 48)
            let (messaged, _, withMessages) = try await IdentityAPITests.send(
                client, .patch, path, token: company.admin,
                body: #"{"settings":{"tickets":{"messageBeforeSubmission":"<p onclick=\"steal()\">Have your <b>order</b> ready</p><script>steal()</script>"},"liveChat":{"welcomeMessage":"<img src=x onerror=steal()>Hi"}}}"#)
            #expect(messaged == .ok)
            let settings = try #require(withMessages["settings"] as? [String: Any])
            #expect((settings["tickets"] as? [String: Any])?["messageBeforeSubmission"] as? String == "<p>Have your <b>order</b> ready</p>")
            #expect(((settings["liveChat"] as? [String: Any])?["welcomeMessage"] as? String)?.contains("onerror") == false)
            let (foreignGroup, _, problem) = try await IdentityAPITests.send(
                client, .patch, path, token: company.admin, body: #"{"frontLineGroupID":"\#(company.groupB)"}"#)
            #expect(foreignGroup == .unprocessableContent)
            #expect((problem["errors"] as? [[String: String]])?.first?["field"] == "frontLineGroupID")
            let (badTimer, _, _) = try await IdentityAPITests.send(
                client, .patch, path, token: company.admin, body: #"{"settings":{"tickets":{"autoCloseAfterHours":0}}}"#)
            #expect(badTimer == .unprocessableContent)
            let (badTemplate, _, templateProblem) = try await IdentityAPITests.send(
                client, .patch, path, token: company.admin, body: #"{"settings":{"tickets":{"customFieldTemplateID":"support"}}}"#)
            #expect(badTemplate == .unprocessableContent, "a template is named by its id, not read as none")
            #expect((templateProblem["errors"] as? [[String: String]])?.first?["field"] == "settings.tickets.customFieldTemplateID")
            let (byManager, _, _) = try await IdentityAPITests.send(client, .patch, path, token: company.managerA.token, body: #"{"name":"Mine"}"#)
            #expect(byManager == .forbidden)
            let (agentOther, _, _) = try await IdentityAPITests.send(
                client, .get, "/api/v1/identity/departments/\(company.departmentB)", token: company.agentA.token, body: "")
            #expect(agentOther == .forbidden)
        }
    }

    @Test("A department is created with its settings merged onto the defaults; invalid settings are 422 and create nothing")
    func createdWithSettings() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let brand = try #require(try await BrandRepository(database: database).find(hostname: "demo.localhost"))
            let (created, _, department) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/departments", token: admin,
                body: #"{"brandID":"\#(brand.id.uuidString)","name":"Billing","settings":{"tickets":{"requireResolutionToClose":true,"autoCloseAfterHours":48}}}"#)
            #expect(created == .created)
            let tickets = try #require((department["settings"] as? [String: Any])?["tickets"] as? [String: Any])
            #expect(tickets["requireResolutionToClose"] as? Bool == true)
            #expect(tickets["autoCloseAfterHours"] as? Int == 48)
            #expect(tickets["autoLockAfterHours"] as? Int == 322, "what the body leaves out keeps its default")
            let event = try await IdentityAPITests.lastEventData("department.created", database)
            #expect(((event["settings"] as? [String: Any])?["tickets"] as? [String: Any])?["requireResolutionToClose"] as? Bool == true)

            let departments = try await IdentityAPITests.count("departments", database)
            let groups = try await IdentityAPITests.count("groups", database)
            let outbox = try await IdentityAPITests.count("outbox", database)
            for body in [
                #"{"brandID":"\#(brand.id.uuidString)","name":"Bad timer","settings":{"tickets":{"autoCloseAfterHours":0}}}"#,
                #"{"brandID":"\#(brand.id.uuidString)","name":"Bad type","settings":{"tickets":{"autoCloseEnabled":"yes"}}}"#,
                #"{"brandID":"\#(brand.id.uuidString)","name":"Not an object","settings":[1]}"#,
                #"{"brandID":"\#(brand.id.uuidString)","name":"Unknown role","settings":{"tickets":{"newTicketsInPortal":"Pirates"}}}"#,
            ] {
                let (status, headers, problem) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/departments", token: admin, body: body)
                #expect(status == .unprocessableContent, "\(body)")
                #expect(headers[.contentType]?.hasPrefix("application/problem+json") == true)
                #expect((problem["errors"] as? [[String: String]])?.first?["field"]?.hasPrefix("settings") == true, "\(problem)")
            }
            #expect(try await IdentityAPITests.count("departments", database) == departments, "nothing was written")
            #expect(try await IdentityAPITests.count("groups", database) == groups)
            #expect(try await IdentityAPITests.count("outbox", database) == outbox)
        }
    }

    @Test("Groups are renamed and get time estimates; the front-line group cannot be deleted, another group can")
    func groups() async throws {
        try await api.withIdentity { client, database in
            let company = try await StructureAPITests.company(client, database)
            let (created, _, level2) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/departments/\(company.departmentA)/groups", token: company.admin,
                body: #"{"name":"Level 2","timeEstimates":{"ticketCreated":10}}"#)
            #expect(created == .created)
            let groupID = try #require(level2["id"] as? String)
            let (renamed, _, group) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/groups/\(groupID)", token: company.admin,
                body: #"{"name":"Escalations","timeEstimates":{"liveChatStarted":5}}"#)
            #expect(renamed == .ok)
            #expect(group["name"] as? String == "Escalations")
            #expect((group["timeEstimates"] as? [String: Any])?["ticketCreated"] as? Int == 10)
            #expect((group["timeEstimates"] as? [String: Any])?["liveChatStarted"] as? Int == 5)
            let (negative, _, _) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/groups/\(groupID)", token: company.admin, body: #"{"timeEstimates":{"ticketCreated":-1}}"#)
            #expect(negative == .unprocessableContent)
            let (frontLine, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/groups/\(company.groupA)", token: company.admin, body: "")
            #expect(frontLine == .conflict)
            let (deleted, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/groups/\(groupID)", token: company.admin, body: "")
            #expect(deleted == .noContent)
            #expect(try await IdentityAPITests.lastEventData("group.deleted", database)["groupID"] as? String == groupID)
        }
    }

    @Test("Departments and groups hold people custom field values an administrator sets; an unknown field or a refused value is a 422 that changes nothing; deleting the field removes its values")
    func peopleFieldValues() async throws {
        try await api.withIdentity { client, database in
            let company = try await StructureAPITests.company(client, database)
            let (_, _, field) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/people-fields", token: company.admin, body: #"{"name":"Cost centre","dataType":"dropdown","options":["CC-1","CC-2"]}"#)
            let fieldID = try #require(field["id"] as? String)
            let department = "/api/v1/identity/departments/\(company.departmentA)", group = "/api/v1/identity/groups/\(company.groupA)"

            for path in [department, group] {
                let (set, _, shown) = try await IdentityAPITests.send(
                    client, .patch, path, token: company.admin, body: #"{"customFields":{"\#(fieldID)":"CC-1"}}"#)
                #expect(set == .ok && (shown["customFields"] as? [String: String])?[fieldID] == "CC-1", "\(path): \(shown)")
                let (_, _, before) = try await IdentityAPITests.send(client, .get, path, token: company.admin, body: "")
                let (refused, _, problem) = try await IdentityAPITests.send(
                    client, .patch, path, token: company.admin, body: #"{"name":"Renamed","customFields":{"\#(fieldID)":"CC-9"}}"#)
                #expect(refused == .unprocessableContent && (problem["errors"] as? [[String: String]])?.first?["field"] == "customFields.\(fieldID)")
                let (unknown, _, _) = try await IdentityAPITests.send(
                    client, .patch, path, token: company.admin, body: #"{"customFields":{"\#(UUID().uuidString.lowercased())":"x"}}"#)
                #expect(unknown == .unprocessableContent)
                let (_, _, after) = try await IdentityAPITests.send(client, .get, path, token: company.admin, body: "")
                #expect(after["version"] as? Int == before["version"] as? Int && after["name"] as? String == before["name"] as? String, "nothing changed")
                let (byManager, _, _) = try await IdentityAPITests.send(
                    client, .patch, path, token: company.managerA.token, body: #"{"customFields":{"\#(fieldID)":"CC-2"}}"#)
                #expect(byManager == .forbidden)
            }
            #expect(try await IdentityAPITests.lastEventData("group.updated", database)["customFields"] as? [String: String] == [fieldID: "CC-1"])

            let (cleared, _, withoutValue) = try await IdentityAPITests.send(
                client, .patch, group, token: company.admin, body: #"{"customFields":{"\#(fieldID)":null}}"#)
            #expect(cleared == .ok && (withoutValue["customFields"] as? [String: String])?.isEmpty == true)
            let (dropped, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/people-fields/\(fieldID)", token: company.admin, body: "")
            #expect(dropped == .noContent)
            let (_, _, left) = try await IdentityAPITests.send(client, .get, department, token: company.admin, body: "")
            #expect((left["customFields"] as? [String: String])?.isEmpty == true, "the field's values went with it")
        }
    }

    @Test("A new user, department or group starts with each people field's default value, unless given one; a field without a default adds nothing")
    func peopleFieldDefaults() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let brand = try #require(try await BrandRepository(database: database).find(hostname: "demo.localhost"))
            let (_, _, region) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/people-fields", token: admin,
                body: #"{"name":"Region","dataType":"dropdown","options":["EMEA","APAC"],"defaultValue":"EMEA"}"#)
            let regionID = try #require(region["id"] as? String)
            _ = try await IdentityAPITests.send(client, .post, "/api/v1/identity/people-fields", token: admin, body: #"{"name":"Notes","dataType":"text"}"#)

            let (_, _, department) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/departments", token: admin, body: #"{"brandID":"\#(brand.id.uuidString)","name":"Billing"}"#)
            #expect(department["customFields"] as? [String: String] == [regionID: "EMEA"])
            #expect(try await IdentityAPITests.lastEventData("department.created", database)["customFields"] as? [String: String] == [regionID: "EMEA"])
            let departmentID = try #require(department["id"] as? String)
            let frontLine = try #require(department["frontLineGroupID"] as? String)
            let (_, _, frontLineGroup) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/groups/\(frontLine)", token: admin, body: "")
            #expect(frontLineGroup["customFields"] as? [String: String] == [regionID: "EMEA"])
            let (_, _, group) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/departments/\(departmentID)/groups", token: admin, body: #"{"name":"Level 2"}"#)
            #expect(group["customFields"] as? [String: String] == [regionID: "EMEA"])
            #expect(try await IdentityAPITests.lastEventData("group.created", database)["customFields"] as? [String: String] == [regionID: "EMEA"])

            let (created, _, user) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/users", token: admin, body: #"{"email":"new.agent@demo.localhost","password":"first-password","roles":["Agent"]}"#)
            #expect(created == .created)
            let userID = try #require(user["id"] as? String)
            let (_, _, shown) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/users/\(userID)", token: admin, body: "")
            #expect(shown["customFields"] as? [String: String] == [regionID: "EMEA"])
            let (_, _, given) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/users/\(userID)", token: admin, body: #"{"customFields":{"\#(regionID)":"APAC"}}"#)
            #expect(given["customFields"] as? [String: String] == [regionID: "APAC"], "a value set replaces the default")
        }
    }

    @Test("A group moves to another department, announced for the services holding its work; not a front line group, not to a department that does not exist")
    func groupMovesDepartment() async throws {
        try await api.withIdentity { client, database in
            let company = try await StructureAPITests.company(client, database)
            let (_, _, level2) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/departments/\(company.departmentA)/groups", token: company.admin, body: #"{"name":"Level 2"}"#)
            let groupID = try #require(level2["id"] as? String)
            let outbox = try await IdentityAPITests.count("outbox", database)
            for (body, field) in [
                (#"{"departmentID":"\#(UUID().uuidString)"}"#, "departmentID"), (#"{"departmentID":"nope"}"#, "departmentID"),
            ] {
                let (refused, _, problem) = try await IdentityAPITests.send(client, .patch, "/api/v1/identity/groups/\(groupID)", token: company.admin, body: body)
                #expect(refused == .unprocessableContent && (problem["errors"] as? [[String: String]])?.first?["field"] == field, "\(body)")
            }
            let (frontLine, _, _) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/groups/\(company.groupA)", token: company.admin, body: #"{"departmentID":"\#(company.departmentB)"}"#)
            #expect(frontLine == .unprocessableContent, "a department keeps its front line group")
            let (byManager, _, _) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/groups/\(groupID)", token: company.managerA.token, body: #"{"departmentID":"\#(company.departmentB)"}"#)
            #expect(byManager == .forbidden)
            #expect(try await IdentityAPITests.count("outbox", database) == outbox, "nothing was written")

            let (moved, _, group) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/groups/\(groupID)", token: company.admin, body: #"{"departmentID":"\#(company.departmentB.uppercased())"}"#)
            #expect(moved == .ok && group["departmentID"] as? String == company.departmentB.lowercased())
            #expect(try await IdentityAPITests.lastEventData("group.updated", database)["departmentID"] as? String == company.departmentB.lowercased())
            let (_, _, listed) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/departments/\(company.departmentB)/groups", token: company.admin, body: "")
            #expect((listed["items"] as? [[String: Any]])?.contains { $0["id"] as? String == groupID } == true)

            _ = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/departments/\(company.departmentA)/groups", token: company.admin, body: #"{"name":"Level 3"}"#)
            let (_, _, level3) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/departments/\(company.departmentB)/groups", token: company.admin, body: #"{"name":"Level 3"}"#)
            let (clash, _, _) = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/groups/\(try #require(level3["id"] as? String))", token: company.admin,
                body: #"{"departmentID":"\#(company.departmentA)"}"#)
            #expect(clash == .conflict, "department A has a Level 3 already")
        }
    }

    @Test("Clone copies a department's settings with a front-line group of its own; delete asks what happens to the work")
    func cloneAndDelete() async throws {
        try await api.withIdentity { client, database in
            let company = try await StructureAPITests.company(client, database)
            _ = try await IdentityAPITests.send(
                client, .patch, "/api/v1/identity/departments/\(company.departmentA)", token: company.admin,
                body: #"{"language":"de","settings":{"liveChat":{"estimatedWaitSeconds":90}}}"#)
            let (cloned, _, copy) = try await IdentityAPITests.send(
                client, .post, "/api/v1/identity/departments/\(company.departmentA)/clone", token: company.admin, body: #"{"name":"Sales Copy"}"#)
            #expect(cloned == .created)
            let copyID = try #require(copy["id"] as? String)
            #expect(copy["language"] as? String == "de")
            #expect(((copy["settings"] as? [String: Any])?["liveChat"] as? [String: Any])?["estimatedWaitSeconds"] as? Int == 90)
            #expect(copy["frontLineGroupID"] as? String != company.groupA)
            let (_, _, copyGroups) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/departments/\(copyID)/groups", token: company.admin, body: "")
            #expect((copyGroups["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Sales Copy Front Line"])

            let (undecided, _, _) = try await IdentityAPITests.send(client, .delete, "/api/v1/identity/departments/\(copyID)", token: company.admin, body: "")
            #expect(undecided == .unprocessableContent)
            let (toItself, _, _) = try await IdentityAPITests.send(
                client, .delete, "/api/v1/identity/departments/\(copyID)?moveItemsTo=\(copyID)", token: company.admin, body: "")
            #expect(toItself == .unprocessableContent)
            let (deleted, _, _) = try await IdentityAPITests.send(
                client, .delete, "/api/v1/identity/departments/\(copyID)?moveItemsTo=\(company.departmentA)", token: company.admin, body: "")
            #expect(deleted == .noContent)
            let event = try await IdentityAPITests.lastEventData("department.deleted", database)
            #expect(event["moveItemsTo"] as? String == company.departmentA)
            #expect((event["groupIDs"] as? [String])?.count == 1)

            let (firstPage, _, page) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/departments?limit=1", token: company.admin, body: "")
            #expect(firstPage == .ok)
            #expect((page["items"] as? [[String: Any]])?.count == 1)
            let cursor = try #require(page["nextCursor"] as? String)
            let (_, _, second) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/departments?limit=1&cursor=\(cursor)", token: company.admin, body: "")
            #expect((second["items"] as? [[String: Any]])?.first?["id"] as? String != (page["items"] as? [[String: Any]])?.first?["id"] as? String)

            let brandShaped = Cursor(keys: [UUID().uuidString]).encoded
            let (refused, _, problem) = try await IdentityAPITests.send(
                client, .get, "/api/v1/identity/departments?limit=1&cursor=\(brandShaped)", token: company.admin, body: "")
            #expect(refused == .badRequest)
            #expect((problem["detail"] as? String)?.contains("cursor") == true)
        }
    }
}

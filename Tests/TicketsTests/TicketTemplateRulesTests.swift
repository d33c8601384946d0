import ServiceKit
import Testing
import TicketsApp

@Suite("Custom field template rules")
struct TicketTemplateRulesTests {
    typealias Field = TicketTemplate.Field

    @Test("A template's fields contradict each other when listed twice or required of someone who cannot see them")
    func contradictions() {
        let fine = TicketTemplate(id: "t", name: "Support", fields: [
            Field(fieldID: "a", visibility: .users, requiredByUsers: true),
            Field(fieldID: "b", visibility: .agents, requiredForSend: true, requiredForClose: true),
            Field(fieldID: "c", visibility: .both, requiredByUsers: true, requiredForClose: true),
        ])
        #expect(fine.contradictions.isEmpty)
        let wrong = TicketTemplate(id: "t", name: "Support", fields: [
            Field(fieldID: "a", visibility: .users, requiredForClose: true),
            Field(fieldID: "b", visibility: .agents, requiredByUsers: true),
            Field(fieldID: "a", visibility: .both),
        ])
        #expect(wrong.contradictions.map(\.field) == ["fields[0].visibility", "fields[1].visibility", "fields[2].fieldID"])
    }

    @Test("A requirement on a field its filler cannot see, from a template saved before such templates were refused, is not enforced")
    func unseenRequirementsAreNotEnforced() {
        let template = TicketTemplate(id: "t", name: "Old", fields: [
            Field(fieldID: "users-only", visibility: .users, requiredForSend: true, requiredForClose: true),
            Field(fieldID: "agents-only", visibility: .agents, requiredByUsers: true),
            Field(fieldID: "both", visibility: .both, requiredByUsers: true, requiredForSend: true, requiredForClose: true),
        ])
        for moment in [TicketTemplate.Moment.submit, .send, .close] {
            #expect(template.missing(at: moment, values: [:], definitions: [:]).map(\.field) == ["customFields.both"], "\(moment)")
        }
    }

    @Test("A required checkbox must be checked: unchecked is how a box nobody touched reads")
    func requiredCheckboxes() {
        let template = TicketTemplate(id: "t", name: "Consent", fields: [
            Field(fieldID: "consent", visibility: .both, requiredByUsers: true), Field(fieldID: "serial", visibility: .both, requiredByUsers: true),
        ])
        let definitions = [
            "consent": CustomFieldDefinition(id: "consent", name: "I agree", dataType: .checkbox, options: [], defaultValue: nil),
            "serial": CustomFieldDefinition(id: "serial", name: "Serial", dataType: .text, options: [], defaultValue: nil),
        ]
        #expect(template.missing(at: .submit, values: ["consent": "false", "serial": "false"], definitions: definitions).map(\.message) == ["I agree must be checked"])
        #expect(template.missing(at: .submit, values: ["consent": "true", "serial": "A1"], definitions: definitions).isEmpty)
        #expect(template.missing(at: .submit, values: [:], definitions: definitions).map(\.field) == ["customFields.consent", "customFields.serial"])
    }

    @Test("Customers fill the fields visible to users, agents those visible to agents, and both the fields visible to both")
    func whoFillsWhat() {
        let template = TicketTemplate(id: "t", name: "Support", fields: [
            Field(fieldID: "users-only", visibility: .users), Field(fieldID: "agents-only", visibility: .agents), Field(fieldID: "both", visibility: .both),
        ])
        let ids = ["users-only", "agents-only", "both", "elsewhere"]
        #expect(ids.filter(template.userEditable) == ["users-only", "both"])
        #expect(ids.filter(template.agentEditable) == ["agents-only", "both"])
    }
}

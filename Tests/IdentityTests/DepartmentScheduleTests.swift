import Contracts
import IdentityApp
import Testing

@Suite("A department's business hours and holidays")
struct DepartmentScheduleTests {
    static let brand = BusinessSchedule(
        timeZone: "Europe/Berlin", monday: .init(start: "09:00", end: "18:00"), tuesday: nil, wednesday: nil, thursday: nil, friday: nil,
        saturday: nil, sunday: nil, holidays: [.init(date: "2026-12-25", name: "Christmas")])

    @Test("By default a department keeps its brand's hours and holidays")
    func inheritsBoth() {
        #expect(DepartmentSettings().schedule(brand: Self.brand) == Self.brand)
    }

    @Test("Hours and holidays are inherited separately: own hours with the brand's holidays, or the brand's hours with its own holidays")
    func inheritsEachOnItsOwn() {
        var settings = DepartmentSettings()
        settings.businessHours.holidays = [.init(date: "2026-10-03", name: "Unity Day")]
        settings.inheritBusinessHoursFromBrand = false
        let ownHours = settings.schedule(brand: Self.brand)
        #expect(ownHours.timeZone == "UTC" && ownHours.monday == .init(start: "08:00", end: "17:00") && ownHours.friday != nil)
        #expect(ownHours.holidays == Self.brand.holidays)

        settings.inheritBusinessHoursFromBrand = true
        settings.inheritHolidaysFromBrand = false
        let ownHolidays = settings.schedule(brand: Self.brand)
        #expect(ownHolidays.timeZone == "Europe/Berlin" && ownHolidays.friday == nil)
        #expect(ownHolidays.holidays == [.init(date: "2026-10-03", name: "Unity Day")])
    }
}

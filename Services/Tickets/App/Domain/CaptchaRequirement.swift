import Auth
import Contracts

/// Who must pass the CAPTCHA to submit a ticket from the portal: while Options → Captcha is on, every submitter
/// who is not an employee and does not hold "Registered User with Verified Email" (anonymous visitors and users
/// who have not confirmed their address). Agents opening tickets, and tickets from email or chat, never do.
public enum CaptchaRequirement {
    public static func applies(mode: CaptchaMode, to caller: TicketCaller?) -> Bool {
        guard mode != .none else { return false }
        guard let caller else { return true }
        return !caller.isAgent && !caller.principal.roles.contains(PredefinedRoles.registeredUserWithVerifiedEmail)
    }
}

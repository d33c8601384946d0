import HTTPTypes
import Testing

@testable import ServiceKit

@Suite("Cache-Control on kept answers")
struct CacheControlDirectivesTests {
    @Test("no-cache or no-store, in any case and among other directives, asks for a fresh answer")
    func freshDirectivesAskForAFreshAnswer() {
        for value in ["no-cache", "No-Cache", "NO-STORE", " max-age=0, no-store ", "private,no-cache", "\tno-cache\t"] {
            #expect(CacheControlDirectives.namesFreshDirective(value), "\(value)")
        }
    }

    @Test("Other directives, look-alikes and an empty value keep the kept answer")
    func otherDirectivesKeepTheKeptAnswer() {
        for value in ["", ",", "max-age=0", "no-cache-please", "xno-cache", "no-cach", "no cache", "private, must-revalidate", "no-cachÉ", "no-cac\u{00C9}", "NO-CAC\u{00C9}"] {
            #expect(!CacheControlDirectives.namesFreshDirective(value), "\(value)")
        }
    }

    @Test("Any Cache-Control field of the request counts, other fields do not")
    func anyCacheControlFieldCounts() {
        var fields = HTTPFields()
        fields[.accept] = "no-cache"
        #expect(!CacheControlDirectives.asksFresh(fields))
        fields.append(HTTPField(name: .cacheControl, value: "max-age=60"))
        #expect(!CacheControlDirectives.asksFresh(fields))
        fields.append(HTTPField(name: .cacheControl, value: "no-store"))
        #expect(CacheControlDirectives.asksFresh(fields))
    }
}

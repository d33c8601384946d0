import Foundation
@testable import KnowledgeApp
import Search
import Testing

/// Ranking on a corpus of 2,400 articles in English and German: a fixed list of queries must put the expected
/// article in the top 3, with the index built exactly as the service builds it.
@Suite("Knowledge search quality")
struct SearchQualityTests {
    static let brand = "b0000000-0000-4000-8000-000000000001"
    static let reader = ArticleReader(brandID: brand, employee: false)

    /// The articles the queries look for.
    static let targets: [(key: String, language: String, title: String, summary: String, body: String)] = [
        ("reset", "en", "Reset your password", "Get a reset link by email when you forgot your password.",
         "Open the sign-in page, choose Forgot password and follow the link we email you. The link works for one hour."),
        ("windows-printer", "en", "Install the printer driver on Windows", "Driver setup for Windows 11.",
         "Download the driver package, run the installer and restart the print spooler."),
        ("mac-printer", "en", "Install the printer driver on a Mac", "Driver setup for macOS.",
         "Open System Settings, add the printer and pick the driver from the list. Mac users need macOS 13."),
        ("two-factor", "en", "Secure your account", "Turn on extra protection for signing in.",
         "We recommend two-factor authentication with an authenticator app for every administrator."),
        ("refund", "en", "Refunds for a wrong invoice", "How refunds are paid when an invoice was wrong.",
         "If an invoice shows the wrong amount we refund the difference within five days."),
        ("shipping", "en", "Shipping times", "When your parcel arrives.", "Parcels ship within two days and arrive after three to five days."),
        ("rechnung", "de", "Rechnung herunterladen", "So finden Sie Ihre Rechnung im Kundenkonto.",
         "Öffnen Sie das Kundenkonto, wählen Sie Bestellungen und laden Sie die Rechnung als PDF herunter."),
        ("passwort", "de", "Passwort zurücksetzen", "Ein neues Passwort per E-Mail anfordern.",
         "Wählen Sie Passwort vergessen und folgen Sie dem Link in der E-Mail."),
    ]

    static let english = """
        account order delivery payment card billing address profile settings email notification app mobile browser cache cookie \
        login session team member role permission report export import file upload download storage backup restore network router \
        wifi cable battery screen keyboard mouse camera audio video meeting calendar contact support ticket chat phone message \
        subscription plan upgrade downgrade discount coupon gift warranty repair replacement return exchange tracking carrier \
        customs tax receipt statement balance credit debit bank transfer currency language region timezone privacy security
        """.split(separator: " ").map(String.init)
    static let german = """
        Konto Bestellung Lieferung Zahlung Karte Adresse Profil Einstellungen Benachrichtigung Anwendung Browser Anmeldung Sitzung \
        Mitglied Rolle Berechtigung Bericht Datei Speicher Sicherung Netzwerk Kabel Bildschirm Tastatur Kamera Besprechung Kalender \
        Kontakt Anfrage Nachricht Abonnement Tarif Gutschein Garantie Reparatur Ersatz Rückgabe Umtausch Sendung Versand Zoll Steuer \
        Quittung Guthaben Überweisung Währung Sprache Region Datenschutz Sicherheit Drucker Treiber
        """.split(separator: " ").map(String.init)

    /// A deterministic corpus: the targets and 2,400 fillers that share words with them (printers, passwords,
    /// invoices, factors…) so ranking has to work.
    static func buildIndex() async throws -> (SearchIndex, [String: String]) {
        let index = try SearchIndex(path: FileManager.default.temporaryDirectory.appendingPathComponent("quality-\(UUID().uuidString)").path, schemaVersion: 1)
        var ids: [String: String] = [:]
        let now = Date()
        for target in targets {
            let id = UUID().uuidString.lowercased()
            ids[target.key] = id
            try await index.replace(ArticleSearchTerms.document(article(id, target.language, target.title, target.summary, target.body, now)))
        }
        var seed: UInt64 = 42
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        let englishNoise = ["printer", "password", "invoice", "factor", "two", "authentication", "driver", "mac", "windows", "refund", "shipping"]
        for number in 0..<2_400 {
            let german = number % 3 == 0
            let words = german ? Self.german : english
            var body = (0..<40).map { _ in words[next(words.count)] }
            if !german && number % 4 == 1 { body.insert(englishNoise[next(englishNoise.count)], at: next(body.count)) }
            if german && number % 5 == 1 { body.insert(["Rechnungsadresse", "Passwortregeln", "Drucker"][next(3)], at: next(body.count)) }
            let title = (0..<4).map { _ in words[next(words.count)] }.joined(separator: " ").capitalized
            try await index.replace(ArticleSearchTerms.document(
                article(UUID().uuidString.lowercased(), german ? "de" : "en", title, "", body.joined(separator: " "), now)))
        }
        try await index.commit()
        return (index, ids)
    }

    static func article(_ id: String, _ language: String, _ title: String, _ summary: String, _ body: String, _ now: Date) -> Article {
        Article(
            id: id, kind: .article, brandID: brand, folderID: nil, language: language, translationOf: nil, title: title, slug: ArticleRules.slug(title), summary: summary,
            bodyHTML: "<p>\(body)</p>", bodyText: body, assignedAgentID: nil, isPrivate: false, isDraft: false, review: .none, featured: false,
            staleAt: nil, reviewedAt: nil, publishedAt: now, createdAt: now, updatedAt: now, deletedAt: nil, version: 1)
    }

    @Test("The fixed queries find their article in the top 3: misspelt words, +/- terms, phrases and stemming in both languages")
    func fixedQueries() async throws {
        let (index, ids) = try await Self.buildIndex()
        defer { Task { try? await index.destroy() } }
        let search = ArticleSearch(index: index)
        let queries: [(query: String, language: String, expected: String)] = [
            ("reset password", "en", "reset"),
            ("pasword reset", "en", "reset"),
            ("printer driver windows", "en", "windows-printer"),
            ("printer driver -mac", "en", "windows-printer"),
            ("\"two-factor authentication\"", "en", "two-factor"),
            ("+invoice refunded", "en", "refund"),
            ("printing drivers", "en", "windows-printer"),
            ("shiping", "en", "shipping"),
            ("Rechnungen herunterladen", "de", "rechnung"),
            ("passwort vergessen", "de", "passwort"),
        ]
        for (query, language, expected) in queries {
            let results = try await search.search(ArticleSearch.query(query, reader: Self.reader, language: language, limit: 3))
            let top = results.items.map(\.id)
            #expect(top.contains(try #require(ids[expected])), "\(query) [\(language)] → \(results.items.map(\.title)), suggestion \(results.suggestion ?? "-")")
        }
        let excluded = try await search.search(ArticleSearch.query("printer driver -mac", reader: Self.reader, language: "en", limit: 50))
        #expect(!excluded.items.map(\.id).contains(try #require(ids["mac-printer"])), "-mac leaves the Mac article out")
        let german = try await search.search(ArticleSearch.query("rechnung", reader: Self.reader, language: "de", limit: 50))
        #expect(!german.items.isEmpty && german.items.allSatisfy { !ids.filter { $0.key != "rechnung" && $0.key != "passwort" }.values.contains($0.id) },
            "a German search finds German articles only")
    }
}

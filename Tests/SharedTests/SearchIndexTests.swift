import Foundation
import Search
import Testing

@Suite("Xapian search index")
struct SearchIndexTests {
    /// A fresh directory per test, so tests can run in parallel without sharing a lock.
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("search-index-\(UUID().uuidString)").path
    }

    static func ticket(
        _ id: String, subject: String, body: String, filters: [String] = [], language: String? = "en"
    ) -> SearchDocument {
        SearchDocument(
            id: id,
            fields: [SearchField(prefix: "S", text: subject, weight: 3), SearchField(prefix: "", text: body, weight: 1)],
            filters: filters, data: #"{"id":"\#(id)"}"#, language: language)
    }

    /// Runs body against a new index and always removes its directory.
    static func withIndex(at path: String = temporaryPath(), _ body: (SearchIndex) async throws -> Void) async throws {
        let index = try SearchIndex(path: path, schemaVersion: 1)
        do {
            try await body(index)
        } catch {
            try? await index.destroy()
            throw error
        }
        try await index.destroy()
    }

    @Test("Warming an index reads every file of its directory, nothing of a missing one, and skips what would not fit")
    func prefetch() async throws {
        try await Self.withIndex { index in
            try await index.replace(Self.ticket("1", subject: "Printer on fire", body: "It smokes."))
            try await index.commit()
            let files = try FileManager.default.contentsOfDirectory(atPath: index.path)
            let total = try files.reduce(0) { sum, name in
                sum + ((try FileManager.default.attributesOfItem(atPath: index.path + "/" + name)[.size] as? Int) ?? 0)
            }
            #expect(total > 0)
            #expect(IndexPrefetch.warm(directory: index.path) == total)
            #expect(IndexPrefetch.warm(directory: index.path, share: 0) == 0, "an index larger than its share of free memory is left alone")
        }
        #expect(IndexPrefetch.warm(directory: Self.temporaryPath()) == 0)
    }

    /// Runs a blocking call on a thread of its own, so its waits hold no thread of the test run's shared pool.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    @Test("Opening waits for a write lock released within its wait (a forked child's copy) and reports one held longer")
    func briefLocks() async throws {
        let path = Self.temporaryPath()
        let first = try SearchIndex(path: path, schemaVersion: 1)
        let start = ContinuousClock.now
        await #expect(throws: SearchError.self) {
            try await Self.onOwnThread { try SearchIndex(path: path, schemaVersion: 1, lockWait: .milliseconds(300)) }
        }
        #expect(ContinuousClock.now - start >= .milliseconds(300), "a held lock is retried for the whole wait")
        // The wait is generous here: closing hops to the writers' thread, which other suites keep busy.
        async let second = Self.onOwnThread { try SearchIndex(path: path, schemaVersion: 1, lockWait: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(20))
        await first.close()
        try await second.destroy()
    }

    @Test("A subject match ranks above a body-only match")
    func subjectOutranksBody() async throws {
        try await Self.withIndex { index in
            try await index.replace(Self.ticket("body", subject: "Office move", body: "Please also move the printer to the new room next week."))
            try await index.replace(Self.ticket("subject", subject: "Printer offline", body: "The device in room 4 stopped responding this morning."))
            try await index.commit()

            let results = try await index.search(SearchQuery(text: "printer", language: "en"))
            #expect(results.hits.map(\.id) == ["subject", "body"])
            #expect(results.hits[0].weight > results.hits[1].weight)
            #expect(results.hits[0].data == #"{"id":"subject"}"#)
            #expect(results.estimatedTotal == 2)
        }
    }

    @Test("Filter groups restrict results to what the reader may see and excluded terms drop documents")
    func filtersAndExclusions() async throws {
        try await Self.withIndex { index in
            try await index.replace(Self.ticket("a-active", subject: "Invoice", body: "invoice question", filters: ["XGa", "XSactive"]))
            try await index.replace(Self.ticket("b-active", subject: "Invoice", body: "invoice question", filters: ["XGb", "XSactive"]))
            try await index.replace(Self.ticket("b-closed", subject: "Invoice", body: "invoice question", filters: ["XGb", "XSclosed"]))
            try await index.replace(Self.ticket("c-active", subject: "Invoice", body: "invoice question", filters: ["XGc", "XSactive"]))
            try await index.replace(Self.ticket("a-deleted", subject: "Invoice", body: "invoice question", filters: ["XGa", "XSactive", "XDEL"]))
            try await index.commit()

            let visible = try await index.search(SearchQuery(text: "invoice", filterGroups: [["XGa", "XGb"], ["XSactive"]], excluded: ["XDEL"]))
            #expect(Set(visible.hits.map(\.id)) == ["a-active", "b-active"])

            let allText = try await index.search(SearchQuery(text: "", filterGroups: [["XGb"]]))
            #expect(Set(allText.hits.map(\.id)) == ["b-active", "b-closed"])

            let noGroupsGranted = try await index.search(SearchQuery(text: "invoice", filterGroups: [[], ["XSactive"]]))
            #expect(noGroupsGranted.hits.isEmpty)

            let everything = try await index.search(SearchQuery(text: ""))
            #expect(everything.hits.count == 5)
        }
    }

    @Test("Value ranges keep only documents whose value lies between the bounds, either end open")
    func valueRanges() async throws {
        try await Self.withIndex { index in
            for (id, day) in [("jan", "20260115"), ("feb", "20260210"), ("mar", "20260305")] {
                var document = Self.ticket(id, subject: "Release notes", body: "what changed")
                document.values = [3: day]
                try await index.replace(document)
            }
            try await index.commit()

            func ids(_ ranges: [SearchValueRange]) async throws -> Set<String> {
                Set(try await index.search(SearchQuery(text: "release", valueRanges: ranges)).hits.map(\.id))
            }
            #expect(try await ids([SearchValueRange(slot: 3, lower: "20260201", upper: "20260228")]) == ["feb"])
            #expect(try await ids([SearchValueRange(slot: 3, lower: "20260201")]) == ["feb", "mar"])
            #expect(try await ids([SearchValueRange(slot: 3, upper: "20260210")]) == ["jan", "feb"])
            #expect(try await ids([SearchValueRange(slot: 3, upper: "20260210"), SearchValueRange(slot: 3, lower: "20260210")]) == ["feb"])
            #expect(try await ids([SearchValueRange(slot: 4, lower: "2")]).isEmpty, "a document without the value is outside every range")
        }
    }

    @Test("Equal weights are ordered by document id, whatever order the documents were added in")
    func tiesByID() async throws {
        var orders: [[String]] = []
        for ids in [["b", "a", "c"], ["c", "a", "b"]] {
            try await Self.withIndex { index in
                for id in ids { try await index.replace(Self.ticket(id, subject: "Same subject", body: "same body")) }
                try await index.commit()
                orders.append(try await index.search(SearchQuery(text: "subject")).hits.map(\.id))
            }
        }
        #expect(orders == [["a", "b", "c"], ["a", "b", "c"]])
    }

    @Test("Replace updates a document in place and delete removes it")
    func replaceAndDelete() async throws {
        try await Self.withIndex { index in
            try await index.replace(Self.ticket("1", subject: "Alpha", body: "first version"))
            try await index.commit()
            #expect(try await index.search(SearchQuery(text: "alpha")).hits.map(\.id) == ["1"])

            try await index.replace(Self.ticket("1", subject: "Beta", body: "second version"))
            try await index.commit()
            #expect(await index.documentCount() == 1)
            #expect(try await index.search(SearchQuery(text: "alpha")).hits.isEmpty)
            #expect(try await index.search(SearchQuery(text: "beta")).hits.map(\.id) == ["1"])

            try await index.delete(id: "1")
            try await index.delete(id: "never-indexed")
            try await index.commit()
            #expect(await index.documentCount() == 0)
            #expect(try await index.search(SearchQuery(text: "beta")).hits.isEmpty)
        }
    }

    @Test("Phrases match words in order, -word excludes documents containing it, word* matches prefixes")
    func phraseAndNot() async throws {
        try await Self.withIndex { index in
            try await index.replace(Self.ticket("1", subject: "Tray", body: "The printer is out of paper again."))
            try await index.replace(Self.ticket("2", subject: "Order", body: "Please order paper for the printer, we are out."))
            try await index.commit()

            let phrase = try await index.search(SearchQuery(text: #""out of paper""#))
            #expect(phrase.hits.map(\.id) == ["1"])

            let not = try await index.search(SearchQuery(text: "printer -order"))
            #expect(not.hits.map(\.id) == ["1"])

            let both = try await index.search(SearchQuery(text: "printer paper"))
            #expect(Set(both.hits.map(\.id)) == ["1", "2"])

            let wildcard = try await index.search(SearchQuery(text: "ord*"))
            #expect(wildcard.hits.map(\.id) == ["2"])
        }
    }

    @Test("Syntax the parser refuses is searched as plain words; plain-words text has no operators, phrases or signs")
    func plainWords() async throws {
        try await Self.withIndex { index in
            try await index.replace(Self.ticket("1", subject: "Printer not printing", body: "Nothing comes out."))
            try await index.replace(Self.ticket("2", subject: "Printer", body: "The printer is out of paper."))
            try await index.commit()
            for broken in ["printer AND", "OR printer", "printer NOT", "printer NEAR"] {
                let found = try await index.search(SearchQuery(text: broken))
                #expect(found.hits.map(\.id).contains("2"), "\(broken)")
            }
            let operators = try await index.search(SearchQuery(text: "PRINTER NOT PRINTING"))
            #expect(operators.hits.map(\.id) == ["2"], "typed into a search box, NOT is an operator")
            var subject = SearchQuery(text: "PRINTER NOT PRINTING")
            subject.plainWords = true
            subject.matchesEveryWord = false
            let words = try await index.search(subject)
            #expect(words.hits.first?.id == "1", "as a subject, every word counts and the one with all of them ranks first")
            var signed = SearchQuery(text: "-printer")
            signed.plainWords = true
            #expect(try await index.search(signed).hits.count == 2, "a leading minus is no exclusion in plain words")
        }
    }

    @Test("A misspelled word gets a spelling suggestion")
    func spellingSuggestion() async throws {
        try await Self.withIndex { index in
            try await index.replace(Self.ticket("1", subject: "Printer jam", body: "The printer jams on every page."))
            try await index.replace(Self.ticket("2", subject: "New printer", body: "We need a colour printer."))
            try await index.replace(Self.ticket("3", subject: "Toner", body: "Printer toner is empty."))
            try await index.commit()

            let results = try await index.search(SearchQuery(text: "priner"))
            #expect(results.hits.isEmpty)
            #expect(results.suggestion == "printer")

            let correct = try await index.search(SearchQuery(text: "printer"))
            #expect(correct.suggestion == nil)
        }
    }

    @Test("A spelling suggestion is offered only when it finds something inside the query's filters")
    func suggestionInsideFilters() async throws {
        try await Self.withIndex { index in
            try await index.replace(Self.ticket("1", subject: "Printer jam", body: "Paper stuck.", filters: ["XGsecret"]))
            try await index.replace(Self.ticket("2", subject: "Login fails", body: "Password refused.", filters: ["XGmine"]))
            try await index.commit()
            #expect(try await index.search(SearchQuery(text: "priner", filterGroups: [["XGmine"]])).suggestion == nil)
            #expect(try await index.search(SearchQuery(text: "priner", filterGroups: [["XGsecret"]])).suggestion == "printer")
            #expect(try await index.search(SearchQuery(text: "login priner", filterGroups: [["XGmine"]])).suggestion == nil,
                    "any word: a visible one beside it must not carry the hidden one")
            #expect(try await index.search(SearchQuery(text: "-priner", filterGroups: [["XGmine"]])).suggestion == nil)
        }
    }

    @Test("A boolean term longer than Xapian's 245 bytes is indexed and filters exactly, documents and queries alike")
    func longBooleanTerms() async throws {
        let long = "XFfield:" + String(repeating: "я", count: 200)
        try await Self.withIndex { index in
            try await index.replace(Self.ticket("1", subject: "Printer jam", body: "Paper stuck.", filters: [long + "a"]))
            try await index.replace(Self.ticket("2", subject: "Printer toner", body: "Empty.", filters: [long + "b"]))
            try await index.commit()
            let found = try await index.search(SearchQuery(text: "printer", filterGroups: [[long + "a"]]))
            #expect(found.hits.map(\.id) == ["1"], "the terms differ only after the cut: the hash tells them apart")
        }
    }

    @Test("Snippets highlight the matched words")
    func snippets() async throws {
        try await Self.withIndex { index in
            let body = String(repeating: "Some unrelated filler text about the weather. ", count: 20)
                + "Then the printer on floor three caught fire. "
                + String(repeating: "More unrelated filler text about lunch. ", count: 20)
            try await index.replace(Self.ticket("1", subject: "Incident <urgent>", body: body))
            try await index.commit()

            let hit = try #require(try await index.search(SearchQuery(text: "printer")).hits.first)
            #expect(hit.snippet.contains("<b>printer</b>"))
            #expect(hit.snippet.utf8.count < 400)

            var subjectOnly = SearchQuery(text: "incident")
            subjectOnly.snippetField = "S"
            let subjectHit = try #require(try await index.search(subjectOnly).hits.first)
            #expect(subjectHit.snippet == "<b>Incident</b> &lt;urgent&gt;")
        }
    }

    @Test("English stemming matches other forms of a word; no language means exact words")
    func stemming() async throws {
        try await Self.withIndex { index in
            try await index.replace(Self.ticket("en", subject: "Connection problems", body: "It keeps disconnecting."))
            try await index.replace(Self.ticket("plain", subject: "Connections", body: "", language: nil))
            try await index.commit()

            let stemmed = try await index.search(SearchQuery(text: "connect", language: "en"))
            #expect(stemmed.hits.map(\.id) == ["en"])

            let exact = try await index.search(SearchQuery(text: "connect"))
            #expect(exact.hits.isEmpty)

            let unknownLanguage = try await index.search(SearchQuery(text: "connections", language: "xx"))
            #expect(unknownLanguage.hits.map(\.id) == ["plain"])
        }
    }

    @Test("Documents are stemmed in their own language; a query matches them as stemmed in each language it names, or every language of the index; a query does not depend on case")
    func stemmingInSeveralLanguages() async throws {
        try await Self.withIndex { index in
            try await index.replace(Self.ticket("de", subject: "Die Drucker brennen", body: "", language: "de"))
            try await index.replace(Self.ticket("en", subject: "The printers are on fire", body: "", language: "en-GB"))
            try await index.replace(Self.ticket("plain", subject: "Imprimante en feu", body: "", language: "xx"))
            try await index.commit()
            func found(_ text: String, _ language: String?) async throws -> Set<String> {
                Set(try await index.search(SearchQuery(text: text, language: language)).hits.map(\.id))
            }
            #expect(try await found("druckern", "en").isEmpty, "English stems do not reach German forms")
            #expect(try await found("druckern", "de") == ["de"])
            #expect(try await found("Druckern", "de") == ["de"], "a German noun is stemmed though it is capitalised")
            #expect(try await found("Druckern AND brennen", "de") == ["de"], "operators keep their capitals")
            #expect(try await found("Printer", "en") == ["en"], "case does not matter: Printer finds printers as printer does")
            #expect(try await found("PRINTERS", "en") == ["en"], "nor in capitals")
            #expect(try await found("printer NOT fire", "en").isEmpty, "operators keep their meaning")
            #expect(try await found("Print*", "en") == ["en"], "a wildcard keeps its star")
            #expect(try await found("druckern printer", "en,de") == ["de", "en"])
            #expect(try await found("druckern printer", SearchQuery.everyIndexedLanguage) == ["de", "en"], "the index holds German and English")
            #expect(try await found("imprimante", SearchQuery.everyIndexedLanguage) == ["plain"], "and text of a language without a stemmer, as it is")
            let snippet = try await index.search(SearchQuery(text: "druckern", language: SearchQuery.everyIndexedLanguage)).hits.first?.snippet
            #expect(snippet?.contains("<b>Drucker</b>") == true, "the snippet marks the word in the document's own language")
        }
    }

    @Test("An index keeps the list of its documents' languages: reopened, it still searches in each, and a new language joins them")
    func languagesSurviveReopening() async throws {
        let path = Self.temporaryPath()
        do {
            let index = try SearchIndex(path: path, schemaVersion: 1)
            try await index.replace(Self.ticket("de", subject: "Die Drucker brennen", body: "", language: "de"))
            try await index.markBuilt()
            try await index.flush()
            await index.close()
        }
        let reopened = try SearchIndex(path: path, schemaVersion: 1)
        #expect(await reopened.needsRebuild == false)
        try await reopened.replace(Self.ticket("fr", subject: "Les imprimantes brûlent", body: "", language: "fr"))
        try await reopened.commit()
        let query = { (text: String) in SearchQuery(text: text, language: SearchQuery.everyIndexedLanguage) }
        #expect(try await reopened.search(query("druckern")).hits.map(\.id) == ["de"], "German, from before the reopening")
        #expect(try await reopened.search(query("imprimante")).hits.map(\.id) == ["fr"], "French, added after it")
        try await reopened.destroy()
    }

    @Test("Reopening with another schema version reports a rebuild and starts empty; the same version keeps the data")
    func schemaVersion() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let fresh = try SearchIndex(path: path, schemaVersion: 1)
            #expect(await fresh.needsRebuild)
            try await fresh.replace(Self.ticket("1", subject: "Kept", body: "kept"))
            try await fresh.markBuilt()
            #expect(await fresh.needsRebuild == false)
        }
        do {
            let same = try SearchIndex(path: path, schemaVersion: 1)
            #expect(await same.needsRebuild == false)
            #expect(await same.documentCount() == 1)
        }
        do {
            let newer = try SearchIndex(path: path, schemaVersion: 2)
            #expect(await newer.needsRebuild)
            #expect(await newer.documentCount() == 0)
            try await newer.destroy()
        }
        #expect(FileManager.default.fileExists(atPath: path) == false)
    }

    @Test("Xapian errors arrive as SearchError: a second writer on the same directory, a reserved value slot")
    func errorsAreReturned() async throws {
        try await Self.withIndex { index in
            var reserved = Self.ticket("1", subject: "x", body: "y")
            reserved.values = [SearchIndex.reservedValueSlots: "nope"]
            await #expect(throws: SearchError.self) { try await index.replace(reserved) }

            var allowed = Self.ticket("2", subject: "x", body: "y")
            allowed.values = [0: "20261123"]
            try await index.replace(allowed)
            #expect(await index.documentCount() == 1)
        }

        let path = Self.temporaryPath()
        let first = try SearchIndex(path: path, schemaVersion: 1)
        #expect(throws: SearchError.self) { _ = try SearchIndex(path: path, schemaVersion: 1) }
        try await first.destroy()
    }

    @Test("An index changed after its last clean point asks for a rebuild when reopened; a flushed one does not")
    func dirtyIndexIsRebuilt() async throws {
        let path = Self.temporaryPath()
        do {
            let index = try SearchIndex(path: path, schemaVersion: 1)
            try await index.markBuilt()
            try await index.replace(Self.ticket("a", subject: "Printer", body: "jams"))
            try await index.commit()
        }
        let afterCrash = try SearchIndex(path: path, schemaVersion: 1)
        #expect(await afterCrash.needsRebuild, "changes after the clean point may be incomplete")
        try await afterCrash.replace(Self.ticket("a", subject: "Printer", body: "jams"))
        try await afterCrash.markBuilt()
        try await afterCrash.replace(Self.ticket("b", subject: "Scanner", body: "offline"))
        try await afterCrash.flush()
        await afterCrash.close()
        let reopened = try SearchIndex(path: path, schemaVersion: 1)
        #expect(await reopened.needsRebuild == false)
        #expect(await reopened.documentCount() == 2)
        try await reopened.destroy()
    }
}

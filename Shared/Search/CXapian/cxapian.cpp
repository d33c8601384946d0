// The only place that touches Xapian's C++ API. Every entry point catches everything: a C++
// exception unwinding into Swift frames is undefined behaviour. Xapian's reference counts are not atomic: no
// Xapian object (not even a static one such as Query::MatchAll) may be reachable from two threads at once.

#include "cxapian.h"

#include <xapian.h>
#include <algorithm>
#include <chrono>
#include <thread>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <functional>
#include <string>
#include <utility>
#include <vector>

struct cx_database {
    Xapian::WritableDatabase db;
    // The languages its documents were stemmed in, as its metadata keeps them (``record_language``); read once.
    std::vector<std::string> languages;
    bool languages_read = false;
};

// A read-only handle: many may be open on a directory beside its one writer, each used by one thread at a time.
struct cx_reader {
    Xapian::Database db;
};

struct cx_document {
    Xapian::WritableDatabase db;  // a reference-counted handle onto the same database
    Xapian::Document doc;
    Xapian::TermGenerator generator;
    std::string snippet_text;  // encoded (prefix, text) pairs, see append_snippet_field
    std::string language;      // the stemmer's name, "" for none
};

struct cx_stored_hit {
    std::string id;
    std::string data;
    std::string snippet;
    int32_t percent;
    double weight;
};

struct cx_results {
    std::vector<cx_stored_hit> hits;
    uint32_t estimated_total = 0;
    std::string suggestion;
    std::string version;  // of the database searched, see database_version
};

namespace {

char *copy_string(const std::string &value) {
    char *copy = static_cast<char *>(std::malloc(value.size() + 1));
    if (copy == nullptr) return nullptr;
    std::memcpy(copy, value.data(), value.size());
    copy[value.size()] = '\0';
    return copy;
}

// Swift may hand over a null pointer for an empty buffer.
std::string bytes(const char *pointer, size_t length) {
    return pointer != nullptr ? std::string(pointer, length) : std::string();
}

void set_error(char **error, const std::string &message) {
    if (error != nullptr) *error = copy_string(message);
}

// Runs body, turning any exception into -1 plus a message.
template <typename Body>
int guarded(char **error, Body &&body) {
    try {
        body();
        return 0;
    } catch (const Xapian::Error &e) {
        set_error(error, e.get_description());
    } catch (const std::exception &e) {
        set_error(error, std::string("std::exception: ") + e.what());
    } catch (...) {
        set_error(error, "unknown C++ exception");
    }
    return -1;
}

const std::string id_prefix = "Q";

// The boolean term a document carries for the language its text was stemmed in ("XZLde"; "XZL" alone for text not
// stemmed), from which its snippets take their stemmer (``document_stemmer``).
const std::string language_prefix = "XZL";

// The metadata that lists every language the index's documents were stemmed in ("de,en"; "none" for text not
// stemmed), for a query in every language (``query_languages``). Listing the language terms instead would walk each
// term's whole posting list: 1.4 ms a query over two million tickets, ten times a rare word's search.
const std::string languages_key = "cx.languages";
const std::string unstemmed = "none";

std::vector<std::string> split_list(const std::string &list) {
    std::vector<std::string> items;
    std::string::size_type start = 0;
    while (start < list.size()) {
        std::string::size_type comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        items.push_back(list.substr(start, comma - start));
        start = comma + 1;
    }
    return items;
}

// "en", "en-US", "de_CH", "english" → the name Xapian knows their stemmer by ("en", "de", "english"); anything
// Xapian does not know, or no language, → "" (no stemming).
std::string stemmer_name(const std::string &language) {
    std::string name(language);
    std::string::size_type cut = name.find_first_of("-_");
    if (cut != std::string::npos) name.resize(cut);
    for (char &c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (name.empty() || name == "none") return std::string();
    try {
        Xapian::Stem probe(name);
        return name;
    } catch (const Xapian::InvalidArgumentError &) {
        return std::string();
    }
}

Xapian::Stem stemmer_named(const std::string &name) { return name.empty() ? Xapian::Stem() : Xapian::Stem(name); }

// The stemmers a query's text is parsed with, in order ("" for none): `language` is one language or a
// comma-separated list, where "*" stands for every language the index's documents were stemmed in, and for none when
// some were not stemmed (their words match only as they are). Nothing named → [""].
std::vector<std::string> query_languages(Xapian::Database &db, const char *language) {
    std::vector<std::string> names;
    auto add = [&](const std::string &name) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    };
    for (const std::string &item : split_list(language != nullptr ? language : "")) {
        if (item == "*") {
            for (const std::string &stored : split_list(db.get_metadata(languages_key))) add(stemmer_name(stored));
        } else {
            add(stemmer_name(item));
        }
    }
    if (names.empty()) names.emplace_back();
    return names;
}

// Adds a document's language to the index's list (``languages_key``) the first time one of its documents has it;
// the list is committed with the document.
void record_language(cx_database &database, const std::string &name) {
    if (!database.languages_read) {
        database.languages = split_list(database.db.get_metadata(languages_key));
        database.languages_read = true;
    }
    const std::string stored = name.empty() ? unstemmed : name;
    if (std::find(database.languages.begin(), database.languages.end(), stored) != database.languages.end()) return;
    database.languages.push_back(stored);
    std::string list;
    for (const std::string &item : database.languages) list += (list.empty() ? "" : ",") + item;
    database.db.set_metadata(languages_key, list);
}

// The parser's STEM_SOME takes a capitalised word for a name and leaves it unstemmed, so "Printer" would not find
// "printers", nor German "Druckern" (every German noun has a capital) "Drucker". A search should not depend on case:
// the text is parsed written small, and stemmed as the indexed text was (the index's terms are small). The boolean
// operators keep their capitals, which is how the parser tells them from the words "and", "or", "not".
bool is_operator(const std::string &word) {
    static const std::vector<std::string> operators = {"AND", "OR", "NOT", "XOR", "NEAR", "ADJ"};
    return std::find(operators.begin(), operators.end(), word) != operators.end();
}

// What becomes of the operators' capitals: kept (query syntax), written small as words (a subject), or dropped (a
// query whose syntax did not parse: "printer AND" searches for "printer").
enum class Operators { keep, words, drop };

std::string written_small(const std::string &text, Operators operators) {
    std::string out;
    out.reserve(text.size());
    std::string word;
    auto end_word = [&] {
        if (operators != Operators::words && is_operator(word)) {
            if (operators == Operators::keep) out += word;
        } else {
            for (Xapian::Utf8Iterator it(word); it != Xapian::Utf8Iterator(); ++it) Xapian::Unicode::append_utf8(out, Xapian::Unicode::tolower(*it));
        }
        word.clear();
    };
    for (Xapian::Utf8Iterator it(text); it != Xapian::Utf8Iterator(); ++it) {
        if (Xapian::Unicode::is_wordchar(*it)) {
            Xapian::Unicode::append_utf8(word, *it);
        } else {
            end_word();
            Xapian::Unicode::append_utf8(out, *it);
        }
    }
    end_word();
    return out;
}

// The stemmer a document's text was stemmed in (its language term), else `fallback`.
Xapian::Stem document_stemmer(const Xapian::Document &doc, const Xapian::Stem &fallback) {
    Xapian::TermIterator term = doc.termlist_begin();
    term.skip_to(language_prefix);
    if (term == doc.termlist_end()) return fallback;
    const std::string found = *term;
    if (found.compare(0, language_prefix.size(), language_prefix) != 0) return fallback;
    return stemmer_named(found.substr(language_prefix.size()));
}

// Snippet text encoding, stored in CX_SLOT_SNIPPET_TEXT: for each field in order,
// "<prefix length>:<prefix><text length>:<text>" (decimal byte lengths). Lengths instead of
// separators because user text may contain any byte.
void append_snippet_field(std::string &out, const std::string &prefix, const std::string &text) {
    out += std::to_string(prefix.size());
    out += ':';
    out += prefix;
    out += std::to_string(text.size());
    out += ':';
    out += text;
}

bool read_length(const std::string &encoded, size_t &position, size_t &length) {
    size_t colon = encoded.find(':', position);
    if (colon == std::string::npos || colon == position) return false;
    length = 0;
    for (size_t i = position; i < colon; ++i) {
        char c = encoded[i];
        if (c < '0' || c > '9') return false;
        length = length * 10 + static_cast<size_t>(c - '0');
    }
    position = colon + 1;
    return length <= encoded.size() - position;
}

// The texts of the fields with `prefix` (all fields when prefix is NULL), joined by newlines.
std::string snippet_source(const std::string &encoded, const char *prefix) {
    std::string joined;
    size_t position = 0;
    while (position < encoded.size()) {
        size_t prefix_length = 0, text_length = 0;
        if (!read_length(encoded, position, prefix_length)) break;
        std::string field_prefix = encoded.substr(position, prefix_length);
        position += prefix_length;
        if (!read_length(encoded, position, text_length)) break;
        if (prefix == nullptr || field_prefix == prefix) {
            if (!joined.empty()) joined += '\n';
            joined.append(encoded, position, text_length);
        }
        position += text_length;
    }
    return joined;
}

// The spelling suggestion for a query: each word the index does not hold is replaced by the
// database's suggestion when there is one that `visible` accepts; "" when nothing changed.
std::string word_by_word_suggestion(const Xapian::Database &db, const std::string &text,
                                    const std::function<bool(const std::string &)> &visible) {
    std::string corrected;
    bool changed = false;
    Xapian::Utf8Iterator it(text), end;
    while (it != end) {
        if (!Xapian::Unicode::is_wordchar(*it)) {
            Xapian::Unicode::append_utf8(corrected, *it);
            ++it;
            continue;
        }
        std::string word;
        while (it != end && Xapian::Unicode::is_wordchar(*it)) {
            Xapian::Unicode::append_utf8(word, Xapian::Unicode::tolower(*it));
            ++it;
        }
        // A word the index holds is not misspelled, even if the filters left no match for it; looking up
        // suggestions for it would only cost time (it is the slow part of a search that finds nothing).
        std::string suggestion = db.term_exists(word) ? std::string() : db.get_spelling_suggestion(word);
        if (!suggestion.empty() && suggestion != word && visible(suggestion)) {
            corrected += suggestion;
            changed = true;
        } else {
            corrected += word;
        }
    }
    return changed ? corrected : std::string();
}

Xapian::Query filter_query(const cx_query &query) {
    std::vector<Xapian::Query> groups;
    size_t next = 0;
    for (size_t g = 0; g < query.filter_group_count; ++g) {
        std::vector<Xapian::Query> terms;
        for (size_t t = 0; t < query.filter_group_sizes[g]; ++t) {
            terms.emplace_back(std::string(query.filter_terms[next++]));
        }
        // An empty group grants nothing: for visibility filters "no groups" must mean "no hits".
        if (terms.empty()) return Xapian::Query();
        groups.emplace_back(Xapian::Query::OP_OR, terms.begin(), terms.end());
    }
    return Xapian::Query(Xapian::Query::OP_AND, groups.begin(), groups.end());
}

Xapian::Query range_query(const cx_query &query) {
    std::vector<Xapian::Query> ranges;
    for (size_t i = 0; i < query.range_count; ++i) {
        const std::string low = query.range_lows[i] != nullptr ? query.range_lows[i] : "";
        const std::string high = query.range_highs[i] != nullptr ? query.range_highs[i] : "";
        const Xapian::valueno slot = query.range_slots[i];
        if (high.empty()) {
            ranges.emplace_back(Xapian::Query::OP_VALUE_GE, slot, low);
        } else if (low.empty()) {
            ranges.emplace_back(Xapian::Query::OP_VALUE_LE, slot, high);
        } else {
            ranges.emplace_back(Xapian::Query::OP_VALUE_RANGE, slot, low, high);
        }
    }
    return Xapian::Query(Xapian::Query::OP_AND, ranges.begin(), ranges.end());
}

// The text query inside the search's filters, ranges and exclusions.
Xapian::Query restricted(const Xapian::Query &text_query, const cx_query &query) {
    Xapian::Query full = text_query;
    if (query.filter_group_count > 0) {
        full = Xapian::Query(Xapian::Query::OP_FILTER, full, filter_query(query));
    }
    if (query.range_count > 0) {
        full = Xapian::Query(Xapian::Query::OP_FILTER, full, range_query(query));
    }
    if (query.excluded_count > 0) {
        std::vector<Xapian::Query> excluded;
        for (size_t i = 0; i < query.excluded_count; ++i) {
            excluded.emplace_back(std::string(query.excluded_terms[i]));
        }
        full = Xapian::Query(Xapian::Query::OP_AND_NOT, full,
                             Xapian::Query(Xapian::Query::OP_OR, excluded.begin(), excluded.end()));
    }
    return full;
}

void run_search(Xapian::Database &db, const cx_query &query, cx_results &results) {
    const std::string text = query.text != nullptr ? query.text : "";
    std::vector<Xapian::Stem> stemmers;
    for (const std::string &name : query_languages(db, query.language)) stemmers.push_back(stemmer_named(name));
    const Xapian::Stem &stemmer = stemmers.front();

    Xapian::QueryParser parser;
    parser.set_database(db);
    parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    if (query.match_every_word) parser.set_default_op(Xapian::Query::OP_AND);
    // Bounds "a*"-style wildcards to the most frequent expansions instead of failing or
    // expanding to thousands of terms.
    parser.set_max_expansion(100, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    // FLAG_PARTIAL is left out: it is meant for search-as-you-type, and it turns the last
    // word of every submitted query into a prefix search, which blurs ranking.
    const unsigned flags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_PHRASE |
                           Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
                           Xapian::QueryParser::FLAG_PURE_NOT;

    // Not Xapian::Query::MatchAll: that is one static object whose reference count is not atomic, and copying it
    // from searches on two threads at once corrupted it (a crash within seconds at two threads). An empty term
    // matches every document the same way, in an object of this search's own.
    Xapian::Query text_query{std::string()};
    bool has_text = text.find_first_not_of(" \t\r\n") != std::string::npos;
    // Once per language, a document matching the text as stemmed in any of them, weighed by the best (OP_MAX: a
    // document of two languages' stems is not counted twice). A query of only stop-words or punctuation parses
    // to nothing: match nothing, not all.
    // Plain words (a ticket's subject looked up for similar tickets) have no syntax: no operators, phrases, +/- or
    // wildcards. A query whose syntax the parser refuses ("printer AND", "OR foo") is read as plain words too,
    // rather than failing the search.
    auto parsed_text = [&](const std::string &words) {
        auto parse_all = [&](Operators operators) {
            const std::string small_text = written_small(words, operators);
            std::vector<Xapian::Query> parsed;
            for (const Xapian::Stem &each : stemmers) {
                parser.set_stemmer(each);
                parsed.push_back(parser.parse_query(small_text, operators == Operators::keep ? flags : 0));
            }
            return parsed.size() == 1 ? parsed.front() : Xapian::Query(Xapian::Query::OP_MAX, parsed.begin(), parsed.end());
        };
        if (query.plain_words) return parse_all(Operators::words);
        try {
            return parse_all(Operators::keep);
        } catch (const Xapian::QueryParserError &) {
            return parse_all(Operators::drop);
        }
    };
    if (has_text) text_query = parsed_text(text);

    Xapian::Query full = restricted(text_query, query);
    Xapian::Enquire enquire(db);
    enquire.set_query(full);
    // Equal weights are ordered by document id, not by the order documents reached this index, so every
    // instance's index (built live or rebuilt) answers a query in the same order.
    enquire.set_sort_by_relevance_then_value(CX_SLOT_DOCUMENT_ID, false);
    Xapian::MSet mset = enquire.get_mset(query.offset, query.limit);

    results.estimated_total = mset.get_matches_estimated();
    results.hits.clear();
    results.hits.reserve(mset.size());
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
        Xapian::Document doc = it.get_document();
        cx_stored_hit hit;
        hit.id = doc.get_value(CX_SLOT_DOCUMENT_ID);
        hit.data = doc.get_data();
        hit.percent = it.get_percent();
        hit.weight = it.get_weight();
        if (query.snippet_length > 0) {
            std::string source = snippet_source(doc.get_value(CX_SLOT_SNIPPET_TEXT), query.snippet_prefix);
            if (!source.empty()) {
                // Without SNIPPET_BACKGROUND_MODEL: that model looks up every word of the text in the whole
                // index (about 2 ms for ten hits over 100,000 articles); the query's own terms are enough to
                // choose the passage.
                const Xapian::Stem own = stemmers.size() == 1 ? stemmer : document_stemmer(doc, stemmer);
                hit.snippet = mset.snippet(source, query.snippet_length, own, Xapian::MSet::SNIPPET_EXHAUSTIVE,
                                           "<b>", "</b>", "…");
            }
        }
        results.hits.push_back(std::move(hit));
    }

    // "Did you mean": each word the index does not hold replaced by its spelling suggestion. Done here rather
    // than by the parser's FLAG_SPELLING_CORRECTION, which costs every query a lookup per word.
    // A word is suggested only when it finds something inside the same filters on its own, and the whole correction
    // only when it does too: the spelling table holds the words of every document (and keeps them after a document
    // goes), so a word found only where the caller may not look would show them that word.
    results.suggestion.clear();
    if (has_text) {
        auto finds = [&](const Xapian::Query &words) {
            Xapian::Enquire check(db);
            check.set_query(restricted(words, query));
            return check.get_mset(0, 1).size() > 0;
        };
        std::string corrected = word_by_word_suggestion(db, text, [&](const std::string &word) { return finds(parsed_text(word)); });
        if (!corrected.empty() && corrected != text && finds(parsed_text(corrected))) results.suggestion = corrected;
    }
}

}  // namespace

extern "C" {

void cx_string_free(char *string) { std::free(string); }

int cx_database_open(const char *path, int overwrite, int lock_wait_ms, cx_database **out, char **error) {
    *out = nullptr;
    return guarded(error, [&] {
        int action = overwrite ? Xapian::DB_CREATE_OR_OVERWRITE : Xapian::DB_CREATE_OR_OPEN;
        // The write lock is held through the lock file's descriptor. A process that forks (to start another
        // program) while this process has the database open gives the child a copy of that descriptor until the
        // child execs, so a close and immediate reopen here (SearchIndex does that to start a fresh index) can find
        // the directory "already locked" by our own child for a moment. Such a lock goes within milliseconds;
        // another writer's does not, and its error reaches the caller once lock_wait_ms have passed.
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(lock_wait_ms);
        for (;;) {
            try {
                *out = new cx_database{Xapian::WritableDatabase(path, action)};
                return;
            } catch (const Xapian::DatabaseLockError &) {
                if (std::chrono::steady_clock::now() >= deadline) throw;
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
    });
}

void cx_database_free(cx_database *database) {
    if (database == nullptr) return;
    try {
        // close() commits pending changes and releases the lock even if other handles
        // (a document being built) still reference the database.
        database->db.close();
    } catch (...) {
    }
    delete database;
}

int cx_database_get_metadata(cx_database *database, const char *key, char **value, char **error) {
    *value = nullptr;
    return guarded(error, [&] {
        std::string stored = database->db.get_metadata(key);
        *value = copy_string(stored);
        if (*value == nullptr) throw std::bad_alloc();
    });
}

int cx_database_set_metadata(cx_database *database, const char *key, const char *value, char **error) {
    return guarded(error, [&] { database->db.set_metadata(key, value); });
}

int cx_database_commit(cx_database *database, char **error) {
    return guarded(error, [&] { database->db.commit(); });
}

int cx_database_document_count(cx_database *database, uint32_t *count, char **error) {
    *count = 0;
    return guarded(error, [&] { *count = database->db.get_doccount(); });
}

int cx_database_replace(cx_database *database, const char *id, cx_document *document, char **error) {
    return guarded(error, [&] {
        const std::string unique = id_prefix + id;
        Xapian::Document &doc = document->doc;
        doc.add_boolean_term(unique);
        doc.add_value(CX_SLOT_DOCUMENT_ID, id);
        doc.add_value(CX_SLOT_SNIPPET_TEXT, document->snippet_text);
        database->db.replace_document(unique, doc);
        record_language(*database, document->language);
    });
}

int cx_database_delete(cx_database *database, const char *id, char **error) {
    return guarded(error, [&] { database->db.delete_document(id_prefix + id); });
}

int cx_document_new(cx_database *database, const char *language, cx_document **out, char **error) {
    *out = nullptr;
    return guarded(error, [&] {
        const std::string name = stemmer_name(language != nullptr ? language : "");
        cx_document *document = new cx_document{database->db, Xapian::Document(), Xapian::TermGenerator(), "", name};
        document->generator.set_document(document->doc);
        document->generator.set_stemmer(stemmer_named(name));
        document->doc.add_boolean_term(language_prefix + name);
        document->generator.set_database(document->db);
        document->generator.set_flags(Xapian::TermGenerator::FLAG_SPELLING);
        *out = document;
    });
}

void cx_document_free(cx_document *document) { delete document; }

int cx_document_add_field(cx_document *document, const char *prefix,
                          const char *text, size_t text_length, uint32_t weight, char **error) {
    return guarded(error, [&] {
        const std::string field_prefix = prefix != nullptr ? prefix : "";
        const std::string field_text = bytes(text, text_length);
        Xapian::TermGenerator &generator = document->generator;
        // Gaps between fields stop a phrase from matching across two fields.
        if (generator.get_termpos() > 0) generator.increase_termpos(100);
        if (!field_prefix.empty()) {
            generator.index_text(field_text, weight, field_prefix);
            generator.increase_termpos(100);
        }
        generator.index_text(field_text, weight);
        append_snippet_field(document->snippet_text, field_prefix, field_text);
    });
}

int cx_document_add_boolean_term(cx_document *document, const char *term, char **error) {
    return guarded(error, [&] { document->doc.add_boolean_term(term); });
}

int cx_document_set_value(cx_document *document, uint32_t slot,
                          const char *value, size_t value_length, char **error) {
    return guarded(error, [&] {
        if (slot >= CX_RESERVED_SLOT_MIN) {
            throw Xapian::InvalidArgumentError("value slot " + std::to_string(slot) +
                                               " is reserved by Shared/Search");
        }
        document->doc.add_value(slot, bytes(value, value_length));
    });
}

int cx_document_set_data(cx_document *document, const char *data, size_t data_length, char **error) {
    return guarded(error, [&] { document->doc.set_data(bytes(data, data_length)); });
}

// Names the state a handle reads: the database's UUID (new when a directory is overwritten by a rebuild) and its
// revision (new with every commit). Two searches of the same version give the same answer.
static std::string database_version(const Xapian::Database &db) {
    return db.get_uuid() + "/" + std::to_string(db.get_revision());
}

// Searches `db` after a reopen() (a reader then sees the latest commit; a writer always sees its own state), and
// again if a commit replaced the revision being read in the middle of the search.
static int search_latest(Xapian::Database &db, const cx_query *query, cx_results **out, char **error) {
    *out = nullptr;
    return guarded(error, [&] {
        cx_results *results = new cx_results();
        try {
            // A writer committing quickly (a feed catching up) can discard the revision again before a retry
            // finishes: each retry first waits a little longer (1, 2, … ms, under 0.2 s in all) for its burst to
            // pass; after 20 tries the error goes to the caller. Searches run on blocking-work threads, so
            // the wait holds no thread that answers requests.
            for (int attempt = 1;; ++attempt) {
                db.reopen();
                try {
                    run_search(db, *query, *results);
                    results->version = database_version(db);
                    break;
                } catch (const Xapian::DatabaseModifiedError &) {
                    if (attempt == 20) throw;
                    *results = cx_results();
                    std::this_thread::sleep_for(std::chrono::milliseconds(attempt));
                }
            }
        } catch (...) {
            delete results;
            throw;
        }
        *out = results;
    });
}

int cx_database_search(cx_database *database, const cx_query *query, cx_results **out, char **error) {
    return search_latest(database->db, query, out, error);
}

int cx_reader_open(const char *path, cx_reader **out, char **error) {
    *out = nullptr;
    return guarded(error, [&] { *out = new cx_reader{Xapian::Database(path)}; });
}

void cx_reader_free(cx_reader *reader) { delete reader; }

int cx_reader_version(cx_reader *reader, char **version, char **error) {
    *version = nullptr;
    return guarded(error, [&] {
        reader->db.reopen();
        *version = copy_string(database_version(reader->db));
        if (*version == nullptr) throw std::bad_alloc();
    });
}

int cx_reader_search(cx_reader *reader, const cx_query *query, cx_results **out, char **error) {
    return search_latest(reader->db, query, out, error);
}

void cx_results_free(cx_results *results) { delete results; }

size_t cx_results_count(const cx_results *results) { return results->hits.size(); }

uint32_t cx_results_estimated_total(const cx_results *results) { return results->estimated_total; }

const char *cx_results_version(const cx_results *results) { return results->version.c_str(); }

const char *cx_results_suggestion(const cx_results *results) {
    return results->suggestion.empty() ? nullptr : results->suggestion.c_str();
}

cx_hit cx_results_hit(const cx_results *results, size_t index) {
    const cx_stored_hit &hit = results->hits[index];
    cx_hit view;
    view.id = hit.id.data();
    view.id_length = hit.id.size();
    view.data = hit.data.data();
    view.data_length = hit.data.size();
    view.snippet = hit.snippet.data();
    view.snippet_length = hit.snippet.size();
    view.percent = hit.percent;
    view.weight = hit.weight;
    return view;
}

}  // extern "C"

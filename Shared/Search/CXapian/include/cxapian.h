/*
 * A plain C view of the parts of Xapian that Shared/Search needs.
 *
 * Every function that can fail returns 0 on success and -1 on failure; on failure it stores
 * a malloc'd, NUL-terminated message in *error (when error is not NULL), which the caller
 * releases with cx_string_free. No C++ exception ever leaves these functions.
 *
 * Byte strings that may hold arbitrary user text (field text, values, payloads) are passed
 * as pointer + length so embedded NULs survive; terms, prefixes and keys are C strings.
 */
#ifndef CXAPIAN_H
#define CXAPIAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Value slots reserved by the shim; callers' value slots must stay below CX_RESERVED_SLOT_MIN. */
#define CX_RESERVED_SLOT_MIN 0xFFFF0u
/* Per-field texts of a document, used to build snippets (see cxapian.cpp for the encoding). */
#define CX_SLOT_SNIPPET_TEXT 0xFFFF0u
/* The caller's document id (the part after "Q"), so hits need not scan the term list. */
#define CX_SLOT_DOCUMENT_ID 0xFFFF1u

typedef struct cx_database cx_database;
typedef struct cx_document cx_document;
typedef struct cx_results cx_results;
typedef struct cx_reader cx_reader;

void cx_string_free(char *string);

/* Database ---------------------------------------------------------------------------- */

/* Opens or creates the database directory. When overwrite is non-zero, any existing
 * contents are discarded. A write lock held elsewhere is retried for lock_wait_ms. */
int cx_database_open(const char *path, int overwrite, int lock_wait_ms, cx_database **out, char **error);
/* Closes (releasing the write lock) and frees the handle. NULL is ignored. */
void cx_database_free(cx_database *database);

/* *value is malloc'd (free with cx_string_free); "" when the key is not set. */
int cx_database_get_metadata(cx_database *database, const char *key, char **value, char **error);
int cx_database_set_metadata(cx_database *database, const char *key, const char *value, char **error);
int cx_database_commit(cx_database *database, char **error);
int cx_database_document_count(cx_database *database, uint32_t *count, char **error);

/* Replaces (or adds) the document indexed by the unique term "Q" + id. */
int cx_database_replace(cx_database *database, const char *id, cx_document *document, char **error);
/* Deletes the document indexed by "Q" + id; deleting a missing id is not an error. */
int cx_database_delete(cx_database *database, const char *id, char **error);

/* Document ---------------------------------------------------------------------------- */

/* A document whose text is stemmed with `language` ("en", "de", …); NULL, "" or an unknown
 * language means no stemming. Every document carries the boolean term "XZL" + its stemmer's name
 * ("XZL" alone without one), and the index's metadata lists the languages of its documents for a
 * query's language "*". Spelling data is added to `database` as text is indexed. */
int cx_document_new(cx_database *database, const char *language, cx_document **out, char **error);
void cx_document_free(cx_document *document);

/* Indexes text with wdf increment `weight`, under `prefix` (when not "") and unprefixed. */
int cx_document_add_field(cx_document *document, const char *prefix,
                          const char *text, size_t text_length, uint32_t weight, char **error);
int cx_document_add_boolean_term(cx_document *document, const char *term, char **error);
/* Slots at or above CX_RESERVED_SLOT_MIN are refused. */
int cx_document_set_value(cx_document *document, uint32_t slot,
                          const char *value, size_t value_length, char **error);
int cx_document_set_data(cx_document *document, const char *data, size_t data_length, char **error);

/* Search ------------------------------------------------------------------------------ */

typedef struct cx_query {
    const char *text;                 /* user query text; "" matches all documents */
    const char *language;             /* stemmers for the query: a language or a comma-separated list, "*" for
                                         every language the index's documents were stemmed in; NULL/"" = none */
    const char *const *filter_terms;  /* all groups' terms, group after group */
    const size_t *filter_group_sizes; /* number of terms in each group */
    size_t filter_group_count;        /* AND of groups; each group is an OR of its terms */
    const char *const *excluded_terms;
    size_t excluded_count;
    /* Value ranges ANDed as filters: slot range_slots[i] between range_lows[i] and range_highs[i]
     * (inclusive, compared as bytes); "" leaves that end open. */
    const uint32_t *range_slots;
    const char *const *range_lows;
    const char *const *range_highs;
    size_t range_count;
    uint32_t offset;
    uint32_t limit;
    const char *snippet_prefix;       /* NULL = snippet over all fields; else one field's text */
    uint32_t snippet_length;          /* bytes to aim for; 0 = no snippets */
    int match_every_word;             /* nonzero: words without an operator between them are ANDed, not ORed */
    int plain_words;                  /* nonzero: the text is words only, without query syntax (operators, phrases,
                                         +/-, wildcards); text whose syntax does not parse is read so as well */
} cx_query;

int cx_database_search(cx_database *database, const cx_query *query, cx_results **out, char **error);
void cx_results_free(cx_results *results);

/* Readers: read-only handles on a directory that one writer (cx_database) keeps up to date. A reader
 * sees the writer's last commit as of each search. One thread at a time per reader. */
int cx_reader_open(const char *path, cx_reader **out, char **error);
void cx_reader_free(cx_reader *reader);
int cx_reader_search(cx_reader *reader, const cx_query *query, cx_results **out, char **error);
/* The version the reader sees after catching up with the last commit: "<database uuid>/<revision>", changed by
 * every commit and by a rebuild. Free *version with cx_string_free. */
int cx_reader_version(cx_reader *reader, char **version, char **error);

size_t cx_results_count(const cx_results *results);
uint32_t cx_results_estimated_total(const cx_results *results);
/* The version of the database that answered (as cx_reader_version; a writer's does not count its uncommitted
 * changes). Valid until cx_results_free. */
const char *cx_results_version(const cx_results *results);
/* NULL when there is no suggestion. Valid until cx_results_free. */
const char *cx_results_suggestion(const cx_results *results);

typedef struct cx_hit {
    const char *id;          /* all pointers stay valid until cx_results_free */
    size_t id_length;
    const char *data;
    size_t data_length;
    const char *snippet;
    size_t snippet_length;
    int32_t percent;
    double weight;
} cx_hit;

/* index < cx_results_count(results) */
cx_hit cx_results_hit(const cx_results *results, size_t index);

#ifdef __cplusplus
}
#endif

#endif

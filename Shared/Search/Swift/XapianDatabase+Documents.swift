import CXapian

extension XapianDatabase {
    func replace(_ document: SearchDocument) throws(SearchError) {
        let database = try open()
        var built: OpaquePointer?
        try xapianCall { error in
            withOptionalCString(document.language) { cx_document_new(database, $0, &built, error) }
        }
        defer { cx_document_free(built) }
        for field in document.fields {
            try xapianCall { error in
                withBytes(field.text) { text, count in
                    cx_document_add_field(built, field.prefix, text, count, field.weight, error)
                }
            }
        }
        for term in document.filters {
            try xapianCall { cx_document_add_boolean_term(built, BooleanTerm.bounded(term), $0) }
        }
        for (slot, value) in document.values {
            try xapianCall { error in
                withBytes(value) { cx_document_set_value(built, slot, $0, $1, error) }
            }
        }
        try xapianCall { error in
            withBytes(document.data) { cx_document_set_data(built, $0, $1, error) }
        }
        try xapianCall { cx_database_replace(database, document.id, built, $0) }
    }

    func delete(id: String) throws(SearchError) {
        let database = try open()
        try xapianCall { cx_database_delete(database, id, $0) }
    }
}

/// A ticket's JSON, member for member as ``Ticket/write(to:)`` writes it for a ticket read from the same row
/// (``TicketStore/decodeTicket(_:)``), kept by PostgreSQL in the ticket's row (`list_json`, written by a trigger on
/// every change to a column it shows): a list page's tickets leave the database as the bytes of their answer, so the
/// tickets process neither decodes their 28 columns nor writes their JSON.
///
/// On the bench stack the tickets process had spent 8.6 µs of CPU a ticket of a list page on those two (its fixed
/// cost for a page was 245 µs); written at read time the same JSON cost PostgreSQL about 4 µs a ticket of every page.
/// `ListJSONTests` checks the column against ``Ticket/write(to:)`` on tickets that use every member, escape, NULL and
/// alert level. A change to the members needs a new migration that runs ``columnAndTrigger`` again (it replaces the
/// function and rewrites every ticket's column).
///
/// The one difference: PostgreSQL does not escape `/` in strings, the API's encoder does; both parse the same.
/// A deleted ticket's column lacks `deletedAt` and `deletedBy`: the lists that read it leave deleted tickets out.
enum TicketJSONSQL {
    /// The columns the JSON shows: a change to any of them rewrites it.
    static let shownColumns = [
        "id", "number", "brand_id", "department_id", "group_id", "agent_id", "customer_user_id", "customer_email", "subject", "status",
        "priority", "pinned", "messages_in", "messages_out", "created_at", "idle_since", "closed_at", "version", "follow_up_at",
        "follow_up_note", "follow_up_group_id", "follow_up_agent_id", "follow_up_priority", "follow_up_pin", "follow_up_due", "language",
        "idle_alert", "duration_alert",
    ]

    /// The statements that add `list_json` to `{schema}.tickets` (or replace its function) and fill it for every ticket.
    static var columnAndTrigger: [String] {
        [
            "ALTER TABLE {schema}.tickets ADD COLUMN IF NOT EXISTS list_json text",
            """
            CREATE OR REPLACE FUNCTION {schema}.ticket_list_json() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.list_json := \(object(of: "NEW"));
                RETURN NEW;
            END
            $$
            """,
            "DROP TRIGGER IF EXISTS ticket_list_json ON {schema}.tickets",
            """
            CREATE TRIGGER ticket_list_json BEFORE INSERT OR UPDATE OF \(shownColumns.joined(separator: ", ")) ON {schema}.tickets
            FOR EACH ROW EXECUTE FUNCTION {schema}.ticket_list_json()
            """,
            "UPDATE {schema}.tickets t SET list_json = \(object(of: "t"))",
        ]
    }

    /// The ticket of the row whose ``TicketStore/columns`` are those of `row` (a table alias or `NEW`) as one JSON
    /// object in text.
    static func object(of row: String) -> String {
        func column(_ name: String) -> String { "\(row).\(name)" }
        /// `,"name":"value"`, or nothing when the value is NULL (as `Encodable` leaves an absent optional out).
        func optional(_ name: String, _ value: String, leadingComma: Bool = true) -> String {
            "'\(leadingComma ? "," : "")\"\(name)\":' || \(value)"
        }
        let status = column("status")
        return """
            concat('{',
                \(optional("agentID", quoted(column("agent_id")), leadingComma: false)) || ',',
                '"brandID":', \(quoted(column("brand_id"))),
                \(optional("closedAt", date(column("closed_at")))),
                ',"createdAt":', \(date(column("created_at"))),
                ',"customerEmail":', to_json(\(column("customer_email"))),
                \(optional("customerUserID", quoted(column("customer_user_id")))),
                ',"departmentID":', \(quoted(column("department_id"))),
                ',"durationAlert":', \(alert(column("duration_alert"), shownWhen: "\(status) IN ('active', 'waiting')")),
                CASE WHEN \(column("follow_up_at")) IS NOT NULL THEN concat(',"followUp":{',
                    \(optional("agentID", quoted(column("follow_up_agent_id")), leadingComma: false)) || ',',
                    '"at":', \(date(column("follow_up_at"))),
                    ',"due":', \(column("follow_up_due"))::text,
                    \(optional("groupID", quoted(column("follow_up_group_id")))),
                    \(optional("note", "to_json(\(column("follow_up_note")))")),
                    ',"pin":', \(column("follow_up_pin"))::text,
                    CASE WHEN \(column("follow_up_priority")) IS NOT NULL THEN concat(',"priority":"', \(priority(column("follow_up_priority"))), '"') END,
                    '}') END,
                ',"groupID":', \(quoted(column("group_id"))),
                ',"id":', \(quoted(column("id"))),
                ',"idleAlert":', \(alert(column("idle_alert"), shownWhen: "\(status) = 'active'")),
                ',"idleSince":', \(date(column("idle_since"))),
                ',"language":', to_json(\(column("language"))),
                ',"messagesIn":', \(column("messages_in")),
                ',"messagesOut":', \(column("messages_out")),
                ',"number":', to_json(\(column("number"))),
                ',"pinned":', \(column("pinned"))::text,
                ',"priority":"', \(priority(column("priority"))), '"',
                ',"status":"', \(status), '"',
                ',"subject":', to_json(\(column("subject"))),
                ',"version":', \(column("version")),
                '}')
            """
    }

    /// A uuid as a JSON string (PostgreSQL writes uuids in lower case, as the API does); NULL stays NULL.
    private static func quoted(_ uuid: String) -> String { "'\"' || \(uuid) || '\"'" }

    /// A timestamp as the API writes dates: UTC, to the second it falls in, `Z`; NULL stays NULL.
    private static func date(_ timestamp: String) -> String {
        #"'"' || to_char(\#(timestamp) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS"Z"') || '"'"#
    }

    /// A priority rank as its name (``TicketPriority/init(rank:)``: an unknown rank reads as normal).
    private static func priority(_ rank: String) -> String {
        "coalesce((ARRAY['low', 'normal', 'high', 'urgent'])[\(rank) + 1], 'normal')"
    }

    /// A Timing alert's level as the ticket shows it (``TimingAlert/shown(level:status:)``), quoted.
    private static func alert(_ level: String, shownWhen watched: String) -> String {
        """
        CASE WHEN NOT (\(watched)) OR \(level) < 1 THEN '"none"' WHEN \(level) = 1 THEN '"warning"' ELSE '"critical"' END
        """
    }
}

/// Each ticket's JSON as lists show it, kept in its row (`list_json`): member for member what ``Ticket/write(to:)``
/// writes for the ticket read from that row (``TicketStore/decodeTicket(_:)``), so that a list page's tickets leave
/// PostgreSQL as the bytes of their answer and the tickets process neither decodes their 28 columns nor writes their
/// JSON (on the bench stack it had spent 8.6 µs of CPU a ticket of a page on those two).
///
/// `{schema}.ticket_json(ticket)` writes it; a trigger calls it before every insert and every update that sets a column
/// it shows. The one difference from the API's encoder: PostgreSQL leaves `/` unescaped in strings (both parse the
/// same). A deleted ticket's JSON lacks `deletedAt` and `deletedBy`: the lists that read the column leave deleted
/// tickets out. `ListJSONTests` compares the column with ``Ticket/write(to:)``; every suite that runs on
/// `TicketTestKit` checks at its end that every ticket's column equals what the function writes now (a code path that
/// changed a shown column without the trigger would fail it).
///
/// These statements are migration 166: a change to the JSON (a member added to ``Ticket/write(to:)``, a column it reads)
/// is a new migration that replaces the function and the trigger's columns and rewrites every ticket's column.
enum TicketListJSON {
    /// The columns the JSON shows: setting any of them rewrites it.
    static let shownColumns = """
        id, number, brand_id, department_id, group_id, agent_id, customer_user_id, customer_email, subject, status, priority, pinned,
        messages_in, messages_out, created_at, idle_since, closed_at, version, follow_up_at, follow_up_note, follow_up_group_id,
        follow_up_agent_id, follow_up_priority, follow_up_pin, follow_up_due, language, idle_alert, duration_alert
        """

    static let migration166 = [
        "ALTER TABLE {schema}.tickets ADD COLUMN list_json text",
        // Optional members are left out as `Encodable` leaves out nil: `concat` skips NULL, and `'…' || NULL` is NULL.
        // Dates are UTC to the second they fall in; an unknown priority rank reads as normal (`TicketPriority(rank:)`);
        // a Timing alert shows only in the statuses it watches (`TimingAlert.shown`).
        """
        CREATE FUNCTION {schema}.ticket_json(t {schema}.tickets) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT concat('{',
            '"agentID":"' || t.agent_id || '",',
            '"brandID":"', t.brand_id, '"',
            ',"closedAt":"' || to_char(t.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS"Z"') || '"',
            ',"createdAt":"', to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS"Z"'), '"',
            ',"customerEmail":', to_json(t.customer_email),
            ',"customerUserID":"' || t.customer_user_id || '"',
            ',"departmentID":"', t.department_id, '"',
            ',"durationAlert":', CASE WHEN t.status NOT IN ('active', 'waiting') OR t.duration_alert < 1 THEN '"none"'
                                      WHEN t.duration_alert = 1 THEN '"warning"' ELSE '"critical"' END,
            CASE WHEN t.follow_up_at IS NOT NULL THEN concat(',"followUp":{',
                '"agentID":"' || t.follow_up_agent_id || '",',
                '"at":"', to_char(t.follow_up_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS"Z"'), '"',
                ',"due":', t.follow_up_due::text,
                ',"groupID":"' || t.follow_up_group_id || '"',
                ',"note":' || to_json(t.follow_up_note),
                ',"pin":', t.follow_up_pin::text,
                ',"priority":"' || CASE WHEN t.follow_up_priority IS NOT NULL
                    THEN coalesce((ARRAY['low', 'normal', 'high', 'urgent'])[t.follow_up_priority + 1], 'normal') END || '"',
                '}') END,
            ',"groupID":"', t.group_id, '"',
            ',"id":"', t.id, '"',
            ',"idleAlert":', CASE WHEN t.status <> 'active' OR t.idle_alert < 1 THEN '"none"'
                                  WHEN t.idle_alert = 1 THEN '"warning"' ELSE '"critical"' END,
            ',"idleSince":"', to_char(t.idle_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS"Z"'), '"',
            ',"language":', to_json(t.language),
            ',"messagesIn":', t.messages_in,
            ',"messagesOut":', t.messages_out,
            ',"number":', to_json(t.number),
            ',"pinned":', t.pinned::text,
            ',"priority":"', coalesce((ARRAY['low', 'normal', 'high', 'urgent'])[t.priority + 1], 'normal'), '"',
            ',"status":"', t.status, '"',
            ',"subject":', to_json(t.subject),
            ',"version":', t.version,
            '}')
        $$
        """,
        """
        CREATE FUNCTION {schema}.ticket_list_json() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.list_json := {schema}.ticket_json(NEW);
            RETURN NEW;
        END
        $$
        """,
        """
        CREATE TRIGGER ticket_list_json BEFORE INSERT OR UPDATE OF \(shownColumns) ON {schema}.tickets
        FOR EACH ROW EXECUTE FUNCTION {schema}.ticket_list_json()
        """,
        "UPDATE {schema}.tickets t SET list_json = {schema}.ticket_json(t)",
        "ALTER TABLE {schema}.tickets ALTER COLUMN list_json SET NOT NULL",
    ]
}

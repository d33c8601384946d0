import Database

/// The tickets schema's history (platform tables are versions 1–99).
public enum TicketMigrations {
    public static let all: [Migration] = [
        Migration(version: 100, name: "directory copies kept from identity.events", sql: [
            """
            CREATE TABLE {schema}.departments (
                id uuid PRIMARY KEY,
                brand_id uuid NOT NULL,
                name text NOT NULL,
                front_line_group_id uuid NOT NULL,
                hidden_from_portal boolean NOT NULL DEFAULT false,
                new_tickets_in_portal text NOT NULL DEFAULT 'Everyone',
                require_resolution_to_close boolean NOT NULL DEFAULT false,
                auto_close_hours integer,
                auto_lock_hours integer,
                auto_delete_days integer,
                version integer NOT NULL)
            """,
            "CREATE TABLE {schema}.groups (id uuid PRIMARY KEY, department_id uuid NOT NULL, name text NOT NULL)",
            "CREATE INDEX groups_department ON {schema}.groups (department_id)",
            """
            CREATE TABLE {schema}.agents (
                id uuid PRIMARY KEY,
                overall_max_tickets integer,
                new_active integer NOT NULL DEFAULT 0)
            """,
            """
            CREATE TABLE {schema}.agent_groups (
                group_id uuid NOT NULL,
                agent_id uuid NOT NULL,
                department_id uuid NOT NULL,
                handling text NOT NULL CHECK (handling IN ('pull', 'primary', 'secondary')),
                max_tickets integer,
                excluded boolean NOT NULL DEFAULT false,
                active boolean NOT NULL DEFAULT false,
                new_active integer NOT NULL DEFAULT 0,
                allocated integer NOT NULL DEFAULT 0,
                last_assigned_at timestamptz,
                PRIMARY KEY (group_id, agent_id))
            """,
            "CREATE INDEX agent_groups_agent ON {schema}.agent_groups (agent_id)",
        ]),
        Migration(version: 101, name: "tickets, messages, comments and history", sql: [
            "CREATE SEQUENCE {schema}.ticket_number_seq",
            """
            CREATE TABLE {schema}.tickets (
                id uuid PRIMARY KEY,
                number text NOT NULL UNIQUE,
                brand_id uuid NOT NULL,
                department_id uuid NOT NULL,
                group_id uuid NOT NULL,
                agent_id uuid,
                customer_user_id uuid,
                customer_email text NOT NULL,
                subject text NOT NULL,
                status text NOT NULL CHECK (status IN ('active', 'waiting', 'closed', 'closed_locked')),
                priority smallint NOT NULL DEFAULT 1,
                pinned boolean NOT NULL DEFAULT false,
                counts_toward_max boolean NOT NULL DEFAULT false,
                messages_in integer NOT NULL DEFAULT 0,
                messages_out integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL,
                idle_since timestamptz NOT NULL,
                closed_at timestamptz,
                deleted_at timestamptz,
                version integer NOT NULL DEFAULT 1)
            """,
            "CREATE INDEX tickets_agent ON {schema}.tickets (agent_id, status, priority DESC, idle_since, id) WHERE deleted_at IS NULL",
            "CREATE INDEX tickets_queue ON {schema}.tickets (group_id, priority DESC, created_at, id) WHERE agent_id IS NULL AND status = 'active' AND deleted_at IS NULL",
            "CREATE INDEX tickets_group ON {schema}.tickets (group_id, status, priority DESC, idle_since, id) WHERE deleted_at IS NULL",
            "CREATE INDEX tickets_customer ON {schema}.tickets (customer_user_id, id DESC)",
            """
            CREATE TABLE {schema}.messages (
                id uuid PRIMARY KEY,
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                direction text NOT NULL CHECK (direction IN ('in', 'out')),
                author_id uuid,
                from_address text NOT NULL,
                to_addresses text[] NOT NULL DEFAULT '{}',
                cc_addresses text[] NOT NULL DEFAULT '{}',
                bcc_addresses text[] NOT NULL DEFAULT '{}',
                body_html text NOT NULL,
                body_text text NOT NULL,
                created_at timestamptz NOT NULL)
            """,
            "CREATE INDEX messages_ticket ON {schema}.messages (ticket_id, id DESC)",
            """
            CREATE TABLE {schema}.comments (
                id uuid PRIMARY KEY,
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                type text NOT NULL CHECK (type IN ('general', 'resolution', 'transfer', 'follow_up', 'sticky')),
                author_id uuid,
                body text NOT NULL,
                created_at timestamptz NOT NULL)
            """,
            "CREATE INDEX comments_ticket ON {schema}.comments (ticket_id, id DESC)",
            """
            CREATE TABLE {schema}.history (
                id uuid PRIMARY KEY,
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                actor_id uuid,
                actor_kind text NOT NULL,
                action text NOT NULL,
                details jsonb NOT NULL DEFAULT '{}',
                at timestamptz NOT NULL)
            """,
            "CREATE INDEX history_ticket ON {schema}.history (ticket_id, id)",
        ]),
        Migration(version: 102, name: "follow-ups, deletion, durable timers and merge forwarders", sql: [
            """
            ALTER TABLE {schema}.tickets
                ADD COLUMN follow_up_at timestamptz,
                ADD COLUMN follow_up_note text,
                ADD COLUMN follow_up_group_id uuid,
                ADD COLUMN follow_up_agent_id uuid,
                ADD COLUMN follow_up_priority smallint,
                ADD COLUMN follow_up_pin boolean NOT NULL DEFAULT false,
                ADD COLUMN status_before_follow_up text,
                ADD COLUMN last_action_at timestamptz NOT NULL DEFAULT now(),
                ADD COLUMN deleted_by uuid
            """,
            """
            CREATE TABLE {schema}.timers (
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                kind text NOT NULL CHECK (kind IN ('auto_close', 'auto_lock', 'auto_delete', 'follow_up', 'purge')),
                due_at timestamptz NOT NULL,
                PRIMARY KEY (ticket_id, kind))
            """,
            "CREATE INDEX timers_due ON {schema}.timers (due_at)",
            """
            CREATE TABLE {schema}.forwarders (
                old_number text PRIMARY KEY,
                old_ticket_id uuid NOT NULL,
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE)
            """,
            "CREATE INDEX tickets_deleted ON {schema}.tickets (deleted_at) WHERE deleted_at IS NOT NULL",
        ]),
        Migration(version: 103, name: "view counts and view indexes", sql: [
            """
            CREATE TABLE {schema}.ticket_counts (
                scope text NOT NULL,
                scope_id uuid NOT NULL,
                status text NOT NULL,
                shard smallint NOT NULL,
                n integer NOT NULL DEFAULT 0,
                PRIMARY KEY (scope, scope_id, status, shard))
            """,
            "CREATE INDEX tickets_department ON {schema}.tickets (department_id, status, priority DESC, idle_since, id) WHERE deleted_at IS NULL",
            "CREATE INDEX tickets_brand ON {schema}.tickets (brand_id, status, priority DESC, idle_since, id) WHERE deleted_at IS NULL",
            """
            INSERT INTO {schema}.ticket_counts (scope, scope_id, status, shard, n)
            SELECT scope, scope_id, status, 0, count(*) FROM (
                SELECT 'agent' AS scope, agent_id AS scope_id, status FROM {schema}.tickets WHERE deleted_at IS NULL AND agent_id IS NOT NULL
                UNION ALL SELECT 'group', group_id, status FROM {schema}.tickets WHERE deleted_at IS NULL
                UNION ALL SELECT 'department', department_id, status FROM {schema}.tickets WHERE deleted_at IS NULL
                UNION ALL SELECT 'brand', brand_id, status FROM {schema}.tickets WHERE deleted_at IS NULL
                UNION ALL SELECT 'queue', group_id, status FROM {schema}.tickets WHERE deleted_at IS NULL AND agent_id IS NULL AND status = 'active'
                UNION ALL SELECT 'followups', agent_id, 'scheduled' FROM {schema}.tickets
                    WHERE deleted_at IS NULL AND agent_id IS NOT NULL AND follow_up_at IS NOT NULL
            ) counted GROUP BY scope, scope_id, status
            """,
        ]),
        Migration(version: 104, name: "attachments", sql: [
            """
            CREATE TABLE {schema}.attachments (
                id uuid PRIMARY KEY,
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                filename text NOT NULL,
                content_type text NOT NULL,
                size integer NOT NULL,
                internal boolean NOT NULL DEFAULT false,
                bytes bytea NOT NULL,
                uploaded_by uuid,
                created_at timestamptz NOT NULL)
            """,
            "CREATE INDEX attachments_ticket ON {schema}.attachments (ticket_id, id)",
        ]),
        Migration(version: 105, name: "data custom fields and templates", sql: [
            """
            CREATE TABLE {schema}.custom_fields (
                id uuid PRIMARY KEY,
                name text NOT NULL,
                data_type text NOT NULL,
                options text[] NOT NULL DEFAULT '{}',
                default_value text)
            """,
            "CREATE UNIQUE INDEX custom_fields_name ON {schema}.custom_fields (lower(name))",
            "CREATE TABLE {schema}.templates (id uuid PRIMARY KEY, name text NOT NULL, fields jsonb NOT NULL DEFAULT '[]')",
            """
            CREATE TABLE {schema}.ticket_field_values (
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                field_id uuid NOT NULL,
                value varchar(512) NOT NULL,
                PRIMARY KEY (ticket_id, field_id))
            """,
            "CREATE INDEX ticket_field_values_search ON {schema}.ticket_field_values (field_id, value)",
            "ALTER TABLE {schema}.departments ADD COLUMN template_id uuid",
        ]),
        Migration(version: 106, name: "recent and recently transferred", sql: [
            """
            CREATE TABLE {schema}.agent_recent (
                kind text NOT NULL CHECK (kind IN ('touched', 'transferred')),
                agent_id uuid NOT NULL,
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                at timestamptz NOT NULL,
                PRIMARY KEY (kind, agent_id, ticket_id))
            """,
            "CREATE INDEX agent_recent_order ON {schema}.agent_recent (kind, agent_id, at DESC)",
        ]),
        Migration(version: 107, name: "drafts, time logs and their categories", sql: [
            """
            CREATE TABLE {schema}.drafts (
                ticket_id uuid PRIMARY KEY REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                agent_id uuid NOT NULL,
                body_html text NOT NULL,
                to_addresses text[] NOT NULL DEFAULT '{}',
                cc_addresses text[] NOT NULL DEFAULT '{}',
                bcc_addresses text[] NOT NULL DEFAULT '{}',
                updated_at timestamptz NOT NULL)
            """,
            "CREATE TABLE {schema}.time_log_categories (id uuid PRIMARY KEY, name text NOT NULL)",
            "CREATE UNIQUE INDEX time_log_categories_name ON {schema}.time_log_categories (lower(name))",
            """
            CREATE TABLE {schema}.time_logs (
                id uuid PRIMARY KEY,
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                agent_id uuid NOT NULL,
                category_id uuid REFERENCES {schema}.time_log_categories (id),
                minutes integer NOT NULL CHECK (minutes > 0),
                description text NOT NULL DEFAULT '',
                billable boolean NOT NULL,
                created_at timestamptz NOT NULL)
            """,
            "CREATE INDEX time_logs_ticket ON {schema}.time_logs (ticket_id, id)",
            "ALTER TABLE {schema}.departments ADD COLUMN time_logs_billable boolean NOT NULL DEFAULT false",
        ]),
        Migration(version: 108, name: "departments open to outside managers", sql: [
            "ALTER TABLE {schema}.departments ADD COLUMN open_to_outside_managers boolean NOT NULL DEFAULT false",
        ]),
        Migration(version: 109, name: "rebalance rules and the reads that hold tickets", sql: [
            """
            CREATE TABLE {schema}.ticket_reads (
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                agent_id uuid NOT NULL,
                at timestamptz NOT NULL,
                PRIMARY KEY (ticket_id, agent_id))
            """,
            """
            CREATE TABLE {schema}.rebalance_rules (
                id uuid PRIMARY KEY,
                group_id uuid NOT NULL,
                rule jsonb NOT NULL,
                on_agent_start boolean NOT NULL,
                on_agent_stop boolean NOT NULL,
                last_run_at timestamptz,
                next_run_at timestamptz,
                version integer NOT NULL DEFAULT 1)
            """,
            "CREATE INDEX rebalance_rules_due ON {schema}.rebalance_rules (next_run_at) WHERE next_run_at IS NOT NULL",
            "CREATE INDEX rebalance_rules_group ON {schema}.rebalance_rules (group_id)",
        ]),
        Migration(version: 110, name: "related items", sql: [
            """
            CREATE TABLE {schema}.related_items (
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                kind text NOT NULL CHECK (kind IN ('ticket', 'chat', 'call_log', 'task')),
                item_id uuid NOT NULL,
                added_by uuid,
                added_at timestamptz NOT NULL,
                PRIMARY KEY (ticket_id, kind, item_id))
            """,
        ]),
        Migration(version: 111, name: "departments every agent finds through advanced search", sql: [
            "ALTER TABLE {schema}.departments ADD COLUMN open_to_all_agents_search boolean NOT NULL DEFAULT false",
        ]),
        Migration(version: 112, name: "quality control rules", sql: [
            """
            CREATE TABLE {schema}.quality_control (
                agent_id uuid PRIMARY KEY,
                forward_to text NOT NULL,
                frequency integer NOT NULL CHECK (frequency >= 1),
                replies_counted integer NOT NULL DEFAULT 0)
            """,
        ]),
        Migration(version: 113, name: "settings documents (Settings → Tickets)", sql: [
            SettingsDocuments.tableSQL,
        ]),
        Migration(version: 114, name: "open ticket views and the automatic time log switch", sql: [
            """
            CREATE TABLE {schema}.ticket_views (
                id uuid PRIMARY KEY,
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                agent_id uuid NOT NULL,
                opened_at timestamptz NOT NULL,
                closed_at timestamptz)
            """,
            "CREATE INDEX ticket_views_ticket ON {schema}.ticket_views (ticket_id)",
            """
            CREATE TABLE {schema}.identity_settings (
                id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
                automatic_time_logs boolean NOT NULL DEFAULT false,
                version integer NOT NULL DEFAULT 0)
            """,
            "INSERT INTO {schema}.identity_settings (id) VALUES (1)",
        ]),
        Migration(version: 115, name: "users' names and usernames, for searching tickets by customer", sql: [
            """
            CREATE TABLE {schema}.users (
                id uuid PRIMARY KEY,
                email text NOT NULL,
                display_name text NOT NULL)
            """,
            "CREATE INDEX users_email ON {schema}.users (lower(email))",
            "CREATE INDEX tickets_customer_email ON {schema}.tickets (lower(customer_email), created_at)",
        ]),
        Migration(version: 116, name: "company signatures, and brands' names for them", sql: [
            "CREATE TABLE {schema}.brands (id uuid PRIMARY KEY, name text NOT NULL, hostname text)",
            """
            CREATE TABLE {schema}.signatures (
                id uuid PRIMARY KEY,
                brand_id uuid,
                department_id uuid,
                group_id uuid,
                html text NOT NULL,
                version integer NOT NULL,
                created_at timestamptz NOT NULL)
            """,
            "CREATE UNIQUE INDEX signatures_scope ON {schema}.signatures (brand_id, department_id, group_id) NULLS NOT DISTINCT",
        ]),
        Migration(version: 117, name: "timing alerts (idle and duration warning/critical)", sql: [
            """
            ALTER TABLE {schema}.tickets
                ADD COLUMN idle_alert smallint NOT NULL DEFAULT 0,
                ADD COLUMN duration_alert smallint NOT NULL DEFAULT 0
            """,
            """
            CREATE INDEX tickets_idle_alerts ON {schema}.tickets (idle_since)
            WHERE status IN ('active') AND deleted_at IS NULL AND idle_alert < 2
            """,
            """
            CREATE INDEX tickets_duration_alerts ON {schema}.tickets (created_at)
            WHERE status IN ('active', 'waiting') AND deleted_at IS NULL AND duration_alert < 2
            """,
        ]),
        Migration(version: 118, name: "directory changes notify the request caches (DirectoryCache)", sql: [
            """
            CREATE FUNCTION {schema}.notify_directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify(TG_TABLE_SCHEMA || '.directory', '');
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER memberships_changed
            AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF group_id, agent_id, department_id ON {schema}.agent_groups
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_directory_changed()
            """,
            """
            CREATE TRIGGER departments_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {schema}.departments
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_directory_changed()
            """,
        ]),
        Migration(version: 119, name: "tasks, and the department's guard that closes tickets only when their tasks are done", sql: [
            """
            CREATE TABLE {schema}.tasks (
                id uuid PRIMARY KEY,
                brand_id uuid,
                ticket_id uuid REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                agent_id uuid NOT NULL,
                subject text NOT NULL,
                description text NOT NULL,
                status text NOT NULL CHECK (status IN
                    ('under_consideration', 'approved', 'in_progress', 'on_hold', 'in_review', 'completed', 'rejected')),
                priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
                start_at timestamptz,
                due_at timestamptz,
                completed_at timestamptz,
                original_estimate integer,
                remaining_estimate integer,
                reminder_minutes integer,
                created_by uuid,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                deleted_at timestamptz,
                version integer NOT NULL DEFAULT 1)
            """,
            "CREATE INDEX tasks_agent ON {schema}.tasks (agent_id, (coalesce(due_at, 'infinity'::timestamptz)), id) WHERE deleted_at IS NULL",
            "CREATE INDEX tasks_ticket ON {schema}.tasks (ticket_id) WHERE ticket_id IS NOT NULL",
            "CREATE INDEX tasks_deleted ON {schema}.tasks (deleted_at) WHERE deleted_at IS NOT NULL",
            "CREATE INDEX related_items_item ON {schema}.related_items (kind, item_id)",
            "ALTER TABLE {schema}.departments ADD COLUMN require_tasks_completed_to_close boolean NOT NULL DEFAULT false",
        ]),
        Migration(version: 120, name: "task timers (started, reminder, due)", sql: [
            """
            CREATE TABLE {schema}.task_timers (
                task_id uuid NOT NULL REFERENCES {schema}.tasks (id) ON DELETE CASCADE,
                kind text NOT NULL CHECK (kind IN ('started', 'reminder', 'due')),
                due_at timestamptz NOT NULL,
                PRIMARY KEY (task_id, kind))
            """,
            "CREATE INDEX task_timers_due ON {schema}.task_timers (due_at)",
        ]),
        Migration(version: 121, name: "task comments", sql: [
            """
            CREATE TABLE {schema}.task_comments (
                id uuid PRIMARY KEY,
                task_id uuid NOT NULL REFERENCES {schema}.tasks (id) ON DELETE CASCADE,
                author_id uuid NOT NULL,
                body text NOT NULL,
                created_at timestamptz NOT NULL)
            """,
            "CREATE INDEX task_comments_task ON {schema}.task_comments (task_id, created_at)",
        ]),
        Migration(version: 122, name: "the Follow-ups list, soonest first", sql: [
            "CREATE INDEX tickets_followups ON {schema}.tickets (agent_id, follow_up_at, id) WHERE follow_up_at IS NOT NULL AND deleted_at IS NULL",
        ]),
        Migration(version: 123, name: "department and brand lists sorted by a column of the ticket", sql: ["department", "brand"].flatMap { scope in
            [
                ("subject", "lower(subject)"), ("email", "lower(customer_email)"), ("duration", "created_at"), ("idle", "idle_since"),
                ("messages", "(messages_in + messages_out) DESC"),
            ].map { name, value in
                let order = value == "idle_since" ? "idle_since, id" : "\(value), idle_since, id"
                return "CREATE INDEX tickets_\(scope)_by_\(name) ON {schema}.tickets (\(scope)_id, status, \(order)) WHERE deleted_at IS NULL"
            }
        }),
        Migration(version: 124, name: "a follow-up whose time has come stays on its ticket, marked due, until the agent deals with it", sql: [
            "ALTER TABLE {schema}.tickets ADD COLUMN follow_up_due boolean NOT NULL DEFAULT false",
        ]),
        Migration(version: 125, name: "the Idempotency-Keys of new tickets and customers' messages, kept as long as their ticket", sql: [
            """
            CREATE TABLE {schema}.request_keys (
                key text PRIMARY KEY,
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                fingerprint text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE INDEX request_keys_ticket ON {schema}.request_keys (ticket_id)",
        ]),
        Migration(version: 126, name: "auto-delete of tickets with resolutions, and re-timing a department's tickets when its timers change", sql: [
            "ALTER TABLE {schema}.departments ADD COLUMN auto_delete_resolved boolean NOT NULL DEFAULT false",
            "CREATE TABLE {schema}.timer_resyncs (department_id uuid PRIMARY KEY, after_ticket uuid)",
        ]),
        Migration(version: 127, name: "a deleted department's tickets handed to another department or deleted", sql: [
            "CREATE TABLE {schema}.department_removals (department_id uuid PRIMARY KEY, move_to uuid, after_ticket uuid)",
        ]),
        Migration(version: 128, name: "the Queue's Waiting and Closed tabs: unassigned tickets of every status, listed and counted", sql: [
            """
            CREATE INDEX tickets_queue_other ON {schema}.tickets (group_id, status, priority DESC, created_at, id)
            WHERE agent_id IS NULL AND status <> 'active' AND deleted_at IS NULL
            """,
            """
            INSERT INTO {schema}.ticket_counts (scope, scope_id, status, shard, n)
            SELECT 'queue', group_id, status, 0, count(*) FROM {schema}.tickets
            WHERE agent_id IS NULL AND status <> 'active' AND deleted_at IS NULL GROUP BY group_id, status
            ON CONFLICT (scope, scope_id, status, shard) DO UPDATE SET n = {schema}.ticket_counts.n + excluded.n
            """,
        ]),
        Migration(version: 129, name: "Send notification to customer when tickets are auto-closed", sql: [
            "ALTER TABLE {schema}.departments ADD COLUMN notify_on_auto_close boolean NOT NULL DEFAULT false",
        ]),
        Migration(version: 130, name: "a reply's own subject, shown in its header", sql: [
            "ALTER TABLE {schema}.messages ADD COLUMN subject text",
        ]),
        Migration(version: 131, name: "the response clock: since when a customer waits for an answer, and the agent's first response", sql: [
            "ALTER TABLE {schema}.tickets ADD COLUMN awaiting_since timestamptz, ADD COLUMN first_response_at timestamptz",
            """
            UPDATE {schema}.tickets t SET first_response_at = o.first FROM (
                SELECT ticket_id, min(created_at) AS first FROM {schema}.messages m
                WHERE direction = 'out' AND EXISTS (
                    SELECT 1 FROM {schema}.messages i WHERE i.ticket_id = m.ticket_id AND i.direction = 'in' AND i.created_at <= m.created_at)
                GROUP BY ticket_id) o
            WHERE o.ticket_id = t.id
            """,
            """
            UPDATE {schema}.tickets t SET awaiting_since = w.since FROM (
                SELECT m.ticket_id, min(m.created_at) AS since FROM {schema}.messages m
                LEFT JOIN (SELECT ticket_id, max(created_at) AS last_out FROM {schema}.messages WHERE direction = 'out' GROUP BY ticket_id) o
                    ON o.ticket_id = m.ticket_id
                WHERE m.direction = 'in' AND (o.last_out IS NULL OR m.created_at > o.last_out)
                GROUP BY m.ticket_id) w
            WHERE w.ticket_id = t.id
            """,
            "DROP INDEX {schema}.tickets_idle_alerts",
            """
            CREATE INDEX tickets_idle_alerts ON {schema}.tickets ((COALESCE(awaiting_since, idle_since)))
            WHERE status IN ('active') AND deleted_at IS NULL AND idle_alert < 2
            """,
        ]),
        Migration(version: 132, name: "the attachments an outgoing message carried (a reply's Attach Files, a forward's)", sql: [
            """
            CREATE TABLE {schema}.message_attachments (
                message_id uuid NOT NULL REFERENCES {schema}.messages (id) ON DELETE CASCADE,
                attachment_id uuid NOT NULL REFERENCES {schema}.attachments (id) ON DELETE CASCADE,
                PRIMARY KEY (message_id, attachment_id))
            """,
            "CREATE INDEX message_attachments_attachment ON {schema}.message_attachments (attachment_id)",
        ]),
        Migration(version: 133, name: "a time log's subject", sql: [
            "ALTER TABLE {schema}.time_logs ADD COLUMN subject text NOT NULL DEFAULT ''",
        ]),
        Migration(version: 134, name: "the Task Scheduler: recurring tasks", sql: [
            """
            CREATE TABLE {schema}.task_schedules (
                id uuid PRIMARY KEY,
                brand_id uuid,
                subject text NOT NULL,
                description text NOT NULL,
                agent_id uuid NOT NULL,
                status text NOT NULL,
                priority text NOT NULL,
                original_estimate integer,
                remaining_estimate integer,
                first_occurrence timestamptz NOT NULL,
                frequency text NOT NULL,
                every integer NOT NULL,
                weekdays bigint[] NOT NULL,
                time_zone text NOT NULL,
                next_run_at timestamptz NOT NULL,
                created_by uuid NOT NULL,
                created_at timestamptz NOT NULL,
                version integer NOT NULL)
            """,
            "CREATE INDEX task_schedules_next ON {schema}.task_schedules (next_run_at)",
            "CREATE INDEX task_schedules_agent ON {schema}.task_schedules (agent_id)",
            "CREATE INDEX task_schedules_creator ON {schema}.task_schedules (created_by)",
        ]),
        Migration(version: 135, name: "a draft's own subject and the attachments chosen for the reply", sql: [
            "ALTER TABLE {schema}.drafts ADD COLUMN subject text, ADD COLUMN attachment_ids uuid[] NOT NULL DEFAULT '{}'",
        ]),
        Migration(version: 136, name: "whether a user confirmed their address: they see every ticket submitted under it", sql: [
            "ALTER TABLE {schema}.users ADD COLUMN email_verified boolean NOT NULL DEFAULT false",
        ]),
        Migration(version: 137, name: "the upload lists of identity's settings: what agents and end users may attach (NULL: the defaults)", sql: [
            "ALTER TABLE {schema}.identity_settings ADD COLUMN agent_upload_extensions text[], ADD COLUMN user_upload_extensions text[]",
        ]),
        Migration(version: 138, name: "organizations' member filters, for their Tickets tab and the portal's Organization tab", sql: [
            "CREATE TABLE {schema}.organizations (id uuid PRIMARY KEY, version integer NOT NULL)",
            """
            CREATE TABLE {schema}.organization_members (
                organization_id uuid NOT NULL REFERENCES {schema}.organizations (id) ON DELETE CASCADE,
                kind text NOT NULL,
                value text NOT NULL,
                view_tickets boolean NOT NULL,
                PRIMARY KEY (organization_id, kind, value))
            """,
            "CREATE INDEX organization_members_filter ON {schema}.organization_members (kind, value)",
            "CREATE INDEX tickets_customer_domain ON {schema}.tickets ((split_part(lower(customer_email), '@', 2)))",
        ]),
        Migration(version: 139, name: "the customers of tickets merged into another, who see the merged ticket as theirs", sql: [
            """
            CREATE TABLE {schema}.ticket_participants (
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                email text NOT NULL,
                user_id uuid,
                PRIMARY KEY (ticket_id, email))
            """,
            "CREATE INDEX ticket_participants_user ON {schema}.ticket_participants (user_id) WHERE user_id IS NOT NULL",
            "CREATE INDEX ticket_participants_email ON {schema}.ticket_participants (email)",
        ]),
        Migration(version: 140, name: "the CAPTCHA of identity's settings, and the challenges spent by new tickets", sql: [
            "ALTER TABLE {schema}.identity_settings ADD COLUMN captcha text NOT NULL DEFAULT 'builtin'",
            """
            CREATE TRIGGER identity_settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {schema}.identity_settings
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_directory_changed()
            """,
            "CREATE TABLE {schema}.captcha_spent (id text PRIMARY KEY, expires_at timestamptz NOT NULL)",
            "CREATE INDEX captcha_spent_expiry ON {schema}.captcha_spent (expires_at)",
        ]),
        Migration(version: 141, name: "forwarded messages, which only agents read", sql: [
            "ALTER TABLE {schema}.messages ADD COLUMN forwarded boolean NOT NULL DEFAULT false",
        ]),
        Migration(version: 142, name: "departments' portal submission settings: verified email, knowledge base search, messages before and after", sql: [
            """
            ALTER TABLE {schema}.departments ADD COLUMN require_verified_email boolean NOT NULL DEFAULT false,
                ADD COLUMN search_knowledge_base boolean NOT NULL DEFAULT true, ADD COLUMN message_before_submission text NOT NULL DEFAULT '',
                ADD COLUMN message_after_submission text NOT NULL DEFAULT ''
            """,
        ]),
        Migration(version: 143, name: "the survey a department offers when its tickets close", sql: [
            "ALTER TABLE {schema}.departments ADD COLUMN survey_when_closed text",
        ]),
        Migration(version: 144, name: "the previous messages a reply quotes when sent (Max Messages in Replies)", sql: [
            "ALTER TABLE {schema}.messages ADD COLUMN quoted_html text, ADD COLUMN quoted_text text",
        ]),
        Migration(version: 145, name: "forms, and the copies sent on tickets with their answers", sql: [
            """
            CREATE TABLE {schema}.forms (
                id uuid PRIMARY KEY, name text NOT NULL, definition jsonb NOT NULL, version integer NOT NULL, created_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE {schema}.sent_forms (
                id uuid PRIMARY KEY, ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE, form_id uuid NOT NULL,
                message_id uuid NOT NULL, sent_by uuid NOT NULL,
                sent_at timestamptz NOT NULL, definition jsonb NOT NULL, answers jsonb, completed_at timestamptz
            )
            """,
            "CREATE INDEX sent_forms_ticket ON {schema}.sent_forms (ticket_id, sent_at)",
        ]),
        Migration(version: 146, name: "agents who signed out, who receive no tickets until they sign in again", sql: [
            "ALTER TABLE {schema}.agents ADD COLUMN signed_out boolean NOT NULL DEFAULT false",
        ]),
        Migration(version: 147, name: "files agents upload for a ticket they are about to create", sql: [
            """
            CREATE TABLE {schema}.uploads (
                id uuid PRIMARY KEY, uploaded_by uuid NOT NULL, filename text NOT NULL, content_type text NOT NULL, size integer NOT NULL,
                bytes bytea NOT NULL, created_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX uploads_created ON {schema}.uploads (created_at)",
        ]),
        Migration(version: 148, name: "time logs on tasks", sql: [
            """
            ALTER TABLE {schema}.time_logs ALTER COLUMN ticket_id DROP NOT NULL,
                ADD COLUMN task_id uuid REFERENCES {schema}.tasks (id) ON DELETE CASCADE,
                ADD CONSTRAINT time_logs_on_one_item CHECK ((ticket_id IS NULL) <> (task_id IS NULL))
            """,
            "CREATE INDEX time_logs_task ON {schema}.time_logs (task_id, id) WHERE task_id IS NOT NULL",
        ]),
        Migration(version: 149, name: "identity's comments on users, whose sticky ones lead the agents' timeline of the user's tickets", sql: [
            """
            CREATE TABLE {schema}.user_comments (
                id uuid PRIMARY KEY, user_id uuid NOT NULL, author_id uuid, body text NOT NULL, sticky boolean NOT NULL,
                created_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX user_comments_sticky ON {schema}.user_comments (user_id) WHERE sticky",
        ]),
        Migration(version: 150, name: "the addresses of each ticket's header (its messages' To and Cc), which organizations' email and domain members match", sql: [
            """
            CREATE TABLE {schema}.ticket_addresses (
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                email text NOT NULL,
                PRIMARY KEY (ticket_id, email))
            """,
            "CREATE INDEX ticket_addresses_email ON {schema}.ticket_addresses (email)",
            "CREATE INDEX ticket_addresses_domain ON {schema}.ticket_addresses ((split_part(email, '@', 2)))",
            """
            CREATE FUNCTION {schema}.keep_ticket_addresses() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO {schema}.ticket_addresses (ticket_id, email)
                SELECT NEW.ticket_id, lower(address) FROM unnest(NEW.to_addresses || NEW.cc_addresses) AS address
                ON CONFLICT DO NOTHING;
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER messages_header_addresses AFTER INSERT ON {schema}.messages FOR EACH ROW
            WHEN (NOT NEW.forwarded AND cardinality(NEW.to_addresses) + cardinality(NEW.cc_addresses) > 0)
            EXECUTE FUNCTION {schema}.keep_ticket_addresses()
            """,
            """
            CREATE TRIGGER messages_moved_header_addresses AFTER UPDATE OF ticket_id ON {schema}.messages FOR EACH ROW
            WHEN (NOT NEW.forwarded AND cardinality(NEW.to_addresses) + cardinality(NEW.cc_addresses) > 0 AND OLD.ticket_id <> NEW.ticket_id)
            EXECUTE FUNCTION {schema}.keep_ticket_addresses()
            """,
            """
            INSERT INTO {schema}.ticket_addresses (ticket_id, email)
            SELECT ticket_id, lower(address) FROM {schema}.messages, unnest(to_addresses || cc_addresses) AS address WHERE NOT forwarded
            ON CONFLICT DO NOTHING
            """,
        ]),
        Migration(version: 151, name: "what incoming messages were before they were made safe: their HTML (Show HTML) and raw email (Raw Content)", sql: [
            """
            CREATE TABLE {schema}.message_sources (
                message_id uuid PRIMARY KEY REFERENCES {schema}.messages (id) ON DELETE CASCADE, original_html text, raw_content text)
            """,
        ]),
        Migration(version: 152, name: "users' phone numbers, through which organizations' phone members have tickets", sql: [
            "CREATE TABLE {schema}.user_phones (user_id uuid NOT NULL, phone text NOT NULL, PRIMARY KEY (user_id, phone))",
            "CREATE INDEX user_phones_phone ON {schema}.user_phones (phone)",
        ]),
        Migration(version: 153, name: "Google reCAPTCHA's secret key and the address its answers are checked at, from identity's settings", sql: [
            """
            ALTER TABLE {schema}.identity_settings ADD COLUMN captcha_secret_key text NOT NULL DEFAULT '',
                ADD COLUMN captcha_verify_url text NOT NULL DEFAULT 'https://www.google.com/recaptcha/api/siteverify'
            """,
        ]),
        Migration(version: 154, name: "departments' language, and each ticket's: its department's when it was opened or transferred there", sql: [
            "ALTER TABLE {schema}.departments ADD COLUMN language text NOT NULL DEFAULT 'en'",
            "ALTER TABLE {schema}.tickets ADD COLUMN language text NOT NULL DEFAULT 'en'",
            """
            UPDATE {schema}.tickets t SET language = d.language FROM {schema}.departments d WHERE d.id = t.department_id AND d.language <> 'en'
            """,
        ]),
        Migration(version: 155, name: "time log categories deleted while time logs use them are retired, so the logs and reports keep them", sql: [
            "ALTER TABLE {schema}.time_log_categories ADD COLUMN retired_at timestamptz",
            "DROP INDEX {schema}.time_log_categories_name",
            "CREATE UNIQUE INDEX time_log_categories_name ON {schema}.time_log_categories (lower(name)) WHERE retired_at IS NULL",
        ]),
        Migration(version: 156, name: "time logs by category: whether a category is in use, and the key check when one is deleted", sql: [
            "CREATE INDEX time_logs_category ON {schema}.time_logs (category_id) WHERE category_id IS NOT NULL",
        ]),
        Migration(version: 157, name: "forwarders and recent lists by ticket: a purged or merged ticket's cascade read them whole", sql: [
            "CREATE INDEX forwarders_ticket ON {schema}.forwarders (ticket_id)",
            "CREATE INDEX agent_recent_ticket ON {schema}.agent_recent (ticket_id)",
        ]),
        Migration(version: 158, name: "tickets newest first: an advanced search without text sorted every ticket it matched", sql: [
            "CREATE INDEX tickets_created ON {schema}.tickets (created_at DESC, id DESC) WHERE deleted_at IS NULL",
        ]),
        Migration(version: 159, name: "the default templates for tickets, live chats and call logs; a department without a template uses the tickets one", sql: [
            "ALTER TABLE {schema}.templates ADD COLUMN default_for text UNIQUE CHECK (default_for IN ('tickets', 'chats', 'call_logs'))",
            """
            INSERT INTO {schema}.templates (id, name, fields, default_for) VALUES
                (gen_random_uuid(), 'Default Ticket Template', '[]', 'tickets'),
                (gen_random_uuid(), 'Default Live Chat Template', '[]', 'chats'),
                (gen_random_uuid(), 'Default Call Log Template', '[]', 'call_logs')
            """,
            """
            CREATE TRIGGER templates_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {schema}.templates
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_directory_changed()
            """,
        ]),
        Migration(version: 160, name: "a transfer keeps the customer's wait (the idle clock) and measures the new agent's response from the transfer", sql: [
            "ALTER TABLE {schema}.tickets ADD COLUMN response_transferred_at timestamptz",
        ]),
        Migration(version: 161, name: "the time of a ticket's last follow-up, to fill the dialog again after the customer suspended it", sql: [
            "ALTER TABLE {schema}.tickets ADD COLUMN follow_up_last_at timestamptz",
        ]),
        Migration(version: 162, name: "each brand's View Ticket Requires, the role portal visitors need to see tickets", sql: [
            "CREATE TABLE {schema}.brand_portal_access (brand_id uuid PRIMARY KEY, view_tickets_requires text NOT NULL, version integer NOT NULL)",
            """
            CREATE TRIGGER brand_portal_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {schema}.brand_portal_access
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_directory_changed()
            """,
        ]),
        Migration(version: 163, name: "each brand's Ticket and Chat Privacy Policy, which portal submissions consent to when it is enabled", sql: [
            "ALTER TABLE {schema}.brand_portal_access ADD COLUMN privacy_policy_url text",
        ]),
        Migration(version: 164, name: "every comment agents keep on a user, for a ticket's Comments tab", sql: [
            "CREATE INDEX user_comments_user ON {schema}.user_comments (user_id)",
        ]),
        Migration(version: 165, name: "the largest attachment identity's settings allow (Uploads), in megabytes", sql: [
            "ALTER TABLE {schema}.identity_settings ADD COLUMN max_attachment_mb integer",
        ]),
        Migration(
            version: 166, name: "each ticket's JSON as lists show it, kept in its row by a trigger, so a list page is not decoded and encoded again",
            sql: TicketListJSON.migration166),
        Migration(
            version: 167, name: "a check that the agents' counters a batch of new tickets was distributed from are unchanged, raising CD001 when not",
            sql: [
                """
                CREATE FUNCTION {schema}.distribution_unchanged(unchanged boolean) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
                BEGIN
                    IF unchanged IS NOT TRUE THEN
                        RAISE EXCEPTION 'the agents'' counters changed since the round robin read them' USING ERRCODE = 'CD001';
                    END IF;
                    RETURN true;
                END
                $$
                """,
            ]),
        Migration(
            version: 168, name: "priorities stored as their rank 0-3 only: list cursors read a priority back through its rank",
            sql: [
                // What every reader already showed for another rank (`TicketPriority(rank:)`, `ticket_json`): Normal.
                """
                UPDATE {schema}.tickets SET priority = CASE WHEN priority BETWEEN 0 AND 3 THEN priority ELSE 1 END,
                    follow_up_priority = CASE WHEN follow_up_priority BETWEEN 0 AND 3 THEN follow_up_priority ELSE 1 END
                WHERE priority NOT BETWEEN 0 AND 3 OR follow_up_priority NOT BETWEEN 0 AND 3
                """,
                """
                ALTER TABLE {schema}.tickets ADD CONSTRAINT tickets_priority_rank CHECK (priority BETWEEN 0 AND 3),
                    ADD CONSTRAINT tickets_follow_up_priority_rank CHECK (follow_up_priority BETWEEN 0 AND 3)
                """,
            ]),
        Migration(version: 169, name: "a department moved to another brand takes its tickets along, batch by batch", sql: [
            "CREATE TABLE {schema}.department_brand_moves (department_id uuid PRIMARY KEY, after_ticket uuid)",
        ]),
        Migration(version: 170, name: "a deleted group's tickets handed to its department's front-line group, batch by batch", sql: [
            "CREATE TABLE {schema}.group_removals (group_id uuid PRIMARY KEY, department_id uuid NOT NULL, after_ticket uuid)",
        ]),
        Migration(version: 171, name: "deleted groups remembered, so that a membership announced after the deletion does not bring one back", sql: [
            "CREATE TABLE {schema}.deleted_groups (id uuid PRIMARY KEY, deleted_at timestamptz NOT NULL DEFAULT now())",
        ]),
        Migration(version: 172, name: "commands kept until the department they name is known", sql: [
            """
            CREATE TABLE {schema}.parked_commands (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                department_id uuid NOT NULL,
                type text NOT NULL,
                event bytea NOT NULL,
                parked_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE INDEX parked_commands_department ON {schema}.parked_commands (department_id)",
        ]),
        Migration(version: 173, name: "deleted departments remembered with where their tickets went, for commands that still name them", sql: [
            "CREATE TABLE {schema}.deleted_departments (id uuid PRIMARY KEY, move_to uuid, deleted_at timestamptz NOT NULL DEFAULT now())",
        ]),
        // Auto-close counts the hours a ticket has been Waiting [S003:43, S001:2873], auto-lock those it has been Closed
        // [S003:45]: from its last change of status, or, while Waiting, from the agent's last reply (which marks it
        // Waiting again); an agent's other changes while Waiting set it too (`TicketStore.save`, S001:6021). Rows from
        // before keep NULL, read as their last action (and close) as before.
        Migration(version: 174, name: "the time a ticket took its status, which auto-close and auto-lock count from", sql: [
            "ALTER TABLE {schema}.tickets ADD COLUMN status_since timestamptz",
            "ALTER TABLE {schema}.tickets ALTER COLUMN status_since SET DEFAULT now()",
            """
            CREATE FUNCTION {schema}.ticket_status_since() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.status IS DISTINCT FROM OLD.status OR (NEW.status = 'waiting' AND NEW.messages_out > OLD.messages_out) THEN
                    NEW.status_since := now();
                END IF;
                RETURN NEW;
            END $$
            """,
            """
            CREATE TRIGGER ticket_status_since BEFORE UPDATE OF status, messages_out ON {schema}.tickets
                FOR EACH ROW EXECUTE FUNCTION {schema}.ticket_status_since()
            """,
        ]),
        // By Agent shows a manager an agent's list only when every ticket in it is in a department they manage: the
        // departments where each agent holds tickets are counted as the other views are (``CountPlacement``).
        Migration(version: 175, name: "the departments where each agent holds tickets, counted", sql: [
            """
            INSERT INTO {schema}.ticket_counts (scope, scope_id, status, shard, n)
            SELECT 'agent_in:' || agent_id, department_id, status, 0, count(*) FROM {schema}.tickets
            WHERE deleted_at IS NULL AND agent_id IS NOT NULL GROUP BY agent_id, department_id, status
            """,
        ]),
        // The list pages a tickets process keeps (``ViewPageCache``) are dropped when a ticket of their agent, group,
        // department or brand changes, before or after the change: one notification per statement on `<schema>.lists`,
        // naming each `scope:id` once ("*" when they would not fit in a payload). A count changes only in a statement
        // that changes its tickets, so the tickets' triggers announce the counts too.
        Migration(version: 176, name: "changed tickets notify the list pages kept by the tickets processes", sql: [
            """
            CREATE FUNCTION {schema}.notify_lists_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                tags text := '*';
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    SELECT string_agg(DISTINCT tag, ',') INTO tags FROM changed_new,
                        LATERAL (VALUES ('agent:' || agent_id), ('group:' || group_id), ('department:' || department_id), ('brand:' || brand_id)) named(tag)
                    WHERE tag IS NOT NULL;
                ELSIF TG_OP = 'DELETE' THEN
                    SELECT string_agg(DISTINCT tag, ',') INTO tags FROM changed_old,
                        LATERAL (VALUES ('agent:' || agent_id), ('group:' || group_id), ('department:' || department_id), ('brand:' || brand_id)) named(tag)
                    WHERE tag IS NOT NULL;
                ELSIF TG_OP = 'UPDATE' THEN
                    SELECT string_agg(DISTINCT tag, ',') INTO tags FROM (
                        SELECT agent_id, group_id, department_id, brand_id FROM changed_new
                        UNION ALL SELECT agent_id, group_id, department_id, brand_id FROM changed_old) changed,
                        LATERAL (VALUES ('agent:' || agent_id), ('group:' || group_id), ('department:' || department_id), ('brand:' || brand_id)) named(tag)
                    WHERE tag IS NOT NULL;
                END IF;
                IF tags IS NOT NULL THEN
                    PERFORM pg_notify(TG_TABLE_SCHEMA || '.lists', CASE WHEN length(tags) > 7000 THEN '*' ELSE tags END);
                END IF;
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER tickets_inserted_lists AFTER INSERT ON {schema}.tickets REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_lists_changed()",
            "CREATE TRIGGER tickets_updated_lists AFTER UPDATE ON {schema}.tickets REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_lists_changed()",
            "CREATE TRIGGER tickets_deleted_lists AFTER DELETE ON {schema}.tickets REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_lists_changed()",
            "CREATE TRIGGER tickets_truncated_lists AFTER TRUNCATE ON {schema}.tickets FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_lists_changed()",
        ]),
        // An update that leaves every member a page reads as it was (a response clock, `counts_toward_max`) no longer
        // drops pages, and a statement of more than a thousand tickets announces "*" without gathering their tags.
        // Emptying `ticket_counts` (by hand or a repair) announces "*" too.
        Migration(version: 177, name: "list pages dropped only for changes they show; emptied counts announced", sql: [
            """
            CREATE OR REPLACE FUNCTION {schema}.notify_lists_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                tags text := '*';
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    \(listTags(of: "changed_new"))
                ELSIF TG_OP = 'DELETE' THEN
                    \(listTags(of: "changed_old"))
                ELSIF TG_OP = 'UPDATE' THEN
                    IF (SELECT count(*) FROM changed_new) <= 1000 THEN
                        SELECT string_agg(DISTINCT tag, ',') INTO tags FROM (
                            SELECT n.agent_id, n.group_id, n.department_id, n.brand_id, o.agent_id AS old_agent, o.group_id AS old_group,
                                   o.department_id AS old_department, o.brand_id AS old_brand
                            FROM changed_new n JOIN changed_old o USING (id)
                            WHERE n.list_json IS DISTINCT FROM o.list_json OR n.deleted_at IS DISTINCT FROM o.deleted_at
                               OR n.idle_since IS DISTINCT FROM o.idle_since OR n.status IS DISTINCT FROM o.status
                               OR n.priority IS DISTINCT FROM o.priority OR n.agent_id IS DISTINCT FROM o.agent_id
                               OR n.group_id IS DISTINCT FROM o.group_id OR n.department_id IS DISTINCT FROM o.department_id
                               OR n.brand_id IS DISTINCT FROM o.brand_id) changed,
                            LATERAL (VALUES ('agent:' || agent_id), ('group:' || group_id), ('department:' || department_id), ('brand:' || brand_id),
                                ('agent:' || old_agent), ('group:' || old_group), ('department:' || old_department), ('brand:' || old_brand)) named(tag)
                        WHERE tag IS NOT NULL;
                    END IF;
                END IF;
                IF tags IS NOT NULL THEN
                    PERFORM pg_notify(TG_TABLE_SCHEMA || '.lists', CASE WHEN length(tags) > 7000 THEN '*' ELSE tags END);
                END IF;
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER counts_truncated_lists AFTER TRUNCATE ON {schema}.ticket_counts FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_lists_changed()",
        ]),
        Migration(version: 178, name: "when each customer last read each ticket, for the portal's Ticket Response alerts", sql: [
            """
            CREATE TABLE {schema}.customer_reads (
                ticket_id uuid NOT NULL REFERENCES {schema}.tickets (id) ON DELETE CASCADE,
                user_id uuid NOT NULL,
                read_at timestamptz NOT NULL,
                PRIMARY KEY (ticket_id, user_id))
            """,
        ]),
        Migration(version: 179, name: "a keyed upload to a ticket names the attachment it wrote, which its retries answer", sql: [
            "ALTER TABLE {schema}.request_keys ADD COLUMN attachment_id uuid",
        ]),
        Migration(version: 180, name: "commands whose department went with its tickets kept for an administrator to place", sql: [
            "ALTER TABLE {schema}.parked_commands ADD COLUMN reason text NOT NULL DEFAULT 'department_unknown'",
        ]),
        Migration(version: 181, name: "a deleted department's or group's sweep checks again for tickets committed after it found none", sql: [
            "ALTER TABLE {schema}.department_removals ADD COLUMN finished_at timestamptz, ADD COLUMN checked_at timestamptz",
            "ALTER TABLE {schema}.group_removals ADD COLUMN finished_at timestamptz, ADD COLUMN checked_at timestamptz",
        ]),
        Migration(version: 182, name: "ticket views that made an automatic time log, whose time a window open beside them does not log again", sql: [
            "ALTER TABLE {schema}.ticket_views ADD COLUMN logged boolean NOT NULL DEFAULT false",
        ]),
        Migration(version: 183, name: "files portal visitors upload without signing in, by the address they came from", sql: [
            "ALTER TABLE {schema}.uploads ADD COLUMN anonymous_from text",
            "CREATE INDEX uploads_anonymous ON {schema}.uploads (anonymous_from) WHERE anonymous_from IS NOT NULL",
        ]),
        Migration(version: 184, name: "a draft's version, so that two agents saving one ticket's draft cannot overwrite each other unseen", sql: [
            "ALTER TABLE {schema}.drafts ADD COLUMN version integer NOT NULL DEFAULT 1",
        ]),
        Migration(version: 185, name: "the raw emails still kept, which Delete Raw Content After reads newest first", sql: [
            "CREATE INDEX message_sources_raw ON {schema}.message_sources (message_id) WHERE raw_content IS NOT NULL",
        ]),
        Migration(version: 186, name: "a group moved to another department takes its tickets along, batch by batch", sql: [
            """
            CREATE TABLE {schema}.group_department_moves (
                group_id uuid PRIMARY KEY, department_id uuid NOT NULL, after_ticket uuid, finished_at timestamptz, checked_at timestamptz)
            """,
        ]),
    ]

    /// The PL/pgSQL of migration 177 that sets `tags` to the `scope:id` tags of the tickets in `rows` (a transition
    /// table), left "*" past a thousand of them.
    static func listTags(of rows: String) -> String {
        """
        IF (SELECT count(*) FROM \(rows)) <= 1000 THEN
                        SELECT string_agg(DISTINCT tag, ',') INTO tags FROM \(rows),
                            LATERAL (VALUES ('agent:' || agent_id), ('group:' || group_id), ('department:' || department_id), ('brand:' || brand_id)) named(tag)
                        WHERE tag IS NOT NULL;
                    END IF;
        """
    }
}

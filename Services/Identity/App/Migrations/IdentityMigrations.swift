import Auth
import Database
import Foundation

/// The identity schema's history (platform tables are versions 1–99).
public enum IdentityMigrations {
    public static let all: [Migration] = [
        Migration(version: 100, name: "brands, users and sessions", sql: [
            """
            CREATE TABLE {schema}.brands (
                id uuid PRIMARY KEY,
                name text NOT NULL,
                version integer NOT NULL DEFAULT 1,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
            """
            CREATE TABLE {schema}.brand_hostnames (
                hostname text PRIMARY KEY,
                brand_id uuid NOT NULL REFERENCES {schema}.brands (id) ON DELETE CASCADE,
                position integer NOT NULL)
            """,
            "CREATE INDEX brand_hostnames_brand ON {schema}.brand_hostnames (brand_id, position)",
            """
            CREATE TABLE {schema}.users (
                id uuid PRIMARY KEY,
                email text NOT NULL,
                password_hash text NOT NULL,
                display_name text NOT NULL,
                is_system_administrator boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE UNIQUE INDEX users_email ON {schema}.users (lower(email))",
            """
            CREATE TABLE {schema}.sessions (
                id uuid PRIMARY KEY,
                user_id uuid NOT NULL REFERENCES {schema}.users (id) ON DELETE CASCADE,
                refresh_token_hash bytea NOT NULL UNIQUE,
                created_at timestamptz NOT NULL DEFAULT now(),
                refreshed_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                revoked_at timestamptz)
            """,
            "CREATE INDEX sessions_user ON {schema}.sessions (user_id)",
        ]),
        Migration(version: 101, name: "security settings and sign-in lockouts", sql: [
            """
            CREATE TABLE {schema}.security_settings (
                id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
                brute_force_protection boolean NOT NULL DEFAULT true,
                max_failed_sign_ins integer NOT NULL DEFAULT 10,
                max_failed_sign_ins_per_address integer NOT NULL DEFAULT 50,
                lockout_minutes integer NOT NULL DEFAULT 5,
                password_minimum_length integer NOT NULL DEFAULT 8,
                require_numbers boolean NOT NULL DEFAULT false,
                require_uppercase boolean NOT NULL DEFAULT false,
                require_lowercase boolean NOT NULL DEFAULT false,
                require_symbol boolean NOT NULL DEFAULT false,
                require_not_username boolean NOT NULL DEFAULT true,
                version integer NOT NULL DEFAULT 1,
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
            "INSERT INTO {schema}.security_settings (id) VALUES (1)",
            """
            CREATE TABLE {schema}.sign_in_failures (
                kind text NOT NULL CHECK (kind IN ('account', 'address')),
                subject text NOT NULL,
                failures integer NOT NULL,
                first_failure_at timestamptz NOT NULL,
                locked_until timestamptz,
                PRIMARY KEY (kind, subject))
            """,
        ]),
        Migration(version: 102, name: "roles and role assignments", sql: [
            """
            CREATE TABLE {schema}.roles (
                id uuid PRIMARY KEY,
                name text NOT NULL,
                type text NOT NULL CHECK (type IN ('employee', 'user')),
                is_predefined boolean NOT NULL DEFAULT false,
                grants jsonb NOT NULL,
                version integer NOT NULL DEFAULT 1,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE UNIQUE INDEX roles_name ON {schema}.roles (lower(name))",
            """
            CREATE TABLE {schema}.user_roles (
                user_id uuid NOT NULL REFERENCES {schema}.users (id) ON DELETE CASCADE,
                role_id uuid NOT NULL REFERENCES {schema}.roles (id) ON DELETE CASCADE,
                PRIMARY KEY (user_id, role_id))
            """,
            "CREATE INDEX user_roles_role ON {schema}.user_roles (role_id)",
        ] + predefinedRoleRows + [
            """
            INSERT INTO {schema}.user_roles (user_id, role_id)
            SELECT u.id, r.id FROM {schema}.users u JOIN {schema}.roles r
              ON (u.is_system_administrator AND r.name IN ('Administrator', 'Agent'))
              OR (NOT u.is_system_administrator AND r.name = 'Registered User')
            """,
        ]),
        Migration(version: 103, name: "departments, groups, memberships and agent status", sql: [
            """
            CREATE TABLE {schema}.departments (
                id uuid PRIMARY KEY,
                brand_id uuid NOT NULL REFERENCES {schema}.brands (id),
                name text NOT NULL,
                front_line_group_id uuid NOT NULL,
                language text NOT NULL DEFAULT 'en',
                email_address text,
                hidden_from_portal boolean NOT NULL DEFAULT false,
                live_chat_enabled boolean NOT NULL DEFAULT true,
                version integer NOT NULL DEFAULT 1,
                created_at timestamptz NOT NULL DEFAULT now())
            """,
            """
            CREATE TABLE {schema}.groups (
                id uuid PRIMARY KEY,
                department_id uuid NOT NULL REFERENCES {schema}.departments (id) ON DELETE CASCADE,
                name text NOT NULL,
                ticket_estimate_minutes integer,
                chat_estimate_minutes integer,
                created_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE UNIQUE INDEX groups_name ON {schema}.groups (department_id, lower(name))",
            """
            ALTER TABLE {schema}.departments ADD CONSTRAINT departments_front_line_group
                FOREIGN KEY (front_line_group_id) REFERENCES {schema}.groups (id) DEFERRABLE INITIALLY DEFERRED
            """,
            """
            CREATE TABLE {schema}.group_members (
                group_id uuid NOT NULL REFERENCES {schema}.groups (id) ON DELETE CASCADE,
                user_id uuid NOT NULL REFERENCES {schema}.users (id) ON DELETE CASCADE,
                ticket_handling text NOT NULL DEFAULT 'primary' CHECK (ticket_handling IN ('pull', 'primary', 'secondary')),
                chat_handling text NOT NULL DEFAULT 'primary' CHECK (chat_handling IN ('pull', 'primary', 'secondary')),
                max_tickets integer,
                excluded_channels text[] NOT NULL DEFAULT '{}',
                tickets_active boolean NOT NULL DEFAULT false,
                chats_active boolean NOT NULL DEFAULT false,
                PRIMARY KEY (group_id, user_id))
            """,
            "CREATE INDEX group_members_user ON {schema}.group_members (user_id)",
            """
            CREATE TABLE {schema}.agent_presence (
                user_id uuid PRIMARY KEY REFERENCES {schema}.users (id) ON DELETE CASCADE,
                available boolean NOT NULL DEFAULT true,
                changed_at timestamptz NOT NULL DEFAULT now())
            """,
        ]),
        Migration(version: 104, name: "api keys", sql: [
            """
            CREATE TABLE {schema}.api_keys (
                id uuid PRIMARY KEY,
                user_id uuid NOT NULL REFERENCES {schema}.users (id) ON DELETE CASCADE,
                name text NOT NULL,
                secret_hash bytea NOT NULL,
                permissions jsonb NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz,
                last_used_at timestamptz,
                revoked_at timestamptz)
            """,
            "CREATE INDEX api_keys_user ON {schema}.api_keys (user_id)",
        ]),
        Migration(version: 105, name: "password resets", sql: [oneTimeTokenTable("password_resets")]),
        Migration(version: 106, name: "email verification", sql: [
            "ALTER TABLE {schema}.users ADD COLUMN email_verified_at timestamptz",
            oneTimeTokenTable("email_verifications"),
        ]),
        Migration(version: 107, name: "organizations", sql: [
            """
            CREATE TABLE {schema}.organizations (
                id uuid PRIMARY KEY,
                name text NOT NULL,
                website text, phone text, employees text,
                address1 text, address2 text, city text, state text, postal_code text, country text,
                version integer NOT NULL DEFAULT 1,
                created_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE UNIQUE INDEX organizations_name ON {schema}.organizations (lower(name))",
            """
            CREATE TABLE {schema}.organization_members (
                id uuid PRIMARY KEY,
                organization_id uuid NOT NULL REFERENCES {schema}.organizations (id) ON DELETE CASCADE,
                kind text NOT NULL CHECK (kind IN ('email', 'username', 'domain', 'phone')),
                value text NOT NULL,
                view_organization_tickets boolean NOT NULL DEFAULT false,
                UNIQUE (organization_id, kind, value))
            """,
            "CREATE INDEX organization_members_value ON {schema}.organization_members (kind, value)",
        ]),
        Migration(version: 108, name: "settings documents, profiles, images, people fields and comments", sql: [
            "ALTER TABLE {schema}.brands ADD COLUMN settings jsonb NOT NULL DEFAULT '{}', ADD COLUMN settings_version integer NOT NULL DEFAULT 1",
            "ALTER TABLE {schema}.departments ADD COLUMN settings jsonb NOT NULL DEFAULT '{}'",
            "ALTER TABLE {schema}.groups ADD COLUMN version integer NOT NULL DEFAULT 1",
            "ALTER TABLE {schema}.groups ADD COLUMN time_estimates jsonb NOT NULL DEFAULT '{}'",
            """
            UPDATE {schema}.groups SET time_estimates = jsonb_strip_nulls(jsonb_build_object(
                'ticketCreated', ticket_estimate_minutes, 'liveChatStarted', chat_estimate_minutes))
            """,
            "ALTER TABLE {schema}.groups DROP COLUMN ticket_estimate_minutes, DROP COLUMN chat_estimate_minutes",
            """
            ALTER TABLE {schema}.users
                ADD COLUMN profile jsonb NOT NULL DEFAULT '{}',
                ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}',
                ADD COLUMN force_password_change boolean NOT NULL DEFAULT false,
                ADD COLUMN version integer NOT NULL DEFAULT 1
            """,
            """
            CREATE TABLE {schema}.images (
                owner text PRIMARY KEY,
                content_type text NOT NULL,
                bytes bytea NOT NULL,
                width integer NOT NULL,
                height integer NOT NULL,
                version integer NOT NULL DEFAULT 1,
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
            """
            CREATE TABLE {schema}.people_fields (
                id uuid PRIMARY KEY,
                name text NOT NULL,
                data_type text NOT NULL,
                options text[] NOT NULL DEFAULT '{}',
                default_value text,
                created_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE UNIQUE INDEX people_fields_name ON {schema}.people_fields (lower(name))",
            """
            CREATE TABLE {schema}.comments (
                id uuid PRIMARY KEY,
                subject_kind text NOT NULL CHECK (subject_kind IN ('user', 'organization')),
                subject_id uuid NOT NULL,
                author_id uuid,
                body text NOT NULL,
                sticky boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE INDEX comments_subject ON {schema}.comments (subject_kind, subject_id, sticky DESC, id DESC)",
            """
            ALTER TABLE {schema}.group_members
                ADD COLUMN auto_inactive_minutes integer,
                ADD COLUMN hand_off_on_auto_inactive boolean NOT NULL DEFAULT false,
                ADD COLUMN go_active_on_login boolean NOT NULL DEFAULT false
            """,
        ]),
        Migration(version: 109, name: "installation settings documents", sql: [
            SettingsDocuments.tableSQL,
        ]),
        Migration(version: 110, name: "agents' last activity, for Auto-Inactive", sql: [
            "ALTER TABLE {schema}.users ADD COLUMN last_activity_at timestamptz",
        ]),
        Migration(version: 111, name: "the built-in CAPTCHA challenges spent by registrations", sql: [
            "CREATE TABLE {schema}.captcha_spent (id text PRIMARY KEY, expires_at timestamptz NOT NULL)",
            "CREATE INDEX captcha_spent_expiry ON {schema}.captcha_spent (expires_at)",
        ]),
        Migration(version: 112, name: "users by the domain of their address, for organizations' domain members", sql: [
            "CREATE INDEX users_domain ON {schema}.users (split_part(lower(email), '@', 2))",
        ]),
        Migration(version: 113, name: "agents announced as signed in, whom a sweep signs out once their sessions go unused", sql: [
            "ALTER TABLE {schema}.users ADD COLUMN signed_in boolean NOT NULL DEFAULT false",
            """
            UPDATE {schema}.users SET signed_in = true
            WHERE id IN (SELECT user_id FROM {schema}.sessions WHERE revoked_at IS NULL AND expires_at > now())
              AND id IN (SELECT user_id FROM {schema}.group_members)
            """,
            "CREATE INDEX users_signed_in ON {schema}.users (id) WHERE signed_in",
        ]),
        Migration(version: 114, name: "people custom field values on departments and groups, as on users", sql: [
            "ALTER TABLE {schema}.departments ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}'",
            "ALTER TABLE {schema}.groups ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}'",
        ]),
        Migration(version: 115, name: "a new user, department or group starts with each people field's default value", sql: [
            """
            CREATE FUNCTION {schema}.people_field_defaults() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.custom_fields := coalesce(
                    (SELECT jsonb_object_agg(f.id::text, f.default_value) FROM {schema}.people_fields f WHERE coalesce(f.default_value, '') <> ''),
                    '{}'::jsonb) || coalesce(NEW.custom_fields, '{}'::jsonb);
                RETURN NEW;
            END $$
            """,
            "CREATE TRIGGER users_people_field_defaults BEFORE INSERT ON {schema}.users FOR EACH ROW EXECUTE FUNCTION {schema}.people_field_defaults()",
            "CREATE TRIGGER departments_people_field_defaults BEFORE INSERT ON {schema}.departments FOR EACH ROW EXECUTE FUNCTION {schema}.people_field_defaults()",
            "CREATE TRIGGER groups_people_field_defaults BEFORE INSERT ON {schema}.groups FOR EACH ROW EXECUTE FUNCTION {schema}.people_field_defaults()",
        ]),
    ]

    /// A table of emailed single-use tokens, the shape `OneTimeTokens` reads.
    static func oneTimeTokenTable(_ name: String) -> String {
        """
        CREATE TABLE {schema}.\(name) (
            id uuid PRIMARY KEY,
            user_id uuid NOT NULL REFERENCES {schema}.users (id) ON DELETE CASCADE,
            token_hash bytea NOT NULL UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL,
            used_at timestamptz)
        """
    }

    /// The six predefined roles with their documented defaults, as rows; an administrator may edit them later.
    static var predefinedRoleRows: [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return PredefinedRoles.all.map { role in
            let grants = (try? encoder.encode(role.grants)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            let literal = grants.replacingOccurrences(of: "'", with: "''")
            return "INSERT INTO {schema}.roles (id, name, type, is_predefined, grants) VALUES (gen_random_uuid(), '\(role.name)', '\(role.type.rawValue)', true, '\(literal)'::jsonb)"
        }
    }
}

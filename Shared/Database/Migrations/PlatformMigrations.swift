/// Tables every service schema has: the transactional outbox and the processed-events ledger.
/// Versions 1–99 belong to the platform; a service numbers its own migrations from 100.
public enum PlatformMigrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "outbox and processed events", sql: [
            """
            CREATE TABLE {schema}.outbox (
                id bigserial PRIMARY KEY,
                event_id uuid NOT NULL UNIQUE,
                topic text NOT NULL,
                message_key text NOT NULL,
                payload bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                published_at timestamptz)
            """,
            "CREATE INDEX outbox_unpublished ON {schema}.outbox (id) WHERE published_at IS NULL",
            "CREATE INDEX outbox_created_at ON {schema}.outbox (created_at)",
            """
            CREATE TABLE {schema}.processed_events (
                consumer text NOT NULL,
                event_id uuid NOT NULL,
                processed_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (consumer, event_id))
            """,
        ]),
        Migration(version: 2, name: "mail outbox", sql: [
            """
            CREATE TABLE {schema}.mail_outbox (
                id bigserial PRIMARY KEY,
                recipient text NOT NULL,
                subject text NOT NULL,
                body text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                sent_at timestamptz,
                attempts integer NOT NULL DEFAULT 0,
                last_error text)
            """,
            "CREATE INDEX mail_outbox_unsent ON {schema}.mail_outbox (id) WHERE sent_at IS NULL",
        ]),
        Migration(version: 3, name: "the outbox's unpublished events listed apart, so that publishing deletes a small row instead of rewriting the event", sql: [
            "CREATE TABLE {schema}.outbox_pending (id bigint PRIMARY KEY)",
            "INSERT INTO {schema}.outbox_pending (id) SELECT id FROM {schema}.outbox WHERE published_at IS NULL",
            "DROP INDEX {schema}.outbox_unpublished",
            "ALTER TABLE {schema}.outbox DROP COLUMN published_at",
        ]),
        Migration(version: 4, name: "processed events by age, for their purge", sql: [
            "CREATE INDEX processed_events_processed_at ON {schema}.processed_events (processed_at)",
        ]),
        Migration(version: 5, name: "mail the relay gave up on, kept with its last error", sql: [
            "ALTER TABLE {schema}.mail_outbox ADD COLUMN given_up_at timestamptz",
        ]),
    ]
}

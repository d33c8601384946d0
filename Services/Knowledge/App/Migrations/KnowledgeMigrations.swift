import Database

/// The knowledge schema's history (platform tables are versions 1–99).
public enum KnowledgeMigrations {
    public static let all: [Migration] = [
        Migration(version: 100, name: "folders, articles and unsuccessful searches", sql: [
            """
            CREATE TABLE {schema}.folders (
                id uuid PRIMARY KEY,
                brand_id uuid NOT NULL,
                parent_id uuid REFERENCES {schema}.folders (id) ON DELETE CASCADE,
                name text NOT NULL,
                include_in_automatic_search boolean NOT NULL DEFAULT true,
                created_at timestamptz NOT NULL)
            """,
            "CREATE INDEX folders_brand ON {schema}.folders (brand_id, parent_id)",
            """
            CREATE TABLE {schema}.articles (
                id uuid PRIMARY KEY,
                brand_id uuid NOT NULL,
                folder_id uuid REFERENCES {schema}.folders (id) ON DELETE SET NULL,
                language text NOT NULL,
                translation_of uuid,
                title text NOT NULL,
                slug text NOT NULL,
                summary text NOT NULL DEFAULT '',
                body_html text NOT NULL,
                body_text text NOT NULL,
                assigned_agent_id uuid,
                is_private boolean NOT NULL DEFAULT false,
                is_draft boolean NOT NULL DEFAULT false,
                review text NOT NULL DEFAULT 'none' CHECK (review IN ('none', 'review', 'reviewed')),
                featured boolean NOT NULL DEFAULT false,
                stale_at timestamptz,
                reviewed_at timestamptz,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                deleted_at timestamptz,
                version integer NOT NULL)
            """,
            "CREATE INDEX articles_listing ON {schema}.articles (brand_id, language, updated_at DESC, id) WHERE deleted_at IS NULL",
            "CREATE INDEX articles_folder ON {schema}.articles (folder_id) WHERE deleted_at IS NULL",
            "CREATE INDEX articles_deleted ON {schema}.articles (deleted_at) WHERE deleted_at IS NOT NULL",
            """
            CREATE TABLE {schema}.unsuccessful_searches (
                id uuid PRIMARY KEY,
                brand_id uuid,
                language text NOT NULL,
                query text NOT NULL,
                employee boolean NOT NULL,
                searched_at timestamptz NOT NULL)
            """,
            "CREATE INDEX unsuccessful_searches_time ON {schema}.unsuccessful_searches (brand_id, searched_at DESC)",
        ]),
        Migration(version: 101, name: "feedback, abuse reports and blocked authors", sql: [
            """
            CREATE TABLE {schema}.feedback (
                id uuid PRIMARY KEY,
                article_id uuid NOT NULL REFERENCES {schema}.articles (id) ON DELETE CASCADE,
                brand_id uuid NOT NULL,
                author_key text,
                body_html text NOT NULL,
                body_text text NOT NULL,
                state text NOT NULL CHECK (state IN ('pending', 'approved', 'blocked', 'closed')),
                abuse_reports integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL,
                moderated_at timestamptz,
                moderated_by uuid)
            """,
            "CREATE INDEX feedback_article ON {schema}.feedback (article_id, created_at)",
            "CREATE INDEX feedback_moderation ON {schema}.feedback (brand_id, state, created_at)",
            """
            CREATE TABLE {schema}.feedback_abuse (
                feedback_id uuid NOT NULL REFERENCES {schema}.feedback (id) ON DELETE CASCADE,
                reporter_key text NOT NULL,
                reported_at timestamptz NOT NULL,
                PRIMARY KEY (feedback_id, reporter_key))
            """,
            """
            CREATE TABLE {schema}.feedback_blocklist (
                brand_id uuid NOT NULL,
                author_key text NOT NULL,
                blocked_at timestamptz NOT NULL,
                PRIMARY KEY (brand_id, author_key))
            """,
        ]),
        Migration(version: 102, name: "news items beside articles, with publish dates", sql: [
            """
            ALTER TABLE {schema}.articles
                ADD COLUMN kind text NOT NULL DEFAULT 'article' CHECK (kind IN ('article', 'news')),
                ADD COLUMN published_at timestamptz
            """,
            "UPDATE {schema}.articles SET published_at = created_at",
            "ALTER TABLE {schema}.articles ALTER COLUMN published_at SET NOT NULL",
            "DROP INDEX {schema}.articles_listing",
            "CREATE INDEX articles_listing ON {schema}.articles (brand_id, kind, updated_at DESC, id) WHERE deleted_at IS NULL",
            "CREATE INDEX news_listing ON {schema}.articles (brand_id, kind, published_at DESC, id) WHERE deleted_at IS NULL",
        ]),
        Migration(version: 103, name: "broken-link scan results", sql: [
            "ALTER TABLE {schema}.articles ADD COLUMN links_checked_at timestamptz",
            "CREATE INDEX articles_link_scan ON {schema}.articles (links_checked_at NULLS FIRST, id) WHERE deleted_at IS NULL",
            """
            CREATE TABLE {schema}.link_checks (
                article_id uuid NOT NULL REFERENCES {schema}.articles (id) ON DELETE CASCADE,
                url text NOT NULL,
                broken boolean NOT NULL,
                status integer,
                reason text,
                checked_at timestamptz NOT NULL,
                PRIMARY KEY (article_id, url))
            """,
            "CREATE INDEX link_checks_broken ON {schema}.link_checks (article_id) WHERE broken",
        ]),
        Migration(version: 104, name: "views per day and visitor, helpfulness ratings", sql: [
            """
            CREATE TABLE {schema}.article_views (
                article_id uuid NOT NULL REFERENCES {schema}.articles (id) ON DELETE CASCADE,
                day date NOT NULL,
                visitor_key text NOT NULL,
                spider boolean NOT NULL,
                hits integer NOT NULL,
                PRIMARY KEY (article_id, day, visitor_key))
            """,
            """
            CREATE TABLE {schema}.article_ratings (
                article_id uuid NOT NULL REFERENCES {schema}.articles (id) ON DELETE CASCADE,
                rater_key text NOT NULL,
                helpful boolean NOT NULL,
                rated_at timestamptz NOT NULL,
                PRIMARY KEY (article_id, rater_key))
            """,
        ]),
        Migration(version: 105, name: "canned replies, their folders, and agents' departments", sql: [
            """
            CREATE TABLE {schema}.canned_folders (
                id uuid PRIMARY KEY,
                parent_id uuid REFERENCES {schema}.canned_folders (id) ON DELETE CASCADE,
                name text NOT NULL,
                created_at timestamptz NOT NULL)
            """,
            """
            CREATE TABLE {schema}.canned_replies (
                id uuid PRIMARY KEY,
                folder_id uuid REFERENCES {schema}.canned_folders (id) ON DELETE CASCADE,
                title text NOT NULL,
                body_html text NOT NULL,
                body_text text NOT NULL,
                assigned_type text NOT NULL CHECK (assigned_type IN ('everyone', 'agent', 'department')),
                assigned_id uuid,
                is_draft boolean NOT NULL,
                reply_type text NOT NULL CHECK (reply_type IN ('ticketsAndChats', 'tickets', 'chats')),
                language text NOT NULL,
                created_by uuid,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                deleted_at timestamptz,
                version integer NOT NULL,
                CHECK ((assigned_type = 'everyone') = (assigned_id IS NULL)))
            """,
            "CREATE INDEX canned_replies_assigned ON {schema}.canned_replies (assigned_type, assigned_id) WHERE deleted_at IS NULL",
            "CREATE INDEX canned_replies_folder ON {schema}.canned_replies (folder_id) WHERE deleted_at IS NULL",
            """
            CREATE TABLE {schema}.agent_departments (
                agent_id uuid NOT NULL,
                group_id uuid NOT NULL,
                department_id uuid NOT NULL,
                PRIMARY KEY (agent_id, group_id))
            """,
            "CREATE INDEX agent_departments_department ON {schema}.agent_departments (department_id)",
        ]),
        Migration(version: 106, name: "stale dates for every article, and which staleness was announced", sql: [
            "ALTER TABLE {schema}.articles ADD COLUMN stale_signalled_at timestamptz",
            "UPDATE {schema}.articles SET stale_at = created_at + interval '365 days' WHERE stale_at IS NULL",
            "CREATE INDEX articles_stale ON {schema}.articles (stale_at) WHERE stale_signalled_at IS NULL AND deleted_at IS NULL",
        ]),
        Migration(version: 107, name: "the stale-after setting, and stale dates for canned replies", sql: [
            """
            CREATE TABLE {schema}.settings (
                id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
                stale_after_days integer NOT NULL DEFAULT 365,
                version integer NOT NULL DEFAULT 0)
            """,
            "INSERT INTO {schema}.settings (id) VALUES (1)",
            "ALTER TABLE {schema}.canned_replies ADD COLUMN stale_at timestamptz",
            "UPDATE {schema}.canned_replies SET stale_at = created_at + interval '365 days'",
            "ALTER TABLE {schema}.canned_replies ALTER COLUMN stale_at SET NOT NULL",
            "CREATE INDEX canned_replies_stale ON {schema}.canned_replies (stale_at) WHERE deleted_at IS NULL",
        ]),
        Migration(version: 108, name: "each brand's portal gates for articles and news", sql: [
            """
            CREATE TABLE {schema}.brand_gates (
                brand_id uuid PRIMARY KEY,
                view_articles text NOT NULL,
                view_news text NOT NULL,
                version integer NOT NULL)
            """,
        ]),
        Migration(version: 109, name: "forwarded pages of deleted items", sql: [
            "CREATE TABLE {schema}.forwards (from_id uuid PRIMARY KEY, to_id uuid NOT NULL, created_at timestamptz NOT NULL)",
        ]),
        Migration(version: 110, name: "who may read each folder on the portal", sql: [
            """
            ALTER TABLE {schema}.folders
                ADD COLUMN view_requires text NOT NULL DEFAULT 'Everyone',
                ADD COLUMN effective_view_requires text NOT NULL DEFAULT 'Everyone'
            """,
        ]),
        Migration(version: 111, name: "the portal search log and the results read from it", sql: [
            """
            CREATE TABLE {schema}.searches (
                id uuid PRIMARY KEY,
                brand_id uuid NOT NULL,
                language text NOT NULL,
                query text NOT NULL,
                visitor_key text,
                result_count integer NOT NULL,
                searched_at timestamptz NOT NULL)
            """,
            "CREATE INDEX searches_time ON {schema}.searches (brand_id, searched_at)",
            """
            CREATE TABLE {schema}.search_views (
                search_id uuid NOT NULL,
                article_id uuid NOT NULL,
                viewed_at timestamptz NOT NULL,
                PRIMARY KEY (search_id, article_id))
            """,
        ]),
        Migration(version: 112, name: "articles shown in more than their own brand", sql: [
            "ALTER TABLE {schema}.articles ADD COLUMN shared_brand_ids uuid[] NOT NULL DEFAULT '{}'",
            "CREATE INDEX articles_shared_brands ON {schema}.articles USING gin (shared_brand_ids) WHERE deleted_at IS NULL",
        ]),
        Migration(version: 113, name: "each brand's KB voting and feedback moderation", sql: [
            """
            ALTER TABLE {schema}.brand_gates
                ADD COLUMN voting_enabled boolean NOT NULL DEFAULT false,
                ADD COLUMN feedback_moderated boolean NOT NULL DEFAULT true
            """,
        ]),
        Migration(version: 114, name: "featured articles for the knowledge base main page", sql: [
            "CREATE INDEX articles_featured ON {schema}.articles (brand_id, language) WHERE featured AND deleted_at IS NULL",
        ]),
        Migration(version: 115, name: "translations by the article they translate: every portal article page read all articles for them", sql: [
            "CREATE INDEX articles_translations ON {schema}.articles (translation_of) WHERE translation_of IS NOT NULL AND deleted_at IS NULL",
        ]),
    ]
}

-- Bulk-loads the knowledge base articles `make bench` searches, straight into the knowledge schema (the service
-- rebuilds its search index from the table afterwards). Variables (psql -v):
--   articles  how many (100000)      brand  the demo brand (odd-numbered articles go to a second brand)
-- Flags: every 10th article (i % 10 = 3) private, every 20th (i % 20 = 7) a draft, every 50th (i % 50 = 11)
-- deleted; so all articles with an even number are public. Words: a title of 5, a summary of 12 and a body of
-- 80 words drawn log-uniformly from w1..w2000 (w1 in nearly every article, w300 in a few per cent), plus the
-- rare token r<i % 20000> (5 articles each: even tokens only in public articles of the demo brand). Slugs start
-- with bench- so a second run can tell the articles are there.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO knowledge.articles (
    id, brand_id, folder_id, language, translation_of, title, slug, summary, body_html, body_text, assigned_agent_id, is_private,
    is_draft, review, featured, stale_at, reviewed_at, created_at, updated_at, deleted_at, version, kind, published_at, links_checked_at)
SELECT
    md5('bench-article-' || i)::uuid,
    CASE WHEN i % 2 = 0 THEN :'brand'::uuid ELSE 'b0000000-0000-4000-8000-000000000002'::uuid END,
    NULL, 'en', NULL, initcap(title), 'bench-' || i, summary, '<p>' || body || '</p>', body, NULL, i % 10 = 3, i % 20 = 7, 'none', false,
    NULL, NULL, created, created, CASE WHEN i % 50 = 11 THEN now() END, 1, 'article', created, now()
FROM (
    SELECT i, now() - interval '365 days' * random() AS created,
        (SELECT string_agg('w' || floor(exp(random() * ln(2000)))::int, ' ') FROM generate_series(1, 5 + 0 * i)) AS title,
        (SELECT string_agg('w' || floor(exp(random() * ln(2000)))::int, ' ') FROM generate_series(1, 12 + 0 * i)) AS summary,
        (SELECT string_agg('w' || floor(exp(random() * ln(2000)))::int, ' ') FROM generate_series(1, 80 + 0 * i)) || ' r' || (i % 20000) AS body
    FROM generate_series(1, :articles) AS i
) a;
COMMIT;
VACUUM ANALYZE knowledge.articles;

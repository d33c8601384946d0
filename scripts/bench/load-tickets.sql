-- Bulk-loads the tickets `make bench` measures views and search over, straight into the tickets schema (the
-- service rebuilds its search index from these tables afterwards). Variables (psql -v):
--   tickets  how many (1000000)      brand   the brand most tickets belong to (70 %; the rest to another brand)
-- Shape, as the issue asks: 30 % active, 10 % waiting, 55 % closed, 5 % deleted, in 50 groups of 5 departments.
-- Words: a message is 30 words drawn log-uniformly from w1..w2000 (w1 in most tickets, w300 in about 1 %, w1900
-- in about 0.1 %) plus one rare token r0..r199999 (about 5 tickets each). Numbers start with BLK- so a second
-- run can tell the tickets are there.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE bench_subjects AS
SELECT ARRAY[
    'Printer on fire', 'Cannot sign in', 'Invoice is wrong', 'Refund request', 'Password reset does not arrive',
    'Order never shipped', 'App crashes on start', 'Change my billing address', 'Two-factor code rejected',
    'Export to CSV is empty', 'Slow dashboard', 'Upgrade my plan', 'Cancel subscription', 'Wrong VAT number',
    'Missing attachment', 'Email bounces', 'Cannot upload files', 'Search finds nothing', 'Delete my account',
    'Shipping label missing'] AS subjects;

INSERT INTO tickets.tickets (
    id, number, brand_id, department_id, group_id, agent_id, customer_email, subject, status, priority,
    pinned, counts_toward_max, messages_in, messages_out, created_at, idle_since, closed_at, deleted_at, last_action_at)
SELECT
    md5('bench-ticket-' || i)::uuid,
    'BLK-' || lpad(i::text, 10, '0'),
    CASE WHEN b < 0.7 THEN :'brand'::uuid ELSE 'b0000000-0000-4000-8000-000000000002'::uuid END,
    ('d0000000-0000-4000-8000-00000000000' || (g % 5))::uuid,
    ('a0000000-0000-4000-8000-0000000000' || lpad(g::text, 2, '0'))::uuid,
    CASE WHEN s < 0.03 THEN NULL ELSE ('e0000000-0000-4000-8000-000000000' || lpad((i % 200)::text, 3, '0'))::uuid END,
    'customer' || (i % 50000) || '@example.com',
    (SELECT subjects[1 + (i % 20)] FROM bench_subjects),
    CASE WHEN s < 0.30 THEN 'active' WHEN s < 0.40 THEN 'waiting' ELSE 'closed' END,
    (i % 4)::smallint, false, s < 0.30, 1, CASE WHEN s < 0.30 THEN 0 ELSE 1 END,
    created, created + (now() - created) * random(), CASE WHEN s >= 0.40 THEN now() - interval '1 day' END,
    CASE WHEN s >= 0.95 THEN now() - interval '1 day' END, now()
FROM (
    SELECT i, random() AS s, random() AS b, (i % 50) AS g, now() - interval '365 days' * random() AS created
    FROM generate_series(1, :tickets) AS i
) t;

INSERT INTO tickets.messages (id, ticket_id, direction, from_address, body_html, body_text, created_at)
SELECT md5('bench-message-' || i)::uuid, md5('bench-ticket-' || i)::uuid, 'in', 'customer' || (i % 50000) || '@example.com', body, body, now()
FROM (
    SELECT i, (SELECT string_agg('w' || floor(exp(random() * ln(2000)))::int, ' ') FROM generate_series(1, 30 + 0 * i))
              || ' r' || floor(random() * 200000)::int AS body
    FROM generate_series(1, :tickets) AS i
) m;

-- The counts are recomputed for every ticket, as migrations 103 and 128 first built them (nothing else changes tickets
-- while the bench loads); the Queue counts unassigned tickets of every status.
DELETE FROM tickets.ticket_counts;
INSERT INTO tickets.ticket_counts (scope, scope_id, status, shard, n)
SELECT scope, scope_id, status, 0, count(*) FROM (
    SELECT 'agent' AS scope, agent_id AS scope_id, status FROM tickets.tickets WHERE deleted_at IS NULL AND agent_id IS NOT NULL
    UNION ALL SELECT 'agent_in:' || agent_id, department_id, status FROM tickets.tickets WHERE deleted_at IS NULL AND agent_id IS NOT NULL
    UNION ALL SELECT 'group', group_id, status FROM tickets.tickets WHERE deleted_at IS NULL
    UNION ALL SELECT 'department', department_id, status FROM tickets.tickets WHERE deleted_at IS NULL
    UNION ALL SELECT 'brand', brand_id, status FROM tickets.tickets WHERE deleted_at IS NULL
    UNION ALL SELECT 'queue', group_id, status FROM tickets.tickets WHERE deleted_at IS NULL AND agent_id IS NULL
    UNION ALL SELECT 'followups', agent_id, 'scheduled' FROM tickets.tickets
        WHERE deleted_at IS NULL AND agent_id IS NOT NULL AND follow_up_at IS NOT NULL
) counted GROUP BY scope, scope_id, status;
COMMIT;
VACUUM ANALYZE tickets.tickets;
VACUUM ANALYZE tickets.messages;
VACUUM ANALYZE tickets.ticket_counts;

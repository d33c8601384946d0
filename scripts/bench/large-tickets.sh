# shellcheck shell=bash
# Sourced by scripts/bench.sh once its stack runs: views and search over CONCIERGE_BENCH_TICKETS [1000000] bulk-loaded
# tickets (scripts/bench/load-tickets.sql), each through the gateway beside what the layer below it can do:
#   - a view page (50 tickets of one group, Active) with its Active/Waiting/Closed counts, at 1 client (p50/p95)
#     and 8 clients (pages/s), as deployed (pages kept until their tickets change) and read from PostgreSQL each time
#     (Cache-Control: no-cache), beside pgbench running the service's statement prepared as the service does, and the
#     two statements (28 columns a ticket) it replaced planned on each run (this bench's reference until the service
#     prepared it);
#   - advanced search for rare, mid-frequency and common words and two-word queries with brand and status
#     filters, at 1 client and 8 clients, beside the same queries against the index in-process
#     (`concierge search-bench`, 1 and 2 threads).
# The tickets stay in the bench cluster (.run/bench/pg): a second run skips the load and the index rebuild.
# Uses bench.sh's THREADS, psql_bench, PGBENCH, BENCH_DIR, BRAND_ID, TOKEN, DURATION, the stack's ports and
# scripts/bench/measure.sh.

: "${THREADS:?}" "${DURATION:?}" "${WARMUP:?}" "${BENCH_DIR:?}"
LARGE_TICKETS=${CONCIERGE_BENCH_TICKETS:-1000000}
TICKETS_LOG="$BENCH_DIR/logs/tickets.log"
TICKETS_INDEX="$BENCH_DIR/data/tickets/tickets-index"

# The search index is ready once the tickets instance logged so after its last start.
index_ready() {
    awk '/=== .*starting tickets/ { ready = 0 } /search index ready/ { ready = 1 } END { exit !ready }' "$TICKETS_LOG"
}

wait_for_index() {
    local waited=0
    log "waiting for the tickets search index (a rebuild of $LARGE_TICKETS tickets takes minutes)" >&2
    until index_ready; do
        sleep 5
        waited=$((waited + 5))
        ((waited < 3600)) || die "the tickets search index was not ready after an hour (see $TICKETS_LOG)"
    done
    log "search index ready after about $waited s" >&2
}

loaded=$(psql_bench -tAc "SELECT count(*) FROM tickets.tickets WHERE number LIKE 'BLK-%'")
if ((loaded < LARGE_TICKETS)); then
    log "bulk-loading $LARGE_TICKETS tickets (once per bench cluster)" >&2
    psql_bench -c "DELETE FROM tickets.tickets WHERE number LIKE 'BLK-%'" >/dev/null
    start_load=$(date +%s)
    psql_bench -v tickets="$LARGE_TICKETS" -v brand="$BRAND_ID" -f "$SCRIPTS/bench/load-tickets.sql" >/dev/null
    log "loaded in $(($(date +%s) - start_load)) s; restarting tickets to rebuild its index from PostgreSQL" >&2
    stop_pids 30 "tickets:$(pid_of "$BENCH_DIR/pids/tickets.pid")"
    rm -rf "$TICKETS_INDEX"
    bash "$SCRIPTS/stack.sh" up >/dev/null
fi
wait_for_index
wait_for_quiet tickets "$(pid_of "$BENCH_DIR/pids/tickets.pid")"
TOKEN=$(sign_in)
[[ -n $TOKEN ]] || die "could not sign in again before measuring views"

export_runtime_env
CONCIERGE_BIN="$(bin_dir release)/concierge"

# Views: the first page of a group's Active tickets with the counts, for groups 10..49 in turn.
VIEW_PATHS="$BENCH_DIR/view-paths.txt"
for g in $(seq 10 49); do echo "/api/v1/tickets?view=group&id=a0000000-0000-4000-8000-0000000000$g&status=active&limit=50"; done >"$VIEW_PATHS"
# The service's statement (tickets' ScopedViewStatement writing JSON: the page's tickets as the JSON their rows keep,
# joined, and its counts, in one row), which the service prepares; for comparison, the statement before it (28 columns
# a ticket, prepared) and the two that one replaced, planned as they run, as this bench measured them before. The
# Active tab's statement reads one status; only the Closed tab's adds a branch for Closed and Locked.
VIEW_SQL="$BENCH_DIR/view-prepared.sql"
TWO_SQL="$BENCH_DIR/view.sql"
COLUMNS_SQL="tickets.id, number, brand_id, department_id, group_id, agent_id, customer_user_id, customer_email, subject, status, priority, pinned,
       messages_in, messages_out, created_at, idle_since, closed_at, version,
       follow_up_at, follow_up_note, follow_up_group_id, follow_up_agent_id, follow_up_priority, follow_up_pin, follow_up_due, tickets.language,
       idle_alert, duration_alert"
GROUP_ID="('a0000000-0000-4000-8000-0000000000' || :g)::uuid"
COUNTS_CTE="counts AS (
    SELECT coalesce(sum(n) FILTER (WHERE status = 'active'), 0)::integer AS counted_active,
           coalesce(sum(n) FILTER (WHERE status = 'waiting'), 0)::integer AS counted_waiting,
           coalesce(sum(n) FILTER (WHERE status IN ('closed', 'closed_locked')), 0)::integer AS counted_closed
    FROM tickets.ticket_counts WHERE scope = 'group' AND scope_id = $GROUP_ID
)"
PAGE_TAIL="FROM tickets.tickets WHERE group_id = $GROUP_ID AND status = 'active' AND deleted_at IS NULL
    ORDER BY priority DESC, idle_since, id LIMIT 51"
cat >"$VIEW_SQL" <<SQL
\set g random(10, 49)
WITH $COUNTS_CTE, page AS (SELECT tickets.id, list_json, priority, idle_since $PAGE_TAIL),
numbered AS (SELECT page.*, row_number() OVER (ORDER BY priority DESC, idle_since, id) AS n FROM page)
SELECT counts.*, listed.* FROM counts CROSS JOIN LATERAL (
    SELECT string_agg(list_json, ',' ORDER BY n) FILTER (WHERE n < 51) AS objects, count(*)::integer AS fetched,
           max(priority) FILTER (WHERE n = 50) AS last_priority, max(idle_since) FILTER (WHERE n = 50) AS last_idle_since,
           (array_agg(id) FILTER (WHERE n = 50))[1] AS last_id
    FROM numbered) listed;
SQL
# The statement before it, a row of 28 columns a ticket (until the rows kept their JSON), prepared: whether the
# reference got easier.
COLUMNS_PREPARED_SQL="$BENCH_DIR/view-columns-prepared.sql"
cat >"$COLUMNS_PREPARED_SQL" <<SQL
\set g random(10, 49)
WITH $COUNTS_CTE, page AS (SELECT $COLUMNS_SQL $PAGE_TAIL)
SELECT page.*, counts.* FROM counts LEFT JOIN page ON true ORDER BY page.priority DESC, page.idle_since, page.id;
SQL
cat >"$TWO_SQL" <<SQL
\set g random(10, 49)
SELECT $COLUMNS_SQL
FROM tickets.tickets WHERE group_id = ('a0000000-0000-4000-8000-0000000000' || :g)::uuid AND status = 'active' AND deleted_at IS NULL
ORDER BY priority DESC, idle_since, id LIMIT 51;
SELECT scope_id, status, sum(n)::integer FROM tickets.ticket_counts
WHERE scope = 'group' AND scope_id = ANY(ARRAY[('a0000000-0000-4000-8000-0000000000' || :g)::uuid]) GROUP BY scope_id, status;
SQL
# As deployed, a page asked for again while none of its group's tickets changed is answered from the tickets process's
# kept pages (ViewPageCache; nothing changes tickets during these runs); with Cache-Control: no-cache every page is
# read from PostgreSQL, the statement pgbench runs.
read -r v1_rps v1_p50 v1_p95 v1_bad < <(measure_paths view-1 1 1 "$VIEW_PATHS") || die "could not read $BENCH_DIR/wrk-view-1.txt"
read -r v8_rps _ _ v8_bad < <(measure_paths view-8 "$THREADS" 8 "$VIEW_PATHS") || die "could not read $BENCH_DIR/wrk-view-8.txt"
read -r f1_rps f1_p50 f1_p95 f1_bad < <(MEASURE_HEADER="Cache-Control: no-cache" measure_paths view-fresh-1 1 1 "$VIEW_PATHS") ||
    die "could not read $BENCH_DIR/wrk-view-fresh-1.txt"
read -r f8_rps _ _ f8_bad < <(MEASURE_HEADER="Cache-Control: no-cache" measure_paths view-fresh-8 "$THREADS" 8 "$VIEW_PATHS") ||
    die "could not read $BENCH_DIR/wrk-view-fresh-8.txt"
log "pgbench: the service's view statement prepared, the two statements it replaced planned each run (1 and 8 clients), the 28-column statement (8)" >&2
read -r _ pv1_p50 pv1_p95 < <(pgbench_latency 1 "$VIEW_SQL" prepared)
read -r pv8_tps _ _ < <(pgbench_latency 8 "$VIEW_SQL" prepared)
read -r _ tv1_p50 tv1_p95 < <(pgbench_latency 1 "$TWO_SQL")
read -r tv8_tps _ _ < <(pgbench_latency 8 "$TWO_SQL")
read -r cv8_tps _ _ < <(pgbench_latency 8 "$COLUMNS_PREPARED_SQL" prepared)

# Search: four kinds of query, each with the brand and status filters, through the gateway and in-process.
large_table=$(awk -v n="$LARGE_TICKETS" -v r1="$v1_rps" -v a50="$v1_p50" -v a95="$v1_p95" -v r8="$v8_rps" \
    -v f1="$f1_rps" -v f50="$f1_p50" -v f95="$f1_p95" -v f8="$f8_rps" \
    -v p50="$pv1_p50" -v p95="$pv1_p95" -v pt8="$pv8_tps" -v t50="$tv1_p50" -v t95="$tv1_p95" -v tt8="$tv8_tps" -v ct8="$cv8_tps" '
    BEGIN {
        printf "\n%d tickets (30 %% active, 10 %% waiting, 55 %% closed, 5 %% deleted; 50 groups)\n", n
        printf "%-58s %10s %10s %12s\n", "", "p50 ms", "p95 ms", "per second"
        printf "%-58s %10.3f %10.3f %12.0f   (target p95 <= 5 ms)\n", "view page (50) + counts, gateway, 1 client", a50, a95, r1
        printf "%-58s %10.3f %10.3f %12.0f\n", "the same, each read from PostgreSQL (no-cache), 1 client", f50, f95, f1
        printf "%-58s %10.3f %10.3f\n", "the same SQL prepared, pgbench, 1 client", p50, p95
        printf "%-58s %10.3f %10.3f\n", "two statements planned each run, pgbench, 1 client", t50, t95
        printf "%-58s %10s %10s %12.0f\n", "view page + counts, gateway, 8 clients", "", "", r8
        printf "%-58s %10s %10s %12.0f\n", "the same, each read from PostgreSQL (no-cache), 8 clients", "", "", f8
        printf "%-58s %10s %10s %12.0f\n", "the same SQL prepared, pgbench, 8 clients", "", "", pt8
        printf "%-58s %10s %10s %12.0f\n", "two statements planned each run, pgbench, 8 clients", "", "", tt8
        printf "%-58s %10s %10s %12.0f\n", "28 columns a ticket prepared, pgbench, 8 clients", "", "", ct8
        printf "%-58s %27.1f %%  (target >= 35 %%)\n", "gateway / pgbench (the same SQL prepared), 8 clients", (pt8 > 0 ? 100 * r8 / pt8 : 0)
        printf "%-58s %27.1f %%\n", "gateway, no-cache / pgbench (the same SQL prepared)", (pt8 > 0 ? 100 * f8 / pt8 : 0)
        printf "%-58s %27.1f %%\n", "gateway / pgbench (two statements planned), 8 clients", (tt8 > 0 ? 100 * r8 / tt8 : 0)
    }')
not_2xx view-1 "$v1_bad"
not_2xx view-8 "$v8_bad"
not_2xx view-fresh-1 "$f1_bad"
not_2xx view-fresh-8 "$f8_bad"
target "view page (50) + counts, 1 client, p95" "$v1_p95" "<=" 5 "ms"
target "view page + counts, 8 clients / pgbench, the same SQL prepared" "$(percent "$v8_rps" "$pv8_tps")" ">=" 35 "%"
target "the same, each page read from PostgreSQL (no-cache), 8 clients / pgbench" "$(percent "$f8_rps" "$pv8_tps")" ">=" 35 "%"
# Both sides of each search row read the index from memory (the gateway rows are measured first).
warm_files "$TICKETS_INDEX"
for kind in rare mid common two-words; do
    queries="$BENCH_DIR/search-$kind.tsv"
    case $kind in
        rare) for k in $(seq 1 40); do printf 'r%d\t%s\tactive\n' $((k * 4999)) "$BRAND_ID"; done ;;
        mid) for k in $(seq 300 339); do printf 'w%d\t%s\tactive\n' "$k" "$BRAND_ID"; done ;;
        common) for k in 1 2 3 4 5; do printf 'w%d\t%s\tactive\n' "$k" "$BRAND_ID"; done ;;
        two-words) for k in $(seq 1 40); do printf 'w%d w%d\t%s\tactive\n' $((k + 5)) $((k * 37)) "$BRAND_ID"; done ;;
    esac >"$queries"
    awk -F'\t' '{ gsub(/ /, "+", $1); printf "/api/v1/tickets/search?text=%s&brandID=%s&status=%s&limit=20\n", $1, $2, $3 }' "$queries" >"$BENCH_DIR/search-$kind-paths.txt"
    read -r s1_rps s1_p50 s1_p95 s1_bad < <(measure_paths "search-$kind-1" 1 1 "$BENCH_DIR/search-$kind-paths.txt") || die "search $kind: no wrk report"
    read -r s8_rps _ _ s8_bad < <(measure_paths "search-$kind-8" "$THREADS" 8 "$BENCH_DIR/search-$kind-paths.txt") || die "search $kind: no wrk report"
    not_2xx "search-$kind-1" "$s1_bad"
    not_2xx "search-$kind-8" "$s8_bad"
    log "search $kind in-process, 1 and 2 threads" >&2
    read -r i1_rps i1_p50 i1_p95 < <("$CONCIERGE_BIN" search-bench \
        --index "$TICKETS_INDEX" --queries "$queries" --limit 20 --concurrency 1 --seconds "${DURATION%s}")
    read -r i2_rps _ _ < <("$CONCIERGE_BIN" search-bench \
        --index "$TICKETS_INDEX" --queries "$queries" --limit 20 --concurrency 2 --seconds "${DURATION%s}")
    large_table+=$'\n'$(awk -v k="$kind" -v a50="$s1_p50" -v a95="$s1_p95" -v r1="$s1_rps" -v r8="$s8_rps" \
        -v b50="$i1_p50" -v b95="$i1_p95" -v q1="$i1_rps" -v q2="$i2_rps" '
        BEGIN {
            printf "%-46s %10.3f %10.3f %12.0f   (target p95 <= 40 ms)\n", "search " k ", gateway, 1 client", a50, a95, r1
            printf "%-46s %10.3f %10.3f %12.0f\n", "search " k ", in-process, 1 thread", b50, b95, q1
            printf "%-46s %10s %10s %12.0f\n", "search " k ", gateway, 8 clients", "", "", r8
            printf "%-46s %10s %10s %12.0f\n", "search " k ", in-process, 2 threads", "", "", q2
            printf "%-46s %33.1f %%  (target >= 50 %%)\n", "gateway at 8 / in-process at 2 threads", (q2 > 0 ? 100 * r8 / q2 : 0)
        }')
    target "search $kind, 1 client, p95" "$s1_p95" "<=" 40 "ms"
    target "search $kind, 8 clients / in-process 2 threads" "$(percent "$s8_rps" "$i2_rps")" ">=" 50 "%"
done
echo "$large_table"
echo "$large_table" >>"$BENCH_DIR/results.txt"

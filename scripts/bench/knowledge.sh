# shellcheck shell=bash
# Sourced by scripts/bench.sh once its stack runs: knowledge base search over CONCIERGE_BENCH_ARTICLES [100000]
# bulk-loaded articles in two brands (scripts/bench/load-articles.sql), as a portal visitor of the demo brand
# (brand, language and visibility filters inside every query) through the gateway, at 1 client (p50/p95) and
# 8 clients (queries/s), beside the same queries against the index in-process (`concierge search-bench --kind
# articles`, 1 and 2 threads, without the service's per-version answer cache: the cost of a query after a commit). The query mix: rare, mid-frequency and common words, two-word queries, a phrase.
# The articles stay in the bench cluster (.run/bench/pg): a second run skips the load and the index rebuild.
# Uses bench.sh's THREADS, psql_bench, BENCH_DIR, BRAND_ID, DURATION and scripts/bench/measure.sh.

: "${THREADS:?}" "${DURATION:?}" "${BENCH_DIR:?}" "${BRAND_ID:?}"
ARTICLES=${CONCIERGE_BENCH_ARTICLES:-100000}
KNOWLEDGE_LOG="$BENCH_DIR/logs/knowledge.log"
ARTICLES_INDEX="$BENCH_DIR/data/knowledge/articles-index"

# The articles index's line, not the canned replies' ("knowledge-canned-search-…"), which is ready at once.
articles_index_ready() {
    awk '/=== .*starting knowledge/ { ready = 0 } /search index ready.*"index":"knowledge-search-/ { ready = 1 } END { exit !ready }' \
        "$KNOWLEDGE_LOG"
}

loaded=$(psql_bench -tAc "SELECT count(*) FROM knowledge.articles WHERE slug LIKE 'bench-%'")
if ((loaded < ARTICLES)); then
    log "bulk-loading $ARTICLES articles (once per bench cluster)" >&2
    psql_bench -c "DELETE FROM knowledge.articles WHERE slug LIKE 'bench-%'" >/dev/null
    start_load=$(date +%s)
    psql_bench -v articles="$ARTICLES" -v brand="$BRAND_ID" -f "$SCRIPTS/bench/load-articles.sql" >/dev/null
    log "loaded in $(($(date +%s) - start_load)) s; restarting knowledge to rebuild its index from PostgreSQL" >&2
    stop_pids 30 "knowledge:$(pid_of "$BENCH_DIR/pids/knowledge.pid")"
    rm -rf "$ARTICLES_INDEX"
    bash "$SCRIPTS/stack.sh" up >/dev/null
fi
waited=0
until articles_index_ready; do
    sleep 2
    waited=$((waited + 2))
    ((waited < 1800)) || die "the knowledge search index was not ready after 30 minutes (see $KNOWLEDGE_LOG)"
done

export_runtime_env
CONCIERGE_BIN="$(bin_dir release)/concierge"
knowledge_table=$(printf '\n%d knowledge base articles in two brands (10 %% private, 5 %% drafts, 2 %% deleted), searched as a portal visitor\n' "$ARTICLES")
knowledge_table+=$'\n'$(printf '%-56s %10s %10s %12s' "" "p50 ms" "p95 ms" "per second")
for kind in rare mid common two-words phrase; do
    queries="$BENCH_DIR/articles-$kind.tsv"
    case $kind in
        rare) for k in $(seq 2 2 80); do printf 'r%d\t%s\ten\n' $((k * 211)) "$BRAND_ID"; done ;;
        mid) for k in $(seq 300 339); do printf 'w%d\t%s\ten\n' "$k" "$BRAND_ID"; done ;;
        common) for k in 1 2 3 4 5; do printf 'w%d\t%s\ten\n' "$k" "$BRAND_ID"; done ;;
        two-words) for k in $(seq 1 40); do printf 'w%d w%d\t%s\ten\n' $((k + 5)) $((k * 37)) "$BRAND_ID"; done ;;
        phrase) for k in $(seq 1 20); do printf '"w%d w%d"\t%s\ten\n' "$k" $((k + 1)) "$BRAND_ID"; done ;;
    esac >"$queries"
    awk -F'\t' '{ q = $1; gsub(/ /, "+", q); gsub(/"/, "%22", q); printf "/api/v1/knowledge/search?q=%s&language=%s&limit=10\n", q, $3 }' \
        "$queries" >"$BENCH_DIR/articles-$kind-paths.txt"
    read -r s1_rps s1_p50 s1_p95 s1_bad < <(measure_paths "articles-$kind-1" 1 1 "$BENCH_DIR/articles-$kind-paths.txt" anonymous) ||
        die "articles $kind: no wrk report"
    read -r s8_rps _ _ s8_bad < <(measure_paths "articles-$kind-8" "$THREADS" 8 "$BENCH_DIR/articles-$kind-paths.txt" anonymous) ||
        die "articles $kind: no wrk report"
    not_2xx "articles-$kind-1" "$s1_bad"
    not_2xx "articles-$kind-8" "$s8_bad"
    log "articles $kind in-process, 1 and 2 threads" >&2
    read -r i1_rps i1_p50 i1_p95 < <("$CONCIERGE_BIN" search-bench --kind articles \
        --index "$ARTICLES_INDEX" --queries "$queries" --limit 10 --concurrency 1 --seconds "${DURATION%s}")
    read -r i2_rps _ _ < <("$CONCIERGE_BIN" search-bench --kind articles \
        --index "$ARTICLES_INDEX" --queries "$queries" --limit 10 --concurrency 2 --seconds "${DURATION%s}")
    knowledge_table+=$'\n'$(awk -v k="$kind" -v a50="$s1_p50" -v a95="$s1_p95" -v r1="$s1_rps" -v r8="$s8_rps" \
        -v b50="$i1_p50" -v b95="$i1_p95" -v q1="$i1_rps" -v q2="$i2_rps" '
        BEGIN {
            printf "%-56s %10.3f %10.3f %12.0f   (target p95 <= 5 ms)\n", "articles " k ", gateway, 1 client", a50, a95, r1
            printf "%-56s %10.3f %10.3f %12.0f\n", "articles " k ", in-process uncached, 1 thread", b50, b95, q1
            printf "%-56s %10s %10s %12.0f   (target >= 600/s)\n", "articles " k ", gateway, 8 clients", "", "", r8
            printf "%-56s %10s %10s %12.0f\n", "articles " k ", in-process uncached, 2 threads", "", "", q2
        }')
    target "articles $kind, 1 client, p95" "$s1_p95" "<=" 5 "ms"
    target "articles $kind, 8 clients" "$s8_rps" ">=" 600 "/s"
done
echo "$knowledge_table"
echo "$knowledge_table" >>"$BENCH_DIR/results.txt"

# shellcheck shell=bash
# Sourced by scripts/bench.sh: wrk over a list of paths and pgbench with per-transaction latencies, for the
# sections that compare an API with the layer below it. Uses bench.sh's BENCH_DIR, BRAND_HOST, TOKEN,
# WARMUP, DURATION, THREADS and PGBENCH.

API="http://127.0.0.1:$CONCIERGE_HTTP_PORT"

# target NAME VALUE OP LIMIT UNIT: a row of the run's table of targets (OP is >= or <=), printed at its end.
target() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$BENCH_DIR/targets.tsv"; }

# percent A B: A as a share of B, in per cent with one decimal (0 when B is 0).
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }'; }

# not_2xx LABEL COUNT: counts responses that were not 2xx/3xx; a run with any fails at its end, after its tables.
NOT_2XX=0
not_2xx() {
    if ((${2:-0} > 0)); then
        warn "$1: $2 responses were not 2xx/3xx (see $BENCH_DIR/wrk-$1*.txt)"
        NOT_2XX=$((NOT_2XX + $2))
    fi
}

# measure_paths LABEL THREADS CONNECTIONS PATHS_FILE [anonymous]: wrk cycling through the paths (as the
# administrator, or with "anonymous" as a portal visitor); prints "requests/s p50 p95 non2xx". MEASURE_HEADER, when
# set, is one more header on every request ("Cache-Control: no-cache").
measure_paths() {
    local label=$1 threads=$2 connections=$3 paths=$4 script="$BENCH_DIR/$1.lua" report="$BENCH_DIR/wrk-$1.txt"
    local auth=(-H "Authorization: Bearer $TOKEN")
    [[ ${5:-} != anonymous ]] || auth=()
    [[ -z ${MEASURE_HEADER:-} ]] || auth+=(-H "$MEASURE_HEADER")
    {
        echo 'local paths = {'
        sed 's/.*/  "&",/' "$paths"
        echo '}'
        echo 'local n = math.random(#paths)'
        echo 'request = function() n = n % #paths + 1; return wrk.format("GET", paths[n]) end'
        echo 'done = function(summary, latency, requests)'
        # shellcheck disable=SC2028  # the \n is Lua's, not the shell's
        echo '  io.write(string.format("LATENCY %f %f\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000))'
        echo 'end'
    } >"$script"
    log "$label: one pass over the paths, a warm-up of $WARMUP, then $DURATION with $connections connections" >&2
    # One pass first, as `concierge search-bench` makes before measuring: a list of 40 uncached searches can take
    # longer than the warm-up, and its first answers would otherwise be measured.
    while read -r path; do
        curl -sS -o /dev/null --max-time 30 -H "Host: $BRAND_HOST" "${auth[@]}" "$API$path" || true
    done <"$paths"
    wrk -t "$threads" -c "$connections" -d "$WARMUP" -s "$script" -H "Host: $BRAND_HOST" "${auth[@]}" "$API" >/dev/null
    wrk -t "$threads" -c "$connections" -d "$DURATION" -s "$script" -H "Host: $BRAND_HOST" "${auth[@]}" "$API" >"$report"
    awk '$1 == "Requests/sec:" { rps = $2 } $1 == "LATENCY" { p50 = $2; p95 = $3 } /Non-2xx or 3xx responses:/ { bad = $NF }
        END { if (rps == "" || p95 == "") exit 1; printf "%s %.3f %.3f %d\n", rps, p50, p95, bad + 0 }' "$report"
}

# pgbench_latency CLIENTS SCRIPT [MODE]: prints "transactions/s p50 p95" (ms) from pgbench's per-transaction log.
# MODE extended (the default) plans every statement as it runs; prepared prepares each once per connection and runs
# its generic plan, as the services' connections do (DatabaseURL: plan_cache_mode).
pgbench_latency() {
    local clients=$1 script=$2 mode=${3:-extended} logs="$BENCH_DIR/pgbench-log" tps options=""
    [[ $mode == prepared ]] && options="-c plan_cache_mode=force_generic_plan"
    rm -rf "$logs" && mkdir -p "$logs"
    tps=$(cd "$logs" && PGOPTIONS="$options" PGPASSWORD=concierge "$PGBENCH" -n -M "$mode" -h "$PG_SOCKET" -p 55434 -U concierge -c "$clients" -j "$(( clients < THREADS ? clients : THREADS ))" \
        -T "${DURATION%s}" -l -f "$script" concierge 2>/dev/null | awk '/^tps = / { print $3; exit }')
    cat "$logs"/pgbench_log.* | awk '{ print $3 / 1000 }' | sort -n | awk -v tps="${tps:-0}" '
        { v[NR] = $1 } END { if (NR == 0) { print tps, 0, 0; exit } printf "%s %.3f %.3f\n", tps, v[int(NR * 0.5) + 1], v[int(NR * 0.95) + 1] }'
}


# warm_files DIR: reads every file under DIR once, so that measurements find them in the page cache as a running
# server would, instead of the first side measured paying the disk (a cold million-ticket index made creation's
# p99 1.7 s, its index feed's reads queueing with PostgreSQL's fsyncs, and the first search pass hundreds of ms).
warm_files() {
    [[ -d $1 ]] || return 0
    log "reading $1 into the page cache" >&2
    find "$1" -type f -exec cat {} + >/dev/null
}

# wait_for_quiet NAME PID: waits (up to 20 minutes) until the process used under 5 % of a core over 3 s, so that
# work left over from loading (an index feed catching up on events) does not run during a measurement.
wait_for_quiet() {
    local name=$1 pid=$2 ticks before after waited=0
    ticks=$(getconf CLK_TCK)
    while ((waited < 1200)); do
        before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || return 0
        sleep 3
        after=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || return 0
        waited=$((waited + 3))
        if (((after - before) * 100 < 5 * 3 * ticks)); then
            log "$name is quiet after about $waited s" >&2
            return 0
        fi
    done
    warn "$name was still busy after $waited s; measuring anyway"
}

# sign_in: a fresh administrator token (they last 15 minutes, and loading can take longer).
sign_in() {
    curl -sS --max-time 10 -H "Host: $BRAND_HOST" -H 'Content-Type: application/json' \
        -d '{"email":"admin@demo.localhost","password":"concierge-admin"}' "$API/api/v1/identity/sessions" |
        sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p'
}

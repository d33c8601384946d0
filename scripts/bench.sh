#!/usr/bin/env bash
# `make bench`: what the gateway costs. Builds release, starts a private stack (run dir
# .run/bench; PostgreSQL 55434, broker 19094, identity 18181, gateway 18180) with one
# identity instance, migrates and seeds, then measures with wrk
#   GET /api/v1/identity/brand  (Host: demo.localhost)
# through the gateway and directly against identity, and prints requests/s, p50, p99, the
# throughput ratio gateway/direct under load and the p50 the gateway adds to one request at a
# time (1 connection). Stops the bench stack after.
#
# Then ticket creation beside pgbench, and views and search over a million tickets
# (scripts/bench/large-tickets.sh; the tickets are loaded once and stay in .run/bench).
#
# Then search over 100,000 knowledge base articles (scripts/bench/knowledge.sh), also loaded once.
#
# Knobs: CONCIERGE_BENCH_THREADS [2], CONCIERGE_BENCH_CONNECTIONS [64],
#        CONCIERGE_BENCH_DURATION [10s], CONCIERGE_BENCH_WARMUP [2s], CONCIERGE_BENCH_TICKETS [1000000],
#        CONCIERGE_BENCH_ARTICLES [100000],
#        CONCIERGE_BENCH_SECTIONS ["gateway tickets knowledge"]: which tables to measure ("tickets" is
#        "creation views": ticket creation, and views and search over the million tickets).
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BENCH_DIR="$ROOT/.run/bench"
THREADS=${CONCIERGE_BENCH_THREADS:-2}
CONNECTIONS=${CONCIERGE_BENCH_CONNECTIONS:-64}
DURATION=${CONCIERGE_BENCH_DURATION:-10s}
WARMUP=${CONCIERGE_BENCH_WARMUP:-2s}
PATH_UNDER_TEST=/api/v1/identity/brand
BRAND_HOST=demo.localhost

# The private stack: its own run dir and ports, nothing shared with `make run`.
while IFS='=' read -r name _; do
    case "$name" in CONCIERGE_*_URLS) unset "$name" ;; esac
done < <(env)
export CONCIERGE_RUN_DIR="$BENCH_DIR"
export CONCIERGE_BUILD_CONFIG=release
# The services reach the bench cluster through its Unix-domain socket, as `make run`'s do, and so does pgbench.
PG_SOCKET=$(pg_socket_dir "$BENCH_DIR/pg")
export CONCIERGE_DATABASE_URL="postgres://concierge:concierge@127.0.0.1:55434/concierge?host=$PG_SOCKET"
export CONCIERGE_KAFKA_BROKERS="127.0.0.1:19094"
export CONCIERGE_HTTP_PORT=18180
export CONCIERGE_IDENTITY_PORT=18181
# Services the bench does not start still get bench ports, so that no gateway route of the
# bench stack leads into a running dev stack.
export CONCIERGE_TICKETS_PORT=18182 CONCIERGE_LIVECHAT_PORT=18183 CONCIERGE_WHOSON_PORT=18184
export CONCIERGE_KNOWLEDGE_PORT=18185 CONCIERGE_SURVEYS_PORT=18186 CONCIERGE_REPORTING_PORT=18187
export CONCIERGE_AUTOMATION_PORT=18188
export CONCIERGE_STACK_SERVICES="identity tickets knowledge"
export CONCIERGE_IDENTITY_INSTANCES=1

GATEWAY_URL="http://127.0.0.1:$CONCIERGE_HTTP_PORT$PATH_UNDER_TEST"
DIRECT_URL="http://127.0.0.1:$CONCIERGE_IDENTITY_PORT$PATH_UNDER_TEST"
GATEWAY_HEADERS=(-H "Host: $BRAND_HOST")
# identity trusts the gateway's internal headers; without the gateway, send what it would.
DIRECT_HEADERS=(-H "Host: $BRAND_HOST" -H "X-Concierge-Brand-Host: $BRAND_HOST")

# shellcheck disable=SC2317  # called by the trap
stop_bench_stack() {
    local code=$?
    trap - EXIT INT TERM
    bash "$SCRIPTS/stack.sh" down || true
    exit "$code"
}
trap stop_bench_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SECTIONS=" ${CONCIERGE_BENCH_SECTIONS:-gateway tickets knowledge} "
SECTIONS=${SECTIONS/ tickets / creation views }
section() { [[ $SECTIONS == *" $1 "* ]]; }

bash "$SCRIPTS/stack.sh" up

# check LABEL URL CURL_HEADERS...: the endpoint must answer 200, or the figures mean nothing.
check() {
    local label=$1 url=$2 body code
    shift 2
    body=$(mktemp)
    code=$(curl -sS -o "$body" -w '%{http_code}' --max-time 5 "$@" "$url" || true)
    if [[ $code != 200 ]]; then
        warn "$label: GET $url answered ${code:-nothing}, not 200:"
        head -c 500 "$body" >&2
        echo >&2
        rm -f "$body"
        die "$label does not answer 200; nothing to measure"
    fi
    rm -f "$body"
}

# measure LABEL THREADS CONNECTIONS URL WRK_HEADERS...: warm up, measure, keep wrk's report in
# .run/bench, print "requests/s p50_ms p99_ms non2xx socket_errors".
measure() {
    local label=$1 threads=$2 connections=$3 url=$4 report="$BENCH_DIR/wrk-$1.txt"
    shift 4
    log "$label: warm-up $WARMUP, then $DURATION with $threads threads, $connections connections" >&2
    wrk -t "$threads" -c "$connections" -d "$WARMUP" "$@" "$url" >/dev/null
    wrk -t "$threads" -c "$connections" -d "$DURATION" --latency "$@" "$url" >"$report"
    parse_wrk <"$report"
}

# wrk prints latencies as 812.00us, 1.23ms, 2.01s or 1.00m; every figure comes out in ms.
parse_wrk() {
    awk '
        function ms(v,   n, u) {
            n = v + 0
            u = v; sub(/^[0-9.]+/, "", u)
            if (u == "us") return n / 1000
            if (u == "ms") return n
            if (u == "s")  return n * 1000
            if (u == "m")  return n * 60000
            if (u == "h")  return n * 3600000
            return -1
        }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "50%" && !p50 { p50 = ms($2) }
        $1 == "99%" && !p99 { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ { gsub(/,/, ""); errors = $4 + $6 + $8 + $10 }
        END {
            if (rps == "" || p50 == "" || p99 == "") exit 1
            printf "%s %.3f %.3f %d %d\n", rps, p50, p99, non2xx + 0, errors + 0
        }'
}

# What every section uses: an administrator's token, the demo brand's id, psql and pgbench on the bench cluster.
SESSIONS_URL="http://127.0.0.1:$CONCIERGE_HTTP_PORT/api/v1/identity/sessions"
SIGN_IN_BODY='{"email":"admin@demo.localhost","password":"concierge-admin"}'
TOKEN=$(curl -sS --max-time 10 -H "Host: $BRAND_HOST" -H 'Content-Type: application/json' -d "$SIGN_IN_BODY" "$SESSIONS_URL" |
    sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
[[ -n $TOKEN ]] || die "could not sign in to measure token-verified requests"
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1" 2>/dev/null; }
BRAND_ID=$(curl -sS --max-time 5 -H "Host: $BRAND_HOST" "http://127.0.0.1:$CONCIERGE_HTTP_PORT/api/v1/identity/brand" | json_field id)
[[ -n $BRAND_ID ]] || die "could not read the demo brand's id"
PGBENCH=$(ls /usr/lib/postgresql/15/bin/pgbench 2>/dev/null || command -v pgbench)
psql_bench() { PGPASSWORD=concierge psql -q -h 127.0.0.1 -p 55434 -U concierge -d concierge -v ON_ERROR_STOP=1 "$@"; }
# shellcheck source=scripts/bench/measure.sh
source "$SCRIPTS/bench/measure.sh"
: >"$BENCH_DIR/results.txt"
: >"$BENCH_DIR/targets.tsv"
# The commit measured: the one built when the run began, not whatever HEAD is when its last table prints.
BENCH_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)

if section gateway; then
check gateway "$GATEWAY_URL" "${GATEWAY_HEADERS[@]}"
check direct "$DIRECT_URL" "${DIRECT_HEADERS[@]}"

# Throughput under load (the machine saturated), then latency with one request at a time: at
# saturation latency is queueing (connections / throughput), so what the gateway adds to a
# request is read from the one-connection runs.
read -r gw_rps gw_p50 gw_p99 gw_bad gw_err < <(measure gateway "$THREADS" "$CONNECTIONS" "$GATEWAY_URL" "${GATEWAY_HEADERS[@]}") ||
    die "could not read wrk's report $BENCH_DIR/wrk-gateway.txt"
read -r d_rps d_p50 d_p99 d_bad d_err < <(measure direct "$THREADS" "$CONNECTIONS" "$DIRECT_URL" "${DIRECT_HEADERS[@]}") ||
    die "could not read wrk's report $BENCH_DIR/wrk-direct.txt"
read -r gs_rps gs_p50 gs_p99 gs_bad gs_err < <(measure gateway-single 1 1 "$GATEWAY_URL" "${GATEWAY_HEADERS[@]}") ||
    die "could not read wrk's report $BENCH_DIR/wrk-gateway-single.txt"
read -r ds_rps ds_p50 ds_p99 ds_bad ds_err < <(measure direct-single 1 1 "$DIRECT_URL" "${DIRECT_HEADERS[@]}") ||
    die "could not read wrk's report $BENCH_DIR/wrk-direct-single.txt"

table=$(awk -v gr="$gw_rps" -v g50="$gw_p50" -v g99="$gw_p99" \
    -v dr="$d_rps" -v d50="$d_p50" -v d99="$d_p99" \
    -v sgr="$gs_rps" -v sg50="$gs_p50" -v sg99="$gs_p99" \
    -v sdr="$ds_rps" -v sd50="$ds_p50" -v sd99="$ds_p99" \
    -v what="GET $PATH_UNDER_TEST (Host: $BRAND_HOST), wrk -d$DURATION, release build" \
    -v load="$THREADS threads, $CONNECTIONS connections" '
    BEGIN {
        print what
        printf "%-34s %12s %10s %10s\n", "", "requests/s", "p50 ms", "p99 ms"
        printf "%-34s %12.0f %10.3f %10.3f\n", "gateway, " load, gr, g50, g99
        printf "%-34s %12.0f %10.3f %10.3f\n", "direct, " load, dr, d50, d99
        printf "%-34s %12.0f %10.3f %10.3f\n", "gateway, 1 connection", sgr, sg50, sg99
        printf "%-34s %12.0f %10.3f %10.3f\n", "direct, 1 connection", sdr, sd50, sd99
        printf "%-34s %11.1f %%   (target >= 60 %%)\n", "throughput gateway/direct", (dr > 0 ? 100 * gr / dr : 0)
        printf "%-34s %12.3f ms  (target <= 1 ms)\n", "p50 added by the gateway", sg50 - sd50
        printf "%-34s %12.3f ms\n", "p50 added under load (queueing)", g50 - d50
    }')
echo
echo "$table"
echo "$table" >>"$BENCH_DIR/results.txt"
# Identity's own paths through the gateway: sign-in (bcrypt at CONCIERGE_BCRYPT_COST, default 10) and a
# token-verified request, against the unauthenticated brand lookup above.
ME_URL="http://127.0.0.1:$CONCIERGE_HTTP_PORT/api/v1/identity/me"
SIGN_IN_SCRIPT="$BENCH_DIR/sign-in.lua"
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' "'$SIGN_IN_BODY'" >"$SIGN_IN_SCRIPT"
# bcrypt is meant to be slow: a few concurrent sign-ins already fill both cores, so fewer connections.
read -r si_rps si_p50 si_p99 si_bad si_err < <(measure sign-in "$THREADS" 8 "$SESSIONS_URL" --timeout 10s -s "$SIGN_IN_SCRIPT" -H "Host: $BRAND_HOST") ||
    die "could not read wrk's report $BENCH_DIR/wrk-sign-in.txt"
read -r me_rps me_p50 me_p99 me_bad me_err < <(measure me "$THREADS" "$CONNECTIONS" "$ME_URL" -H "Host: $BRAND_HOST" -H "Authorization: Bearer $TOKEN") ||
    die "could not read wrk's report $BENCH_DIR/wrk-me.txt"
identity_table=$(awk -v sr="$si_rps" -v s50="$si_p50" -v s99="$si_p99" -v mr="$me_rps" -v m50="$me_p50" -v m99="$me_p99" -v gr="$gw_rps" \
    -v cost="${CONCIERGE_BCRYPT_COST:-10}" -v load="$THREADS threads, $CONNECTIONS connections" '
    BEGIN {
        printf "%-34s %12.0f %10.3f %10.3f\n", "sign-in (bcrypt cost " cost "), 8 connections", sr, s50, s99
        printf "%-34s %12.0f %10.3f %10.3f\n", "GET /me with a token, " load, mr, m50, m99
        printf "%-34s %11.1f %%   (target >= 50 %%)\n", "token-verified / brand lookup", (gr > 0 ? 100 * mr / gr : 0)
    }')
echo "$identity_table"
echo "$identity_table" >>"$BENCH_DIR/results.txt"
target "gateway / direct throughput, $CONNECTIONS connections" "$(percent "$gw_rps" "$d_rps")" ">=" 60 "%"
target "p50 added by the gateway, 1 connection" "$(awk -v a="$gs_p50" -v b="$ds_p50" 'BEGIN { printf "%.3f", a - b }')" "<=" 1 "ms"
target "token-verified /me / brand lookup throughput" "$(percent "$me_rps" "$gw_rps")" ">=" 50 "%"
fi

if section creation; then
warm_files "$BENCH_DIR/data/tickets/tickets-index"
# Tickets: an anonymous portal ticket through the gateway (number, first message, history, outbox and round
# robin in one transaction), beside pgbench inserting one row and one outbox row per transaction: the ceiling.
# The bench measures creation, not visitors' proof of work: the built-in CAPTCHA (on by default) goes off, as
# Options → Captcha = none, and the loop below waits until tickets has the change.
curl -fsS --max-time 10 -o /dev/null -X PATCH -H "Host: $BRAND_HOST" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/merge-patch+json' -d '{"captcha":"none"}' \
    "http://127.0.0.1:$CONCIERGE_HTTP_PORT/api/v1/identity/settings/management" || die "could not turn the CAPTCHA off"
DEPARTMENTS_URL="http://127.0.0.1:$CONCIERGE_HTTP_PORT/api/v1/identity/departments"
DEPARTMENT_REPLY=$(curl -sS --max-time 10 -H "Host: $BRAND_HOST" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"brandID\":\"$BRAND_ID\",\"name\":\"Bench $(date +%s)\"}" "$DEPARTMENTS_URL")
DEPARTMENT_ID=$(json_field id <<<"$DEPARTMENT_REPLY")
[[ -n $DEPARTMENT_ID ]] || warn "department creation answered: $DEPARTMENT_REPLY"
[[ -n $DEPARTMENT_ID ]] || die "could not create a department for the ticket benchmark"
for _ in $(seq 1 100); do
    curl -sS --max-time 5 -H "Host: $BRAND_HOST" "http://127.0.0.1:$CONCIERGE_HTTP_PORT/api/v1/tickets/departments" | grep -q "$DEPARTMENT_ID" && break
    sleep 0.1
done
TICKETS_URL="http://127.0.0.1:$CONCIERGE_HTTP_PORT/api/v1/tickets"
TICKET_SCRIPT="$BENCH_DIR/create-ticket.lua"
TICKET_BODY="{\"departmentID\":\"$DEPARTMENT_ID\",\"subject\":\"Printer on fire\",\"body\":\"It smokes.\",\"email\":\"bench@customer.example\"}"
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' "'$TICKET_BODY'" >"$TICKET_SCRIPT"
created=
for _ in $(seq 1 100); do
    [[ $(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -H "Host: $BRAND_HOST" -H 'Content-Type: application/json' \
        -d "$TICKET_BODY" "$TICKETS_URL") == 201 ]] && created=yes && break
    sleep 0.1
done
[[ -n $created ]] || die "a portal ticket was never created (201) in 10 s: the benchmark would measure refusals"
# The target is a rate with a latency bound (>= 2,000 created/s with p99 <= 50 ms), so creation is measured at 16,
# 32 and 64 connections and judged at the fastest of them whose p99 stays within the bound. wrk keeps each
# connection's one request in flight: at 16 the rate is 16 / latency (a group-commit batch waits for the one before
# it and the two cores idle about 30 % of the time between its round trips), at 64 the CPU is the limit.
CREATION_CONNECTIONS=(16 32 64)
declare -A tc_rps tc_p50 tc_p99 tc_bad tc_err pg_tps
for conns in "${CREATION_CONNECTIONS[@]}"; do
    read -r "tc_rps[$conns]" "tc_p50[$conns]" "tc_p99[$conns]" "tc_bad[$conns]" "tc_err[$conns]" < <(measure "create-ticket-$conns" "$THREADS" "$conns" \
        "$TICKETS_URL" -s "$TICKET_SCRIPT" -H "Host: $BRAND_HOST") || die "could not read wrk's report $BENCH_DIR/wrk-create-ticket-$conns.txt"
done
PGBENCH_SQL="$BENCH_DIR/ticket-ceiling.sql"
psql_bench -c "CREATE SCHEMA IF NOT EXISTS bench; DROP TABLE IF EXISTS bench.rows, bench.outbox;
    CREATE TABLE bench.rows (id uuid PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE bench.outbox (id bigserial PRIMARY KEY, payload bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now());"
printf 'BEGIN;\nINSERT INTO bench.rows (id, body) VALUES (gen_random_uuid(), repeat(%s, 20));\nINSERT INTO bench.outbox (payload) VALUES (convert_to(repeat(%s, 40), %s));\nCOMMIT;\n' \
    "'x'" "'y'" "'UTF8'" >"$PGBENCH_SQL"
ceiling() {
    log "pgbench: one row plus one outbox row per transaction, $1 clients, ${DURATION%s} s" >&2
    PGPASSWORD=concierge "$PGBENCH" -n -h "$PG_SOCKET" -p 55434 -U concierge -c "$1" -j "$THREADS" -T "${DURATION%s}" -f "$PGBENCH_SQL" concierge 2>/dev/null |
        awk '/^tps = / { print $3; exit }'
}
for conns in "${CREATION_CONNECTIONS[@]}"; do pg_tps[$conns]=$(ceiling "$conns"); done
tickets_table=$(
    for conns in "${CREATION_CONNECTIONS[@]}"; do
        awk -v c="$conns" -v tr="${tc_rps[$conns]}" -v t50="${tc_p50[$conns]}" -v t99="${tc_p99[$conns]}" -v pg="${pg_tps[$conns]:-0}" '
        BEGIN {
            printf "%-34s %12.0f %10.3f %10.3f\n", "POST /api/v1/tickets, " c " conns", tr, t50, t99
            printf "%-34s %12.0f   (creation: %.1f %% of it)\n", "pgbench row + outbox row, " c " clients", pg, (pg > 0 ? 100 * tr / pg : 0)
        }'
    done
)
echo "$tickets_table"
echo "$tickets_table" >>"$BENCH_DIR/results.txt"
# The fastest level whose p99 is within the bound; when none is, 16 (and its p99 row shows the miss).
best=
for conns in "${CREATION_CONNECTIONS[@]}"; do
    awk -v r="${tc_rps[$conns]}" -v b="${best:+${tc_rps[$best]}}" -v p="${tc_p99[$conns]}" \
        'BEGIN { exit !(p != "" && p + 0 <= 50 && (b == "" || r + 0 > b + 0)) }' && best=$conns
done
best=${best:-16}
target "ticket creation, fastest of 16/32/64 conns, p99 <= 50 ms ($best)" "${tc_rps[$best]}" ">=" 2000 "/s"
target "ticket creation p99 at $best connections" "${tc_p99[$best]}" "<=" 50 "ms"
fi

if section views; then
# Views and search over a million tickets.
# shellcheck source=scripts/bench/large-tickets.sh
source "$SCRIPTS/bench/large-tickets.sh"
fi

if section knowledge; then
    # shellcheck source=scripts/bench/knowledge.sh
    source "$SCRIPTS/bench/knowledge.sh"
fi
creation_pairs=()
for conns in "${CREATION_CONNECTIONS[@]:-}"; do
    if [[ -n $conns ]]; then creation_pairs+=("create-ticket-$conns:${tc_bad[$conns]:-}:${tc_err[$conns]:-}"); fi
done
for pair in "gateway:${gw_bad:-}:${gw_err:-}" "direct:${d_bad:-}:${d_err:-}" "gateway-single:${gs_bad:-}:${gs_err:-}" \
    "direct-single:${ds_bad:-}:${ds_err:-}" "sign-in:${si_bad:-}:${si_err:-}" "me:${me_bad:-}:${me_err:-}" "${creation_pairs[@]}"; do
    IFS=: read -r label bad err <<<"$pair"
    [[ -n $bad ]] || continue
    not_2xx "$label" "$bad"
    ((err == 0)) || warn "$label: $err socket errors (see $BENCH_DIR/wrk-$label.txt)"
done
targets_table=$(awk -F'\t' -v commit="$BENCH_COMMIT" -v when="$(date -u '+%Y-%m-%d %H:%M UTC')" '
    BEGIN { printf "\nThe targets, this run (commit %s, %s)\n", commit, when
            printf "%-64s %14s %14s\n", "", "measured", "target" }
    { met = ($3 == ">=") ? ($2 + 0 >= $4 + 0) : ($2 + 0 <= $4 + 0)
      printf "%-64s %10s %-3s %2s %7s %-3s %s\n", $1, $2, $5, $3, $4, $5, met ? "met" : "MISSED" }' "$BENCH_DIR/targets.tsv")
echo "$targets_table"
echo "$targets_table" >>"$BENCH_DIR/results.txt"
echo "(wrk reports: $BENCH_DIR/wrk-*.txt; table: results.txt)"
((NOT_2XX == 0)) || die "$NOT_2XX measured responses were not 2xx/3xx: these figures are not the service's"

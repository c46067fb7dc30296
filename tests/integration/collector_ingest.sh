#!/usr/bin/env bash
# The collector stores exactly what an agent sends, once: known batches end
# up as the expected rows in report.samples, a batch sent again is acked and
# not stored twice, bad timestamps are counted and left out, /health and
# /metrics answer (and refuse hostile requests), and SIGTERM stops it cleanly.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 240

pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
col_config "$COL_TMP/c.yaml" "$(pg_tmp_dsn)"

"$COLLECTOR" --config "$COL_TMP/c.yaml" --migrate >"$COL_TMP/migrate.log" 2>&1 || fail "--migrate"
"$COLLECTOR" --config "$COL_TMP/c.yaml" --migrate >>"$COL_TMP/migrate.log" 2>&1 || fail "--migrate again"
expect_eq "migrations recorded once" \
    "$(psql -qAt -c "SELECT string_agg(name, ',' ORDER BY name) FROM pantau.schema_migrations")" \
    "$(cd "$here/../../collector/migrations" && ls *.sql | sed 's/\.sql$//' | paste -sd,)"
expect_eq "report views documented" \
    "$(psql -qAt -c "SELECT count(*) FROM pg_description d JOIN pg_class c ON c.oid = d.objoid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'report' AND d.objsubid = 0")" \
    "$(psql -qAt -c "SELECT count(*) FROM pg_views WHERE schemaname = 'report'")"
expect_eq "reader role can read report, not pantau" \
    "$(psql -qAt -c "SELECT has_table_privilege('pantau_reader', 'report.samples', 'SELECT'),
        has_table_privilege('pantau_reader', 'pantau.samples', 'SELECT')")" "t|f"

col_start "$COL_TMP/c.yaml" "$COL_TMP/collector.log"
base=1704067200000 # 2024-01-01T00:00:00Z
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent ag-1 --stream 1 --batches 3 \
    --samples 10 --series 5 --base-ms $base --extras 1 >"$COL_TMP/agent.log" 2>&1 || fail "agent run 1"
grep -q "acked=3 " "$COL_TMP/agent.log" || fail "not every batch acked"

# Sample g: series g%5+1 (device dev-000, metric m.(g%5), label idx), at
# base + (g/5) s, value g + 0.25.
expected=$(for g in $(seq 0 29); do
    s=$((g % 5 + 1))
    printf 'dev-000|m.%d|{"idx": "%d"}|2024-01-01 00:00:%02d|%d.25|u|ag-1|test-site|ups\n' \
        $((s - 1)) $s $((g / 5)) $g
done)
query="SELECT device, metric, labels::text, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
       value, unit, agent, site, device_kind FROM report.samples ORDER BY ts, metric"
got=$(psql -qAt -c "$query")
[ "$got" = "$expected" ] || { diff <(echo "$expected") <(echo "$got") >&2; fail "report.samples rows differ"; }
echo "ok - report.samples holds the 30 exact rows"
# Sent before the batches on the same connection, so stored before their acks.
expect_eq "device state" "$(psql -qAt -c "SELECT state, to_char(state_since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
    FROM report.devices WHERE device = 'dev-000'")" "down|2024-01-01 00:00:00"
expect_eq "state history" "$(psql -qAt -c "SELECT state, reason FROM report.device_states")" "down|timeout"
expect_eq "inventory" "$(psql -qAt -c "SELECT kind || ':' || item_id || ':' || fields::text FROM report.inventory ORDER BY kind")" \
    "interface:1:{\"ifName\": \"eth0\"}
system::{\"sysDescr\": \"Fake UPS 3000\"}"

# The same batches again (an agent that did not see its acks): acked, not stored.
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent ag-1 --stream 1 --batches 3 \
    --samples 10 --series 5 --base-ms $base --resend 1 >"$COL_TMP/agent2.log" 2>&1 || fail "agent resend"
grep -q "acked=6 " "$COL_TMP/agent2.log" || fail "re-sent batches not acked"
expect_eq "rows after re-sending" "$(psql -qAt -c "SELECT count(*) FROM report.samples")" "30"
expect_eq "dedupe rows" "$(psql -qAt -c "SELECT count(*) FROM pantau.batches")" "3"
expect_eq "batches_duplicate_total" "$(col_metric batches_duplicate_total)" "6"
expect_eq "batches_stored_total" "$(col_metric batches_stored_total)" "3"
expect_eq "samples_stored_total" "$(col_metric samples_stored_total)" "30"

# Samples from 1990 are refused; the batch itself is stored (and acked).
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent ag-1 --stream 2 --batches 1 \
    --samples 10 --series 5 --base-ms 631152000000 >"$COL_TMP/agent3.log" 2>&1 || fail "agent 1990"
expect_eq "samples_rejected_total{timestamp}" "$(col_metric samples_rejected_total 'reason="timestamp"')" "10"
expect_eq "rows after 1990 batch" "$(psql -qAt -c "SELECT count(*) FROM report.samples")" "30"
expect_eq "devices seen" "$(psql -qAt -c "SELECT device || '/' || kind || '/' || agent || '/' || site FROM report.devices")" \
    "dev-000/ups/ag-1/test-site"

health=$(curl -s "http://127.0.0.1:$COL_HTTP/health")
case $health in *'"status":"ok"'*'"connected":true'*) echo "ok - /health: $health" ;;
    *) fail "/health: $health" ;; esac
curl -s "http://127.0.0.1:$COL_HTTP/metrics" | grep -q '^# TYPE pantau_collector_errors_total counter$' \
    || fail "/metrics lacks TYPE lines"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
expect_eq "GET /nope" "$(code "http://127.0.0.1:$COL_HTTP/nope")" "404"
expect_eq "POST /metrics" "$(code -X POST "http://127.0.0.1:$COL_HTTP/metrics")" "405"
expect_eq "8 KiB header" "$(code -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" "http://127.0.0.1:$COL_HTTP/health")" "431"
expect_eq "lowercase method" "$(code -X get "http://127.0.0.1:$COL_HTTP/health")" "400"
expect_eq "HEAD /health" "$(code -I "http://127.0.0.1:$COL_HTTP/health")" "200"

col_stop || fail "collector exited non-zero on SIGTERM"
grep -E "ERROR|AddressSanitizer|runtime error" "$COL_TMP/collector.log" && fail "errors in the collector log"
echo "PASS"

#!/usr/bin/env bash
# PostgreSQL going away loses nothing: batches that arrive while it is down
# are kept (not acked, /health degraded), reading stops once max_queue (4
# here) batches wait (backpressure: the rest stays with the agent), and once
# it is back they are stored and acked, each exactly once. Then a restart
# under load.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 300

pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
COL_MAX_QUEUE=4 col_config "$COL_TMP/c.yaml" "$(pg_tmp_dsn)"
col_start "$COL_TMP/c.yaml" "$COL_TMP/collector.log"
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent warm --batches 1 --samples 5 \
    --series 5 >"$COL_TMP/warm.log" 2>&1 || fail "first batch"

pg_tmp_pause || fail "pg_ctl stop"
echo "ok - PostgreSQL stopped"
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent ag --stream 3 --batches 5 --samples 100 \
    --series 20 --window 8 --timeout 60 >"$COL_TMP/agent.log" 2>&1 &
agent=$!
COL_PIDS+=("$agent")
sleep 3
expect_eq "batches stored while down" "$(col_metric batches_stored_total)" 1
expect_eq "queue depth while down (reading paused at max_queue)" "$(col_metric store_queue_depth)" 4
expect_eq "batches received while down" "$(col_metric batches_received_total)" 5
expect_eq "/health while down" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$COL_HTTP/health")" 503
kill -0 $agent 2>/dev/null || fail "the agent got its acks while PostgreSQL was down"

pg_tmp_resume || fail "pg_ctl start"
echo "ok - PostgreSQL started again"
wait $agent || fail "agent did not get its acks after the restart"
grep -q "acked=5 " "$COL_TMP/agent.log" || fail "not all acked"
expect_eq "rows after restart" "$(psql -qAt -c "SELECT count(*) FROM report.samples WHERE agent = 'ag'")" 500
expect_eq "batch rows" "$(psql -qAt -c "SELECT count(*) FROM pantau.batches WHERE agent_id = 'ag'")" 5

# A restart while batches keep coming: the agent's window covers the gap.
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent busy --stream 4 --batches 60 --samples 200 \
    --series 50 --window 16 --pause-ms 50 --timeout 60 >"$COL_TMP/busy.log" 2>&1 &
busy=$!
COL_PIDS+=("$busy")
sleep 1
pg_tmp_pause || fail "pg_ctl stop under load"
sleep 1
pg_tmp_resume || fail "pg_ctl start under load"
wait $busy || fail "busy agent"
grep -q "acked=60 " "$COL_TMP/busy.log" || fail "busy agent: not all acked"
expect_eq "rows of the busy agent" \
    "$(psql -qAt -c "SELECT count(*), count(DISTINCT (device, metric, labels, ts)) FROM report.samples WHERE agent = 'busy'")" \
    "12000|12000"
expect_eq "/health after" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$COL_HTTP/health")" 200

col_stop || fail "collector exited non-zero on SIGTERM"
grep -E "AddressSanitizer|runtime error" "$COL_TMP/collector.log" && fail "sanitizer report"
echo "PASS"
